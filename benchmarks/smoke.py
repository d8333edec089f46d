"""The CI smoke test, timed: start the sandbox (status delay 0) -> ``connector add`` ->
``otp send --wait`` -> read the code back with ``sandbox otp`` -> stop the sandbox, each a
fresh process, with hubsms's file keyring in a temp dir. Rounds are interleaved with
``python -c pass`` (this interpreter), so that the machine's load shows beside the figure.

Printed: the median wall time of the whole smoke and its range, each step's median, and the
CPU seconds of all its processes (which the machine's load changes far less than wall time).

Goal: the smoke's median <= 0.8 s (a quiet machine; on a loaded one compare the CPU time).

Usage: python benchmarks/smoke.py [--runs N]   (exit 0 when the goal is met)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import compile_package, hubsms_command, isolated_env, start_sandbox, stop, verdict

GOAL_SECONDS = 0.8
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "fedcba9876543210fedcba9876543210"
TO = "+14155552671"
STEPS = ("serve", "add", "send", "otp", "stop")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def smoke(hubsms: list[str], folder: Path) -> tuple[dict[str, float], float]:
    """One smoke in ``folder``: seconds per step, and the CPU seconds of its processes."""
    env = isolated_env(folder, "hubsms.keyring_file.AtomicPlaintextKeyring")
    marks, cpu = [time.perf_counter()], children_cpu()

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([*hubsms, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args[:2])} exited {done.returncode}: {done.stderr.strip()[-300:]}")
        marks.append(time.perf_counter())
        return done.stdout

    server, url = start_sandbox(hubsms, env)
    try:
        marks.append(time.perf_counter())
        run("connector", "add", "Smoke", "--account-sid", SID, "--from", "+15005550006",
            "--server-address", f"{url}/2010-04-01/Accounts", "--auth-token-stdin", stdin=TOKEN + "\n")
        sent = json.loads(run("otp", "send", "--to", TO, "--connector", "Smoke", "--wait", "--json"))
        code = run("sandbox", "otp", "--to", TO, "--url", url, "--wait", "10").strip()
    finally:
        stop(server)
    marks.append(time.perf_counter())
    if sent.get("status") != "delivered" or sent.get("code") != code:
        raise SystemExit(f"the smoke went wrong: sent {sent}, read back {code!r}")
    return {step: marks[i + 1] - marks[i] for i, step in enumerate(STEPS)}, children_cpu() - cpu


def floor_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured rounds (default 7)")
    args = parser.parse_args()
    hubsms = hubsms_command()
    compile_package()
    steps: dict[str, list[float]] = {step: [] for step in STEPS}
    totals, cpus, floors = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.runs + 1):  # the first round unmeasured
            floor = floor_seconds()
            times, cpu = smoke(hubsms, Path(tmp, str(number)))
            if number:
                floors.append(floor)
                cpus.append(cpu)
                totals.append(sum(times.values()))
                for step, seconds in times.items():
                    steps[step].append(seconds)
    median = statistics.median(totals)
    print(f"smoke: {args.runs} rounds, each python -c pass then the smoke "
          f"(load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
    print("  steps (median s): " + ", ".join(f"{step} {statistics.median(v):.3f}" for step, v in steps.items()))
    print(f"  CPU of its processes: median {statistics.median(cpus):.3f} s; python -c pass: "
          f"{statistics.median(floors) * 1000:.1f} ms ({median / statistics.median(floors):.0f}x it)")
    met = median <= GOAL_SECONDS
    print(f"smoke (sandbox, add, otp send --wait, sandbox otp, stop): median {median:.2f} s "
          f"(range {min(totals):.2f}-{max(totals):.2f})  goal <= {GOAL_SECONDS:g} s  {verdict(met)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
