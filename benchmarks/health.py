"""``hubsms connector test --all`` against ``hubsms connector test NAME`` one by one: a sweep of
20 connectors should take about as long as the slowest single check, not their sum.

The sandbox runs in a subprocess and delays every Twilio request by ``--delay`` seconds (its
``delay`` fault), so that each check (an account fetch and a number lookup) takes about twice
that, as over a real network. Each hubsms run is a fresh process. Measured:

  single   each of the 20 connectors with ``connector test NAME`` (wall time of the process)
  sweep    ``connector test --all`` (wall time), the same 20 connectors

Usage: python benchmarks/health.py [--connectors 20] [--delay 0.25] [--runs 3]
Target: the sweep's median at most 1.5x the slowest single check's, and under a quarter of
the singles' sum (exit 0 when met).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from _support import compile_package, hubsms_command, start_sandbox, stop, verdict

TOKEN = "fedcba9876543210fedcba9876543210"
REQUESTS_PER_CHECK = 2  # the account, then the From among the account's numbers


def write_config(path: Path, accounts_url: str, count: int) -> list[str]:
    """``count`` connectors of distinct (undeclared, so permissive) accounts; their names."""
    lines, names = ["schema_version = 1", ""], []
    for i in range(count):
        names.append(f"Connector {i:02d}")
        lines += [f'[connectors."{names[-1]}"]', 'provider = "twilio"', f'server_address = "{accounts_url}"',
                  f'account_sid = "AC{i + 1:032x}"', f'from = "+1415555{i:04d}"', "active = true", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return names


class Sandbox:
    """The sandbox's own API: delay the next requests, clear what is left."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["X-Hubsms-Sandbox"] = "1"

    def delay(self, seconds: float, count: int) -> None:
        self.http.delete(f"{self.url}/api/faults", timeout=5).raise_for_status()
        self.http.post(f"{self.url}/api/faults", json={"mode": "delay", "delay": seconds, "count": count},
                       timeout=5).raise_for_status()


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, dict]:
    """Wall seconds of one run, and its JSON (which must say every check passed)."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[-3:])} exited {done.returncode}: {done.stderr.strip()}")
    return seconds, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connectors", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds added to each Twilio request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    hubsms = hubsms_command()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HUBSMS_CONFIG": str(Path(tmp, "config", "connectors.toml")),
               "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
               "XDG_DATA_HOME": str(Path(tmp, "data")), "HUBSMS_AUTH_TOKEN": TOKEN}
        process, url = start_sandbox(hubsms, env)
        try:
            return measure(hubsms, env, Sandbox(url), write_config(
                Path(env["HUBSMS_CONFIG"]), f"{url}/2010-04-01/Accounts", args.connectors), args)
        finally:
            stop(process)


def measure(hubsms: list[str], env: dict[str, str], sandbox: Sandbox, names: list[str], args: argparse.Namespace) -> int:
    test = [*hubsms, "connector", "test"]
    singles, sweeps, sweep_inside, check_sums = [], [], [], []
    for _ in range(args.runs):
        for name in names:
            sandbox.delay(args.delay, REQUESTS_PER_CHECK)
            singles.append(timed([*test, name, "--json"], env)[0])
        sandbox.delay(args.delay, REQUESTS_PER_CHECK * len(names))
        seconds, report = timed([*test, "--all", "--json"], env)
        sweeps.append(seconds)
        sweep_inside.append(report["seconds"])
        check_sums.append(sum(row["seconds"] for row in report["connectors"]))
    single_sum = sum(singles) / args.runs
    slowest, sweep = max(singles), statistics.median(sweeps)
    print(f"{len(names)} connectors, each Twilio request delayed {args.delay:g} s, {args.runs} runs (fresh processes)")
    print(f"  single check, median / slowest:      {statistics.median(singles):6.2f} / {slowest:.2f} s")
    print(f"  singles one after another, sum:      {single_sum:6.2f} s")
    print(f"  --all, median wall time:             {sweep:6.2f} s")
    print(f"  --all, inside: the sweep / its checks' sum: {statistics.median(sweep_inside):.2f} / "
          f"{statistics.median(check_sums):.2f} s")
    met = sweep <= 1.5 * slowest and sweep < single_sum / 4
    print(f"target: --all <= 1.5x the slowest single ({1.5 * slowest:.2f} s) and < 1/4 of the sum "
          f"({single_sum / 4:.2f} s): {verdict(met)}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
