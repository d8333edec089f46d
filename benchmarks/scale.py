"""How hubsms scales with the size of its config: 10, 100, 1,000 and 10,000 connectors, each
without plans and with as many service plans (plan i uses connector i; the default SMS
connector set), timing fresh processes of

  hubsms connector list --json
  hubsms connector add NAME ...   (one more connector, its token on stdin into a keyrings.alt
                                   file keyring in the temp dir; the file restored between runs)

each run a list then an add; at 100 connectors also a plain script that stores the same
token with keyring and reads it back, as add does (``python -c`` of this interpreter: the
keyring's own start-up and write, which add cannot do without). The configs are written
directly as TOML (each connector names ``auth_token_env``, so setting them up writes no
keyring). Goals, each on its own line:

  add / the plain keyring script at 100       <= 1.5x (median of each run's ratio)
  list --json at 10,000 + 10,000 plans        <= 0.8 s
  add at 10,000 + 10,000 plans                <= 1.0 s

and, beside the first, add / list --json and the plain script / list --json at 100: no goal.
Importing keyring alone takes about twice as long as listing 100 connectors (keyring.backend
imports jaraco.context, which imports urllib.request and tarfile, and importlib_metadata), so
add <= 2x list, the goal this replaced, cannot be met by any add that stores a token.

Usage: python benchmarks/scale.py [--runs N] [--max CONNECTORS]   (exit 0 when the target is met)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _support import compile_package, hubsms_command, ratio_stats, verdict

SIZES = (10, 100, 1_000, 10_000)
TARGET_SIZE = 10_000
GOAL_SECONDS = {"list": 0.8, "add": 1.0}  # at TARGET_SIZE + as many plans
RATIO_SIZE, RATIO_GOAL = 100, 1.5  # add / the plain keyring script, without plans
COMMAND_TIMEOUT = 300.0
NEW_SID = "AC" + "f" * 32
TOKEN = "0123456789abcdef0123456789abcdef"
PLAIN_KEYRING = f"""
import sys
import keyring
token = sys.stdin.readline().strip()
keyring.set_password("hubsms", "{NEW_SID}", token)
assert keyring.get_password("hubsms", "{NEW_SID}") == token
"""


def config_text(connectors: int, plans: bool) -> str:
    """A valid config of ``connectors`` connectors, and as many plans when ``plans``."""
    lines = ["schema_version = 1", ""]
    if plans:
        lines += ["[settings]", 'default_sms_connector = "Connector 00000"', ""]
        for i in range(connectors):
            lines += [f'[plans."Plan {i:05d}"]', f'sms_connector = "Connector {i:05d}"', ""]
    for i in range(connectors):
        lines += [
            f'[connectors."Connector {i:05d}"]',
            'provider = "twilio"',
            'server_address = "https://api.twilio.com/2010-04-01/Accounts"',
            f'account_sid = "AC{i:032x}"',
            f'from = "+1415{i % 10_000_000:07d}"',
            "active = true",
            f'auth_token_env = "TOKEN_{i % 100}"',
            "",
        ]
    return "\n".join(lines)


def timed(argv: list[str], env: dict[str, str], stdin: str | None = None,
          check: Callable[[str], bool] = lambda out: True) -> float | None:
    """Seconds of one fresh run; None when it failed, took over COMMAND_TIMEOUT or its
    output fails ``check``."""
    start = time.perf_counter()
    try:
        done = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True, timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"  ! {argv[1:4]} took over {COMMAND_TIMEOUT:g} s")
        return None
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or not check(done.stdout):
        print(f"  ! {argv[1:4]} exited {done.returncode}: {done.stderr.strip()[:300] or 'unexpected output'}")
        return None
    return elapsed


def measure(hubsms: list[str], folder: Path, size: int, text: str, runs: int, plain: bool = False) -> dict[str, list[float | None]]:
    """Seconds of each run of list --json and of add, on the config ``text`` of ``size`` connectors,
    and with ``plain`` of the plain keyring script; each run checked: the list has every
    connector, the add saved the new one."""
    pristine, config = folder / "pristine.toml", folder / "connectors.toml"
    pristine.write_text(text, encoding="utf-8")
    env = {**os.environ, "HUBSMS_CONFIG": str(config), "XDG_DATA_HOME": str(folder / "data"),
           "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
    env.pop("HUBSMS_AUTH_TOKEN", None)
    add = [*hubsms, "connector", "add", "Added One", "--no-input", "--account-sid", NEW_SID,
           "--from", "+14155550100", "--auth-token-stdin", "--replace-token"]
    results: dict[str, list[float | None]] = {"list": [], "add": []}
    for _ in range(runs):
        shutil.copyfile(pristine, config)
        results["list"].append(timed([*hubsms, "connector", "list", "--json"], env,
                                     check=lambda out: len(json.loads(out)) == size))
        seconds = timed(add, env, TOKEN + "\n")
        saved = '[connectors."Added One"]' in config.read_text(encoding="utf-8")
        results["add"].append(seconds if saved else None)
        if plain:
            results.setdefault("plain", []).append(timed([sys.executable, "-c", PLAIN_KEYRING], env, TOKEN + "\n"))
    return results


def median(runs: list[float | None]) -> float | None:
    return None if None in runs else statistics.median(runs)  # type: ignore[type-var]


def _ratio(top: list[float | None], bottom: list[float | None]) -> float:
    """The median of each run's ratio (every run succeeded)."""
    return ratio_stats(top, bottom)[0]  # type: ignore[arg-type]


