"""How long the sandbox's Twilio lists take to answer, with many items.

Starts `hubsms sandbox serve --port 0` as a subprocess (the interpreter running this script,
so `PYTHONPATH=other/src` measures another checkout), stores --messages messages (form POSTs)
and declares an account with --numbers numbers and 100 Messaging Services, then times, over
one keep-alive connection, the median and 95th percentile of --repeat requests each:

  - GET /readyz: the floor, what any answer of this server costs;
  - the first page of Messages (PageSize=50), a page far in by Page number, and a walk of
    every message by next_page_uri (PageSize=1000; the time of the whole walk);
  - the first page of IncomingPhoneNumbers, with a PhoneNumber filter, and v1 Services.

Answers are checked (status 200, the number of items): a wrong one is a FAIL and exit 1, so a
fast wrong answer cannot pass. The times are reported, not judged against a goal.

    .venv/bin/python benchmarks/sandbox_lists.py [--messages 5000] [--numbers 1000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from _support import ACCOUNT_SID, FORM, hubsms_command, start_sandbox, stop, verdict

SERVICES = [f"MG{n:032x}" for n in range(100)]


def fill(url: str, messages: int, numbers: int) -> None:
    target = f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    def post(count: int) -> None:
        with requests.Session() as session:
            session.trust_env = False
            for _ in range(count):
                session.post(target, data=FORM, auth=(ACCOUNT_SID, "x"), timeout=30,
                             headers={"Content-Type": "application/x-www-form-urlencoded"}).raise_for_status()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(post, [messages // 4 + (1 if i < messages % 4 else 0) for i in range(4)]))
    account = {"sid": ACCOUNT_SID, "numbers": [f"+1415{n:07d}" for n in range(numbers)],
               "messaging_services": {sid: [] for sid in SERVICES}}
    requests.post(f"{url}/api/accounts", json=account, timeout=30).raise_for_status()


def timed(call: Callable[[], int], repeat: int, expected: int) -> tuple[float, float]:
    """Median and 95th percentile in ms of ``call``, which returns the number of items."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        got = call()
        times.append((time.perf_counter() - start) * 1000)
        if got != expected:
            raise SystemExit(f"wrong answer: {got} items, expected {expected}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--numbers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    server, url = start_sandbox(hubsms_command())
    try:
        fill(url, args.messages, args.numbers)
        session = requests.Session()
        session.trust_env = False
        session.auth = (ACCOUNT_SID, "x")
        base = f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}"

        def items(path: str, key: str) -> Callable[[], int]:
            def call() -> int:
                answer = session.get(url + path if path.startswith("/") else path, timeout=30)
                answer.raise_for_status()
                return len(answer.json()[key])
            return call

        def walk() -> int:
            total, uri = 0, f"{base.removeprefix(url)}/Messages.json?PageSize=1000"
            while uri:
                body = session.get(url + uri, timeout=30).json()
                total += len(body["messages"])
                uri = body["next_page_uri"]
            return total

        far = max(args.messages // 50 - 1, 0)
        cases = [
            ("GET /readyz (floor)", lambda: session.get(f"{url}/readyz", timeout=30).status_code // 200, 1),
            ("Messages, first page of 50", items(f"{base}/Messages.json?PageSize=50", "messages"), 50),
            (f"Messages, Page={far} of 50", items(f"{base}/Messages.json?PageSize=50&Page={far}", "messages"), 50),
            (f"Messages, walk of {args.messages} by next_page_uri", walk, args.messages),
            ("IncomingPhoneNumbers, first page of 50",
             items(f"{base}/IncomingPhoneNumbers.json?PageSize=50", "incoming_phone_numbers"), 50),
            ("IncomingPhoneNumbers, PhoneNumber=+1415000001*",
             items(f"{base}/IncomingPhoneNumbers.json?PhoneNumber=%2B1415000001*", "incoming_phone_numbers"), 10),
            ("v1 Services, first page of 50", items(f"{url}/v1/Services?PageSize=50", "services"), 50),
        ]
        print(f"sandbox lists: {args.messages} messages, {args.numbers} numbers, {len(SERVICES)} services, "
              f"{args.repeat} requests each (python {sys.version.split()[0]})")
        print(f"{'request':<52} {'median ms':>10} {'p95 ms':>8}")
        wrong = 0
        for name, call, expected in cases:
            try:
                median, p95 = timed(call, args.repeat if "walk" not in name else max(args.repeat // 10, 3), expected)
            except (requests.RequestException, KeyError, SystemExit) as err:
                wrong += 1
                print(f"{name:<52} {'n/a':>10} {'':>8}  {verdict(False)} ({err})")
                continue
            print(f"{name:<52} {median:>10.2f} {p95:>8.2f}")
        session.close()
    finally:
        stop(server)
    print(f"\nsandbox lists: {'PASS: every answer right' if not wrong else f'FAIL: {wrong} wrong or failed'} "
          "(timings are reported, not judged)")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
