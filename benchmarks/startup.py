"""Start-up time of the hubsms command, as multiples of ``python -c pass`` in the same run.

Times (median of repeated runs, each a fresh process):
  hubsms --help
  hubsms connector list            (20 connectors, table)
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


def hubsms_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m hubsms``."""
    script = Path(sys.executable).with_name("hubsms")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubsms"]


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


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
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp, "20.toml"), Path(tmp, "1000.toml")
        write_config(small, 20)
        write_config(large, 1000)
        env = {**os.environ, "COLUMNS": "160"}
        env.pop("HUBSMS_CONFIG", None)
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("hubsms --help", [*hubsms, "--help"]),
            ("connector list (20, table)", [*hubsms, "connector", "list", "--config", str(small)]),
            ("connector list --json (20)", [*hubsms, "connector", "list", "--json", "--config", str(small)]),
            ("connector list --json (1000)", [*hubsms, "connector", "list", "--json", "--config", str(large)]),
        ]
        results = [(label, median_ms(argv, env, args.runs)) for label, argv in cases]
        heavy = imported_modules(cases[2][1], env) & {"requests", "keyring", "typer", "phonenumbers"}
    base = results[0][1]
    print(f"{'command':32} {'median ms':>10} {'x python -c pass':>17}")
    for label, ms in results:
        print(f"{label:32} {ms:10.1f} {ms / base:16.1f}x")
    ratio = results[2][1] / base
    print(f"\nconnector list imports: {', '.join(sorted(heavy)) or 'none of requests, keyring, typer, phonenumbers'}")
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"20-connector list: {ratio:.1f}x, {verdict} the target of {TARGET:g}x")
    return 0 if ratio <= TARGET and not heavy & {"requests", "keyring"} else 1


if __name__ == "__main__":
    sys.exit(main())
