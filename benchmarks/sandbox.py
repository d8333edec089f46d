"""Throughput and correctness of the sandbox under concurrent message creation.

Starts `hubsms sandbox serve --port 0` as a subprocess (so the load generator does not share
its interpreter), then for 1, 4 and 16 concurrent clients:
  - Python threads, each with a keep-alive requests.Session, 200 POSTs each: requests/s,
    whether every 201 was stored (messages counted by the sandbox's API) and any 5xx;
  - if `wrk` is installed, wrk with a Lua script posting the form for a few seconds.
Server CPU per request comes from /proc. Everything is bounded in count and time and sends
only to 127.0.0.1.

    .venv/bin/python benchmarks/sandbox.py [--requests 200] [--wrk-seconds 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
FORM = "To=%2B15551234567&From=%2B15005550006&Body=Your+code+is+123456"
CLIENTS = (1, 4, 16)
LUA = """
wrk.method = "POST"
wrk.body = "{form}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic {basic}"
"""


def start_server() -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "hubsms", "sandbox", "serve", "--port", "0", "--status-delay", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return proc, line.strip().removeprefix("listening on ")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset(url: str) -> None:
    requests.delete(f"{url}/api/messages", headers={"X-Hubsms-Sandbox": "1"}, timeout=10).raise_for_status()


def stored(url: str) -> int:
    return requests.get(f"{url}/api/stats", timeout=10).json()["messages"]


def python_clients(url: str, clients: int, per_client: int) -> dict[str, float]:
    target = f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def run() -> None:
        local: Counter[int] = Counter()
        with requests.Session() as session:
            session.trust_env = False
            for _ in range(per_client):
                try:
                    answer = session.post(target, data=FORM, auth=(ACCOUNT_SID, "x"), timeout=30,
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})
                    local[answer.status_code] += 1
                except requests.RequestException:
                    local[0] += 1  # no answer at all
        with lock:
            statuses.update(local)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"requests": sum(statuses.values()), "created": statuses[201], "elapsed": elapsed,
            "5xx": sum(n for s, n in statuses.items() if s >= 500), "no answer": statuses[0]}


def wrk_run(url: str, connections: int, seconds: int, script: Path) -> dict[str, float]:
    threads = str(min(connections, 2))
    command = ["wrk", "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", str(script), f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)s", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"requests": int(total.group(1)) if total else 0, "elapsed": float(total.group(2)) if total else 0.0,
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "socket errors": errors.group(1) if errors else "none"}


def measure(url: str, pid: int, run) -> tuple[dict, int, float]:
    reset(url)
    cpu = cpu_seconds(pid)
    result = run()
    cpu = cpu_seconds(pid) - cpu
    return result, stored(url), cpu


def print_row(cells: list[str], widths: list[int]) -> None:
    print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))))


def python_table(url: str, pid: int, per_client: int) -> bool:
    widths = [14, 8, 9, 9, 8, 5, 9, 12]
    print(f"\nPython clients (threads, requests.Session keep-alive, {per_client} POSTs each)")
    print_row(["clients", "requests", "201", "stored", "req/s", "5xx", "lost", "server ms/req"], widths)
    ok = True
    for clients in CLIENTS:
        r, count, cpu = measure(url, pid, lambda: python_clients(url, clients, per_client))
        lost = r["created"] - count if count < r["created"] else 0
        ok = ok and lost == 0 and r["5xx"] == 0 and r["no answer"] == 0 and count == r["created"]
        print_row([f"{clients}", f"{r['requests']}", f"{r['created']}", f"{count}",
                   f"{r['requests'] / r['elapsed']:.0f}", f"{r['5xx']}", f"{lost}",
                   f"{1000 * cpu / max(r['requests'], 1):.2f}"], widths)
    return ok


def wrk_table(url: str, pid: int, seconds: int) -> bool:
    if shutil.which("wrk") is None:
        print("\nwrk is not installed (Debian package 'wrk'): skipped")
        return True
    import base64

    basic = base64.b64encode(f"{ACCOUNT_SID}:x".encode()).decode()
    widths = [14, 8, 8, 9, 8, 12, 14]
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "post.lua"
        script.write_text(LUA.format(form=FORM, basic=basic))
        print(f"\nwrk ({seconds} s per row, POST form, keep-alive)")
        print_row(["connections", "requests", "req/s", "stored", "non-2xx", "server ms/req", "socket errors"], widths)
        for connections in CLIENTS:
            r, count, cpu = measure(url, pid, lambda: wrk_run(url, connections, seconds, script))
            # Requests in flight when wrk stops may be stored yet not counted by wrk.
            ok = ok and r["non2xx"] == 0 and count >= r["requests"] - r["non2xx"]
            print_row([f"{connections}", f"{r['requests']}", f"{r['requests'] / max(r['elapsed'], 1e-9):.0f}",
                       f"{count}", f"{r['non2xx']}", f"{1000 * cpu / max(r['requests'], 1):.2f}",
                       str(r["socket errors"])], widths)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="POSTs per Python client (default 200)")
    parser.add_argument("--wrk-seconds", type=int, default=5, help="seconds per wrk row (default 5)")
    args = parser.parse_args()
    proc, url = start_server()
    try:
        print(f"sandbox {url} (subprocess, SQLite in memory, {os.cpu_count()} CPUs)")
        ok = python_table(url, proc.pid, max(1, min(args.requests, 2000)))
        ok = wrk_table(url, proc.pid, max(1, min(args.wrk_seconds, 30))) and ok
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print("\nresult:", "every 201 stored, none lost, no 5xx" if ok else "PROBLEM: lost messages or 5xx")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