def cell(seconds: float | None) -> str:
    return "failed" if seconds is None else f"{seconds:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per command and size (default 3; median)")
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest size to run (default 10000)")
    args = parser.parse_args()
    hubsms = hubsms_command()
    compile_package()
    sizes = [n for n in SIZES if n <= args.max]
    print(f"median seconds of {args.runs} fresh runs (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)\n")
    print(f"{'connectors':>10} {'plans':>6} {'list --json s':>14} {'add s':>8}  verdict")
    lines: list[tuple[str, bool]] = []
    beside: list[str] = []  # figures shown without a goal
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            for plans in (False, True):
                folder = Path(tmp, f"{size}-{plans}")
                folder.mkdir()
                runs = measure(hubsms, folder, size, config_text(size, plans), args.runs,
                               plain=size == RATIO_SIZE and not plans)
                result = {k: median(v) for k, v in runs.items()}
                mark = ""
                if None in result.values():
                    ok, mark = False, "FAIL (a command failed)"
                elif size == RATIO_SIZE and not plans:
                    ratio = _ratio(runs["add"], runs["plain"])
                    lines.append((f"add / a plain script storing the token with keyring at {size:,}: median {ratio:.2f}x  "
                                  f"goal <= {RATIO_GOAL:g}x", ratio <= RATIO_GOAL))
                    beside.append(f"add / list --json at {size:,}: median {_ratio(runs['add'], runs['list']):.2f}x; the plain "
                                  f"keyring script / list --json {_ratio(runs['plain'], runs['list']):.2f}x  (no goal)")
                elif size == TARGET_SIZE and plans:
                    for command, goal in GOAL_SECONDS.items():
                        seconds = result[command]
                        assert seconds is not None
                        lines.append((f"{command} at {size:,} + {size:,} plans: median {seconds:.3f} s  goal <= {goal:g} s",
                                      seconds <= goal))
                print(f"{size:>10} {size if plans else 0:>6} {cell(result['list']):>14} {cell(result['add']):>8}  {mark}",
                      flush=True)
    print()
    for text in beside:
        print(text)
    for text, met in lines:
        print(f"{text}  {verdict(met)}")
        ok = ok and met
    print(f"\nscale: {'PASS: every goal met' if ok else 'FAIL: a goal missed'}"
          + ("" if args.max >= TARGET_SIZE else f" (the {TARGET_SIZE:,} goals were not run: --max {args.max})"))
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
