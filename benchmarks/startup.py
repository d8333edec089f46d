"""Start-up time of the hubsms command, as multiples of ``python -c pass`` in the same run.

Times (median of repeated runs, each a fresh process):
  hubsms --help
  hubsms connector list            (20 connectors, table: piped, as a script sees it,
                                    and in a pseudo-terminal, as a person sees it)
  hubsms connector list --json     (20 connectors)
  hubsms connector list --json     (1,000 connectors)
and checks that ``connector list`` imports neither requests nor keyring.

Usage: python benchmarks/startup.py [--runs N]
Target: the 20-connector list at most 8x ``python -c pass``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import compile_package, hubsms_command, median_ms

TARGET = 8.0


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


def median_ms_in_terminal(argv: list[str], env: dict[str, str], runs: int) -> float:
    """Like median_ms, with stdout a pseudo-terminal (rich's table), drained by a thread."""
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

    once()
    return statistics.median(once() for _ in range(runs)) * 1000


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def imported_modules(argv: list[str], env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        argv, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True, check=True
    )
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    hubsms = hubsms_command()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "20.toml"), Path(tmp, "1000.toml")
        write_config(small, 20)
        write_config(large, 1000)
        env = {**os.environ, "COLUMNS": "160"}
        env.pop("HUBSMS_CONFIG", None)
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("hubsms --help", [*hubsms, "--help"]),
            ("connector list (20, piped)", [*hubsms, "connector", "list", "--config", str(small)]),
            ("connector list --json (20)", [*hubsms, "connector", "list", "--json", "--config", str(small)]),
            ("connector list --json (1000)", [*hubsms, "connector", "list", "--json", "--config", str(large)]),
        ]
        results = [(label, median_ms(argv, env, args.runs)) for label, argv in cases]
        results.insert(3, ("connector list (20, terminal)", median_ms_in_terminal(cases[2][1], env, args.runs)))
        heavy = imported_modules(cases[2][1], env) & {"requests", "keyring", "typer", "phonenumbers"}
    base = results[0][1]
    print(f"{'command':32} {'median ms':>10} {'x python -c pass':>17}")
    for label, ms in results:
        print(f"{label:32} {ms:10.1f} {ms / base:16.1f}x")
    print(f"\nconnector list imports: {', '.join(sorted(heavy)) or 'none of requests, keyring, typer, phonenumbers'}")
    ok = not heavy & {"requests", "keyring"}
    for label, ms in results[2:5]:
        ratio = ms / base
        ok = ok and ratio <= TARGET
        print(f"{label}: {ratio:.1f}x, {'meets' if ratio <= TARGET else 'misses'} the target of {TARGET:g}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
