"""Wall time of ``hubsms otp send`` against the sandbox, beside a minimal Python script that
makes the same POST with plain requests, measured in the same run (each a fresh process).

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

TARGET = 1.3
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "fedcba9876543210fedcba9876543210"

PLAIN_SCRIPT = """
import os, secrets, sys
import requests
url = os.environ["BENCH_URL"]
code = f"{secrets.randbelow(10**6):06d}"
answer = requests.post(
    url,
    data={"To": "+15005550006", "From": "+15005550006", "Body": f"Your SigningHub verification code is {code}."},
    auth=(os.environ["BENCH_SID"], os.environ["BENCH_TOKEN"]),
    timeout=(5, 15),
)
answer.raise_for_status()
print(answer.json()["sid"])
"""


def compile_package() -> None:
    """Byte-compile hubsms as an install does, so no run pays for compiling (this matters
    where PYTHONDONTWRITEBYTECODE is set)."""
    import hubsms

    folder = Path(hubsms.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)


def hubsms_command() -> list[str]:
    script = Path(sys.executable).with_name("hubsms")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubsms"]


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


def median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


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
            plain_env = {**env, "BENCH_URL": f"{accounts}/{SID}/Messages.json", "BENCH_SID": SID, "BENCH_TOKEN": TOKEN}
            results = [
                ("python -c pass", median_ms([sys.executable, "-c", "pass"], env, args.runs)),
                ("plain requests script", median_ms([sys.executable, "-c", PLAIN_SCRIPT], plain_env, args.runs)),
                ("hubsms otp send", median_ms(
                    [*hubsms, "otp", "send", "--to", "+15005550006", "--connector", "Bench", "--json"], env, args.runs)),
            ]
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=10)
    print(f"{'command':24} {'median ms':>10}")
    for label, ms in results:
        print(f"{label:24} {ms:10.1f}")
    ratio = results[2][1] / results[1][1]
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"\nhubsms otp send / plain script: {ratio:.2f}x, {verdict} the target of {TARGET:g}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
