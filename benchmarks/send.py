"""Wall time of ``hubsms otp send`` against the sandbox, beside a minimal Python script that
makes the same POST with plain requests, measured in the same run (each a fresh process).

Two cases, the plain script getting the token where hubsms gets it:
  env      the token in HUBSMS_AUTH_TOKEN (a CI job);
  keyring  the token in the keyring (a file backend here), read with keyring.get_password.

Each round runs the plain script, then hubsms: a round's ratio is hubsms over the script.
Goals per case: the median ratio <= 1.2x, and the worst round's <= 1.3x.

hubsms's console script leaves without the interpreter's final garbage collections
(``hubsms.cli.main.run``), which the plain script pays (about 17 ms after importing requests):
a third line, without a goal, puts hubsms beside the plain script ending the same way, so that
what hubsms's own imports and work cost is in view too.

Usage: python benchmarks/send.py [--runs N]   (exit 0 when every goal is met)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _support import compile_package, hubsms_command, median_ms, paired_runs, ratio_stats, start_sandbox, stop, verdict

MEDIAN_GOAL, WORST_GOAL = 1.2, 1.3
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "fedcba9876543210fedcba9876543210"

PLAIN_SCRIPT = """
import os, secrets, sys
import requests
url = os.environ["BENCH_URL"]
sid = os.environ["BENCH_SID"]
if "HUBSMS_AUTH_TOKEN" in os.environ:
    token = os.environ["HUBSMS_AUTH_TOKEN"]
else:
    import keyring
    token = keyring.get_password("hubsms", sid)
code = f"{secrets.randbelow(10**6):06d}"
answer = requests.post(
    url,
    data={"To": "+14155552671", "From": "+15005550006", "Body": f"Your SigningHub verification code is {code}."},
    auth=(sid, token),
    timeout=(5, 15),
)
answer.raise_for_status()
print(answer.json()["sid"])
"""
FROZEN_EXIT = "import gc\ngc.freeze()\n"  # as hubsms.cli.main.run leaves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    hubsms = hubsms_command()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "HUBSMS_CONFIG": str(Path(tmp, "connectors.toml")),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(Path(tmp, "data")),
        }
        sandbox, url = start_sandbox(hubsms, env)
        try:
            accounts = f"{url}/2010-04-01/Accounts"
            subprocess.run(
                [*hubsms, "connector", "add", "Bench", "--account-sid", SID, "--from", "+15005550006",
                 "--server-address", accounts, "--auth-token-stdin"],
                env=env, input=TOKEN + "\n", text=True, check=True, capture_output=True,
            )
            plain = [sys.executable, "-c", PLAIN_SCRIPT]
            send = [*hubsms, "otp", "send", "--to", "+14155552671", "--connector", "Bench", "--json"]
            plain_env = {**env, "BENCH_URL": f"{accounts}/{SID}/Messages.json", "BENCH_SID": SID}
            cases = {"env": {"HUBSMS_AUTH_TOKEN": TOKEN}, "keyring": {}}
            print(f"python -c pass: {median_ms([sys.executable, '-c', 'pass'], env, args.runs):.1f} ms\n")
            ok = True
            for case, extra in cases.items():
                plains, sends = paired_runs((plain, {**plain_env, **extra}), (send, {**env, **extra}), args.runs)
                median, low, worst = ratio_stats(sends, plains)
                met = median <= MEDIAN_GOAL and worst <= WORST_GOAL
                ok = ok and met
                print(f"otp send / plain script, token from {case:8} median {median:.2f}x (range {low:.2f}-"
                      f"{worst:.2f}; {statistics.median(sends) * 1000:.0f} / {statistics.median(plains) * 1000:.0f} ms)  "
                      f"goal median <= {MEDIAN_GOAL:g}x, worst <= {WORST_GOAL:g}x  {verdict(met)}")
            frozen = [sys.executable, "-c", PLAIN_SCRIPT + FROZEN_EXIT]
            extra = cases["env"]
            plains, sends = paired_runs((frozen, {**plain_env, **extra}), (send, {**env, **extra}), args.runs)
            median, low, high = ratio_stats(sends, plains)
            print(f"otp send / the plain script leaving as hubsms does, token from env  median "
                  f"{median:.2f}x (range {low:.2f}-{high:.2f}; "
                  f"{statistics.median(sends) * 1000:.0f} / {statistics.median(plains) * 1000:.0f} ms)  no goal")
        finally:
            stop(sandbox)
    print(f"\nsend: {'PASS: every goal met' if ok else 'FAIL: a goal missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
