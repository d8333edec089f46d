"""What the benchmarks share: the hubsms command beside this interpreter, byte-compiled as
an install leaves it, in an isolated environment; timing of fresh processes, alone or in
pairs; the sandbox started and stopped, and the create-message request it is sent."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
FORM = b"To=%2B15551234567&From=%2B15005550006&Body=Your+code+is+123456"
BASIC = "QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp4"  # ACCOUNT_SID:x
SANDBOX_SERVE = ("sandbox", "serve", "--port", "0", "--status-delay", "0")

Command = tuple[list[str], dict[str, str]]  # (arguments, environment)


def compile_package() -> None:
    """Byte-compile hubsms as an install does, so no run pays for compiling (this matters
    where PYTHONDONTWRITEBYTECODE is set)."""
    import hubsms

    folder = Path(hubsms.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)


def hubsms_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m hubsms``."""
    script = Path(sys.executable).with_name("hubsms")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubsms"]


def sid(i: int, salt: int = 0) -> str:
    """An Account SID, distinct for each (i, salt); ``sid(i)`` is ``AC`` and i in 32 hex digits."""
    return f"AC{salt:08x}{i:024x}"


def isolated_env(folder: Path, backend: str, config: Path | None = None,
                 drop: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment without the variables named HUBSMS_* (or starting with one of
    ``drop``), for a hubsms whose config is ``config`` (default ``folder/connectors.toml``),
    whose data folder is ``folder/data`` and whose keyring is ``backend``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSMS_", *drop))}
    env.update({"HUBSMS_CONFIG": str(config or folder / "connectors.toml"), "XDG_DATA_HOME": str(folder / "data"),
                "PYTHON_KEYRING_BACKEND": backend})
    return env


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of ``runs`` fresh runs, after one unmeasured run."""
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def timed_run(argv: list[str], env: dict[str, str], expect: str = "", timeout: float = 600) -> float:
    """Seconds of one fresh run of ``argv``, which must exit 0 and say ``expect`` (on stdout
    or stderr), or the benchmark stops."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or expect not in done.stdout + done.stderr:
        raise SystemExit(f"{' '.join(argv[-3:])} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


def paired_runs(first: Command, second: Command, runs: int, expect: tuple[str, str] = ("", "")) -> tuple[list[float], list[float]]:
    """Seconds of each run of two commands run alternately (first, second, first, ...), so
    that drift in the machine's speed weighs on both alike, after one unmeasured round;
    ``expect``: what each must say (see ``timed_run``)."""
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(runs + 1):
        for (argv, env), said, bucket in zip((first, second), expect, times):
            seconds = timed_run(argv, env, said)
            if number:
                bucket.append(seconds)
    return times


def ratio_stats(tops: list[float], bottoms: list[float]) -> tuple[float, float, float]:
    """The median, lowest and highest of each pair's ratio ``top / bottom``."""
    ratios = [top / bottom for top, bottom in zip(tops, bottoms, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def listening_url(process: subprocess.Popen[str], name: str = "the sandbox") -> str:
    """The URL of ``process``'s first line of output, ``listening on URL``; when that line
    says anything else, the process is killed and the benchmark stops (with its stderr when
    that is a pipe)."""
    first = process.stdout.readline().strip() if process.stdout else ""
    if not first.startswith("listening on "):
        process.kill()
        said = process.stderr.read() if process.stderr else ""
        raise SystemExit(f"{name} did not start: {first!r}" + (f" {said}" if said else ""))
    return first.removeprefix("listening on ")


def start_sandbox(hubsms: list[str], env: dict[str, str] | None = None,
                  stderr: int = subprocess.DEVNULL) -> tuple[subprocess.Popen[str], str]:
    """`hubsms sandbox serve` on a free port, at status delay 0: the process and its URL
    (``env``: default this process's environment)."""
    process = subprocess.Popen([*hubsms, *SANDBOX_SERVE], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    return process, listening_url(process)


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it has not ended 10 s later."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_bytes(port: int, close: bool = False) -> bytes:
    """The create-message POST as bytes (``close``: the connection closes after its answer)."""
    head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Basic {BASIC}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
            f"User-Agent: hubsms-bench\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}"
            f"Content-Length: {len(FORM)}\r\n\r\n")
    return head.encode() + FORM
