"""Shared values and helpers of the connector registry tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from filelock import FileLock

from hubsms.paths import keyring_lock_path

REPO = Path(__file__).resolve().parent.parent
HUBSMS = REPO / ".venv" / "bin" / "hubsms"
TESTS = Path(__file__).resolve().parent

SID = "AC0123456789abcdef0123456789abcdef"
SID2 = "ACfedcba9876543210fedcba9876543210"
TOKEN = "9b1f2c3d4e5f60718293a4b5c6d7e8f9"
TOKEN2 = "00112233445566778899aabbccddeeff"
FROM = "+15005550006"  # Twilio's test number "valid", which phonenumbers also finds valid
# The headers of 1x1 images, complete up to their width and height (what hubsms checks).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(4)
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + bytes(16)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(9) + b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"


def sid(n: int) -> str:
    """The n-th distinct Account SID."""
    return "AC" + f"{n:032x}"


def token(n: int) -> str:
    """The n-th distinct auth token."""
    return f"{n + 0xABC:032x}"


def add(
    cli: Any, name: str, *extra: str, account_sid: str = SID, from_: str = FROM, tok: str | None = TOKEN,
    env: dict[str, str] | None = None, server: str | None = None,
) -> Any:
    """``hubsms connector add`` with the token on stdin (unless ``tok`` is None), at the Twilio
    API address ``server`` if given."""
    address = ["--server-address", server] if server else []
    args = ["connector", "add", name, "--account-sid", account_sid, "--from", from_, *address, *extra]
    if tok is None:
        return cli(*args, env=env)
    return cli(*args, "--auth-token-stdin", input=tok + "\n", env=env)


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hold_config_lock(config: Path) -> subprocess.Popen[str]:
    """Another process holding the lock of ``config`` until it is killed (the kernel releases
    the lock of a dead process); returns once the lock is held."""
    code = f"from pathlib import Path\nfrom hubsms import store\nwith store.locked(Path({str(config)!r})):\n    print('held', flush=True)\n    input()"
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def holding_keyring_lock() -> FileLock:
    """The keyring's per-user lock, held for a ``with`` block as another hubsms writing a token
    holds it: hubsms, in this process or another, waits for it (a flock of its own open file)."""
    return FileLock(str(keyring_lock_path()))


def added(cli: Any, name: str, *extra: str, **options: Any) -> Any:
    """``add`` (same arguments) that must succeed."""
    result = add(cli, name, *extra, **options)
    assert result.exit_code == 0, result.output
    return result


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def assert_user_error(result: Any, code: int, *fragments: str) -> None:
    """Exit ``code``, one ``error:`` line and one ``hint:`` line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: "), result.stderr
    assert len(lines) == 2 and lines[1].startswith("hint: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if result.stdout:  # --json: the same error as one JSON object
        error = json.loads(result.stdout)["error"]
        assert error["exit_code"] == code and "error: " + error["message"] == lines[0], result.stdout
        assert "hint: " + error["hint"] == lines[1], result.stdout
    for fragment in fragments:
        assert fragment in lines[0], (fragment, result.stderr)


def everything_under(folder: Path) -> bytes:
    """Every file's bytes under ``folder`` (names included), for 'the token is nowhere' checks."""
    chunks = []
    for path in sorted(folder.rglob("*")):
        chunks.append(str(path).encode())
        if path.is_file():
            chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def subprocess_env(**changes: str) -> dict[str, str]:
    """The test's environment (its config and keyring) with ``tests/`` importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH")]))
    env.update(changes)
    return env


def run_hubsms(*args: str, input: str | None = None, timeout: float = 20, **env: str) -> subprocess.CompletedProcess[str]:
    """``.venv/bin/hubsms ARGS`` in a subprocess (the console entry point, fast path included)."""
    return subprocess.run(
        [str(HUBSMS), *args], input=input, capture_output=True, text=True, timeout=timeout, env=subprocess_env(**env)
    )


def run_module(*args: str, input: str | None = None, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m hubsms ARGS`` in a subprocess (this interpreter, the test's environment with ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "hubsms", *args], input=input, capture_output=True, text=True, timeout=timeout,
        env=subprocess_env(**env),
    )
