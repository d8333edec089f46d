"""Wall time of ``hubsms otp send`` against the sandbox, beside a minimal Python script that
makes the same POST with plain requests, measured in the same run (each a fresh process).

Two cases, the plain script getting the token where hubsms gets it:
  env      the token in HUBSMS_AUTH_TOKEN (a CI job);
  keyring  the token in the keyring (a file backend here), read with keyring.get_password.

Usage: python benchmarks/send.py [--runs N]
Target: hubsms at most 1.3x the plain script.
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

TARGET = 1.3
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


def start_sandbox(hubsms: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
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


def paired_medians(first: tuple[list[str], dict[str, str]], second: tuple[list[str], dict[str, str]],
                   runs: int) -> tuple[float, float]:
    """Median ms of two commands run alternately, so that drift in the machine's speed
    weighs on both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for argv, env in (first, second):
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for (argv, env), bucket in zip((first, second), times):
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


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
            print(f"{'token from':12} {'plain script ms':>16} {'hubsms ms':>10} {'ratio':>7}")
            ok = True
            for case, extra in cases.items():
                plain_ms, hubsms_ms = paired_medians((plain, {**plain_env, **extra}), (send, {**env, **extra}), args.runs)
                ratio = hubsms_ms / plain_ms
                ok = ok and ratio <= TARGET
                print(f"{case:12} {plain_ms:16.1f} {hubsms_ms:10.1f} {ratio:6.2f}x")
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
    print(f"\ntarget: at most {TARGET:g}x: {'met' if ok else 'missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
