"""The fleet path: ``hubsms apply`` of a file the config already matches (what a
config-management tool runs every half hour on every host), beside ``connector list --json``
of the same config, each a fresh process, in interleaved rounds (list, then apply).

The world: N connectors (an account for every ten; each connector its own From), the config
as a first apply left it (connectors without auth_token_env, tokens in the keyring), the
desired file naming each account's variable, every variable set to the stored token, and
hubsms's file keyring holding the tokens (written in one go, as many applies would leave it).
Every apply must say "nothing to do" and leave the config's bytes and time as they were.

  case                                          goal
  no-change apply / list --json at 30,000       <= 3x   (median of each round's ratio; worst shown)
  apply's growth from 3,000 to 30,000           <= 1.25x list's growth (linear as list is)

Usage: python benchmarks/fleet.py [--runs N] [--size N]   (exit 0 when every goal is met)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _support import compile_package, hubsms_command, isolated_env, paired_runs, ratio_stats, sid, verdict

RATIO_GOAL = 3.0
LINEAR_GOAL = 1.25  # apply's growth over list's, from a tenth of the size to the size
BACKEND = "hubsms.keyring_file.AtomicPlaintextKeyring"


def token(account: int) -> str:
    return f"{account:032x}"[::-1]


def build(folder: Path, size: int) -> dict[str, str]:
    """The config, the desired file and the keyring of ``size`` connectors in ``folder``;
    the environment of a hubsms process there."""
    accounts = max(1, size // 10)
    config, desired = ["schema_version = 1", ""], ["schema_version = 1", ""]
    for i in range(size):
        account = i % accounts
        table = [f'[connectors."Connector {i:05d}"]', 'provider = "twilio"',
                 'server_address = "https://api.twilio.com/2010-04-01/Accounts"',
                 f'account_sid = "{sid(account)}"', f'from = "+1650{2_000_000 + i:07d}"', "active = true"]
        config += [*table, ""]
        desired += [*table, f'auth_token_env = "FLEET_TOKEN_{account}"', ""]
    folder.mkdir(parents=True)
    (folder / "desired.toml").write_text("\n".join(desired), encoding="utf-8")
    env = isolated_env(folder, BACKEND, drop=("FLEET_TOKEN_",))
    env.update({f"FLEET_TOKEN_{a}": token(a) for a in range(accounts)})
    done = subprocess.run([sys.executable, "-c", _KEYRING_FILL, str(accounts)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"writing the keyring failed: {done.stderr.strip()[-400:]}")
    # the config as a first apply leaves it: saved by hubsms from the file's own fields
    (folder / "seed.toml").write_text("\n".join(config), encoding="utf-8")
    saved = subprocess.run([sys.executable, "-c", _SAVE, str(folder / "seed.toml"), env["HUBSMS_CONFIG"]],
                           env=env, capture_output=True, text=True)
    if saved.returncode != 0:
        raise SystemExit(f"writing the config failed: {saved.stderr.strip()[-400:]}")
    return env


# Every token in one write of the backend's file, in the backend's own encoding.
_KEYRING_FILL = """
import sys
from hubsms.keyring_file import AtomicPlaintextKeyring
from keyrings.alt.escape import escape

class Collect(AtomicPlaintextKeyring):
    entries = {}
    def _write_config_value(self, service, key, value):
        self.entries[(escape(service), escape(key))] = value

kr = Collect()
for account in range(int(sys.argv[1])):
    kr.set_password("hubsms", f"AC{account:032x}", f"{account:032x}"[::-1])

def put(config):
    for (section, option), value in Collect.entries.items():
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, option, value)

kr._update(put)
"""

_SAVE = """
import sys
from pathlib import Path
from hubsms import store
store.save(Path(sys.argv[2]), store.load(Path(sys.argv[1])))
"""


def rounds(folder: Path, env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """(list seconds, apply seconds) of ``runs`` interleaved rounds after one unmeasured round;
    the config untouched by every apply."""
    hubsms = hubsms_command()
    config = Path(env["HUBSMS_CONFIG"])
    before = (config.read_bytes(), config.stat().st_mtime_ns)
    listing = [*hubsms, "connector", "list", "--json"]
    apply = [*hubsms, "apply", str(folder / "desired.toml")]
    lists, applies = paired_runs((listing, env), (apply, env), runs, expect=('"name"', "nothing to do"))
    if (config.read_bytes(), config.stat().st_mtime_ns) != before:
        raise SystemExit("a no-change apply rewrote the config")
    return lists, applies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--size", type=int, default=30_000, help="connectors (default 30000)")
    args = parser.parse_args()
    compile_package()
    small = max(1, args.size // 10)
    print(f"no-change apply beside connector list --json, {args.runs} interleaved rounds of fresh processes "
          f"(load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for size in (small, args.size):
            folder = Path(tmp, str(size))
            results[size] = rounds(folder, build(folder, size), args.runs)
    ok = True
    for size, (lists, applies) in results.items():
        median, _, worst = ratio_stats(applies, lists)
        line_ok = median <= RATIO_GOAL
        if size == args.size:
            ok = ok and line_ok
        print(f"apply / list at {size:>6,}: median {median:.2f}x (worst {worst:.2f}x; "
              f"apply {statistics.median(applies):.2f} s, list {statistics.median(lists):.2f} s)  "
              f"goal <= {RATIO_GOAL:g}x  {verdict(line_ok) if size == args.size else '(for the linear check)'}")
    growth = {k: statistics.median(results[args.size][k]) / statistics.median(results[small][k]) for k in (0, 1)}
    linear = growth[1] / growth[0] <= LINEAR_GOAL
    print(f"growth from {small:,} to {args.size:,} connectors: apply {growth[1]:.1f}x, list {growth[0]:.1f}x "
          f"(apply/list {growth[1] / growth[0]:.2f})  goal <= {LINEAR_GOAL:g}  {verdict(linear)}")
    ok = ok and linear
    print(f"\nfleet: {'PASS: every goal met' if ok else 'FAIL: a goal missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
