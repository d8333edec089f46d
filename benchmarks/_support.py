"""What the benchmarks share: the hubsms command beside this interpreter, byte-compiled as
an install leaves it, and timing of fresh processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


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


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Median wall time of ``runs`` fresh runs, after one unmeasured run."""
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def start_sandbox(hubsms: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """`hubsms sandbox serve` on a free port, at status delay 0: the process and its URL."""
    process = subprocess.Popen(
        [*hubsms, "sandbox", "serve", "--port", "0", "--status-delay", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.startswith("listening on "):
        process.kill()
        raise SystemExit(f"the sandbox did not start: {first!r}")
    return process, first.removeprefix("listening on ")


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it has not ended 10 s later."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
