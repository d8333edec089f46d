"""Start-up time of the hubsms command, as multiples of ``python -c pass`` in the same run.

Every case is timed in rounds interleaved with the floor (``python -c pass``, this
interpreter): each round runs the floor, then the case, for every case in turn, so that drift
in the machine's load weighs on a case and its floor alike. A case's ratio is its median over
the median of the floor runs paired with it. Each a fresh process:

  case                                   target
  hubsms --help                          <= 8x
  connector list (20, piped)             <= 8x   (a table, as a script sees it)
  connector list (20, terminal)          <= 8x   (in a pseudo-terminal, as a person sees it)
  connector list --json (20)             <= 8x
  connector list --json (1,000)          <= 12x
  connector list --json (20), PYTHONDONTWRITEBYTECODE=1   <= 8x   (as a first call after install)
and checks that ``connector list`` imports neither requests nor keyring, and that the install
left every module of hubsms byte-compiled (checked before this run compiles anything: with
PYTHONDONTWRITEBYTECODE=1 a module without its .pyc is compiled again on every call).

Usage: python benchmarks/startup.py [--runs N]     (exit 0 when every target is met)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _support import compile_package, hubsms_command, verdict

Runner = Callable[[], float]


def write_config(path: Path, count: int) -> None:
    lines = ["schema_version = 1", ""]
    for i in range(count):
        sid = f"AC{i:032x}"
        lines += [
            f'[connectors."Connector {i:04d}"]',
            'provider = "twilio"',
            'server_address = "https://api.twilio.com/2010-04-01/Accounts"',
            f'account_sid = "{sid}"',
            f'from = "+1415555{i % 10000:04d}"',
            f"active = {'true' if i % 3 else 'false'}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def piped(argv: list[str], env: dict[str, str]) -> Runner:
    """Seconds of one fresh run with stdout to /dev/null."""

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start

    return once


def in_terminal(argv: list[str], env: dict[str, str]) -> Runner:
    """Seconds of one fresh run with stdout a pseudo-terminal (rich's table), drained by a thread."""
    import pty
    import threading

    def once() -> float:
        leader, follower = pty.openpty()
        reader = threading.Thread(target=_drain, args=(leader,), daemon=True)
        reader.start()
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=follower, stderr=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        os.close(follower)
        reader.join(5)
        return elapsed

    return once


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def interleaved(floor: Runner, cases: dict[str, Runner], runs: int) -> dict[str, tuple[float, float]]:
    """Per case, (median ms, median ms of the floor runs paired with it). One unmeasured
    warm-up round first."""
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in cases}
    for round_number in range(runs + 1):
        for label, case in cases.items():
            paired_floor, case_time = floor(), case()
            if round_number:
                times[label][0].append(case_time)
                times[label][1].append(paired_floor)
    return {label: (statistics.median(c) * 1000, statistics.median(f) * 1000) for label, (c, f) in times.items()}


def imported_modules(argv: list[str], env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        argv, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True, check=True
    )
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


def stale_modules() -> tuple[int, list[str]]:
    """How many modules hubsms has, and those whose .pyc is missing or older than the source."""
    import importlib.util

    import hubsms

    folder = Path(hubsms.__file__).parent
    sources = sorted(folder.rglob("*.py"))
    stale = []
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        try:
            header = cached.read_bytes()[:16]
        except OSError:
            stale.append(str(source.relative_to(folder)))
            continue
        # the timestamp-checked .pyc: flags 0, then the source's mtime and size
        mtime, size = int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little")
        stat = source.stat()
        if mtime != int(stat.st_mtime) & 0xFFFFFFFF or size != stat.st_size & 0xFFFFFFFF:
            stale.append(str(source.relative_to(folder)))
    return len(sources), stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="measured rounds (default 21)")
    args = parser.parse_args()
    hubsms = hubsms_command()
    modules, stale = stale_modules()  # before compile_package: what the install left
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "20.toml"), Path(tmp, "1000.toml")
        write_config(small, 20)
        write_config(large, 1000)
        env = {**os.environ, "COLUMNS": "160"}
        env.pop("HUBSMS_CONFIG", None)
        list_small = [*hubsms, "connector", "list", "--config", str(small)]
        cases = {  # label: (runner, target)
            "hubsms --help": (piped([*hubsms, "--help"], env), 8.0),
            "connector list (20, piped)": (piped(list_small, env), 8.0),
            "connector list (20, terminal)": (in_terminal(list_small, env), 8.0),
            "connector list --json (20)": (piped([*list_small, "--json"], env), 8.0),
            "connector list --json (1000)": (
                piped([*hubsms, "connector", "list", "--json", "--config", str(large)], env), 12.0),
            "list --json (20), no .pyc writes": (
                piped([*list_small, "--json"], {**env, "PYTHONDONTWRITEBYTECODE": "1"}), 8.0),
        }
        floor = piped([sys.executable, "-c", "pass"], env)
        print(f"{args.runs} rounds, each: python -c pass then a case, for every case in turn "
              f"(load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)\n")
        results = interleaved(floor, {label: runner for label, (runner, _) in cases.items()}, args.runs)
        heavy = imported_modules(list_small, env) & {"requests", "keyring", "typer", "phonenumbers"}
    print(f"{'command':32} {'median ms':>10} {'floor ms':>9} {'ratio':>7} {'target':>7}  verdict")
    ok = True
    for label, (ms, floor_ms) in results.items():
        ratio, target = ms / floor_ms, cases[label][1]
        ok = ratio <= target and ok
        print(f"{label:32} {ms:10.1f} {floor_ms:9.1f} {ratio:6.2f}x {target:6g}x  {verdict(ratio <= target)}")
    clean = not heavy & {"requests", "keyring"}
    ok = ok and clean
    compiled = not stale
    ok = ok and compiled
    print(f"byte-compiled by the install: {modules - len(stale)} of {modules} modules"
          f"{' (not: ' + ', '.join(stale[:5]) + (' ...' if len(stale) > 5 else '') + ')' if stale else ''}"
          f"  goal all  {verdict(compiled)}")
    print(f"\nconnector list imports: {', '.join(sorted(heavy)) or 'none of requests, keyring, typer, phonenumbers'}"
          f"  {verdict(clean)} (neither requests nor keyring)")
    print(f"\nstartup: {'PASS: every target met' if ok else 'FAIL: a target missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
