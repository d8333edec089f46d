"""What the reliability run needs: an isolated hubsms world in a temp dir (config, keyring
backend, XDG_DATA_HOME), the real hubsms CLI in subprocesses, the sandbox, keyring reads
through the same backend, and a watcher of every process's arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import requests
from _support import SANDBOX_SERVE, hubsms_command, isolated_env, listening_url

HERE = Path(__file__).resolve().parent
FILE_BACKEND = "keyrings.alt.file.PlaintextKeyring"
FROM = "+15005550006"

_KEYRING_SCRIPT = """
import json, sys, keyring
request = json.load(sys.stdin)
kr = keyring.get_keyring()
for sid, token in request.get("set", {}).items():
    kr.set_password("hubsms", sid, token)
found = {sid: kr.get_password("hubsms", sid) for sid in request.get("get", [])}
path = getattr(kr, "file_path", None) or getattr(kr, "path", None)
print(json.dumps({"tokens": found, "file": str(path) if path else None}))
"""


class Done(NamedTuple):
    code: int
    out: str
    err: str
    seconds: float


class World:
    """A temp folder with its own config file and keyring; ``env`` for hubsms processes."""

    def __init__(self, root: Path, backend: str, config_name: str = "connectors.toml") -> None:
        self.root = root
        self.config = root / "config" / config_name
        self.data = root / "data"
        self.backend = backend
        self.hubsms = hubsms_command()
        path = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)
        self.env = {**isolated_env(root, backend, self.config, drop=("TWILIO_AUTH_TOKEN",)), "PYTHONPATH": path,
                    "COLUMNS": "200", "HUBSMS_KEYRING_TIMEOUT": "5"}

    def argv(self, *args: str) -> list[str]:
        return [*self.hubsms, *args]

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> Done:
        start = time.perf_counter()
        try:
            done = subprocess.run(self.argv(*args), input=stdin, capture_output=True, text=True,
                                  env={**self.env, **(env or {})}, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            return Done(-9, _text(exc.stdout), _text(exc.stderr), time.perf_counter() - start)
        return Done(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)

    def start(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        process = subprocess.Popen(self.argv(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env={**self.env, **(env or {})})
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
        assert process.stdin is not None
        process.stdin.close()
        process.stdin = None  # so that communicate() does not write to it
        return process

    def keyring(self, get: list[str] = (), set_: dict[str, str] | None = None) -> tuple[dict[str, str | None], str | None]:
        """Tokens of ``get`` (after writing ``set_``) through this world's backend, and the
        keyring's file when the backend has one."""
        done = subprocess.run([sys.executable, "-c", _KEYRING_SCRIPT], input=json.dumps({"get": list(get), "set": set_ or {}}),
                              capture_output=True, text=True, env=self.env, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"keyring helper failed: {done.stderr.strip()[-400:]}")
        answer = json.loads(done.stdout)
        return answer["tokens"], answer["file"]

    def connectors(self) -> dict[str, dict] | None:
        """Name -> fields of ``connector list --json``; None when the config does not load."""
        done = self.run("connector", "list", "--json")
        if done.code != 0:
            return None
        return {item["name"]: item for item in json.loads(done.out)}

    def write_config(self, connectors: dict[str, str], plans: dict[str, str] | None = None,
                     server: str | None = None) -> None:
        """A config of keyring-mode connectors: name -> Account SID; plans: name -> connector."""
        lines = ["schema_version = 1", ""]
        for plan, connector in (plans or {}).items():
            lines += [f'[plans."{plan}"]', f'sms_connector = "{connector}"', ""]
        for name, sid in connectors.items():
            lines += [f'[connectors."{name}"]', f'account_sid = "{sid}"', f'from = "{FROM}"']
            lines += [f'server_address = "{server}"', ""] if server else [""]
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text("\n".join(lines), encoding="utf-8")


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


class Sandbox:
    """``hubsms sandbox serve --port 0`` in a subprocess; its output kept for scanning (with
    ``verbose`` a line per request: a flood must turn it off, or the unread pipe fills up)."""

    def __init__(self, world: World, token_var: str | None = None, env: dict[str, str] | None = None,
                 verbose: bool = True) -> None:
        args = [*SANDBOX_SERVE, *(["--verbose"] if verbose else [])]
        if token_var:
            args += ["--auth-token-env", token_var]
        self.process = world.start(*args, env=env)
        self.url = listening_url(self.process)
        self.accounts = f"{self.url}/2010-04-01/Accounts"
        self.output = f"listening on {self.url}\n"

    def messages_to(self, number: str) -> int:
        answer = requests.get(f"{self.url}/api/messages", params={"to": number, "limit": 1000}, timeout=10)
        return len(answer.json()["messages"])

    def fault(self, **fault: object) -> None:
        requests.post(f"{self.url}/api/faults", json=fault, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/api/faults", headers={"X-Hubsms-Sandbox": "1"}, timeout=10).raise_for_status()

    def stop(self) -> str:
        """Stop it; its whole output (stdout and stderr)."""
        self.process.terminate()
        try:
            out, err = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.output + out + err


class ArgvWatcher:
    """Reads /proc/*/cmdline every few milliseconds while it runs: the processes whose
    arguments held ``secret``, and how many distinct hubsms processes it saw."""

    def __init__(self, secret: str, interval: float = 0.003) -> None:
        self.secret = secret.encode()
        self.interval = interval
        self.leaks: set[tuple[int, str]] = set()
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ArgvWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _watch(self) -> None:
        own = os.getpid()
        while not self._stop.is_set():
            for entry in os.scandir("/proc"):
                if entry.name.isdigit() and int(entry.name) != own:
                    self._look(int(entry.name))
            self._stop.wait(self.interval)

    def _look(self, pid: int) -> None:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                argv = handle.read()
        except OSError:
            return
        if b"hubsms" in argv:
            self.seen.add(pid)
        if self.secret in argv:
            self.leaks.add((pid, argv.replace(b"\0", b" ").decode("utf-8", "replace")[:120]))
