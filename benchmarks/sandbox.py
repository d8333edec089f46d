"""The sandbox's speed, each figure against its goal, all in one run.

Every server runs in its own process, driven by ``benchmarks/_load.py`` (raw keep-alive
sockets, one selector loop, in a process of its own) with the same connections and seconds:

  figure                                   goal
  throughput / stdlib                      >= 0.6x   sandbox creating messages (POST
                                                     Messages.json, each stored in SQLite,
                                                     Twilio's 201 answer) over the standard
                                                     library's ThreadingHTTPServer answering
                                                     a fixed body (HTTP/1.1, Nagle off too)
  throughput / Prism                       >= 2x     over Prism (``prism mock`` of Twilio's
                                                     OpenAPI file in tests/data) answering the
                                                     same POST; a FAIL, not measured, when no
                                                     ``prism`` is found (--prism PATH)
  every 201 stored                         lost 0    messages counted by /api/stats
  stop                                     <= 50 ms  SandboxServer.stop() with a keep-alive
                                                     connection open, in this process
  stop by SIGTERM                          <= 50 ms  ``hubsms sandbox serve`` from SIGTERM to
                                                     "sandbox stopped", and to its exit
  OTP lookup at 100k                       < 5 ms    GET /api/otp?to=N with 100,000 messages
                                                     stored (median of the requests)

Throughput rounds alternate the servers (stdlib, sandbox, Prism, stdlib, ...) so that drift
in the machine's load weighs on each alike; a ratio is the median over the rounds of each
round's ratio. Everything is bounded in count and time and sends only to 127.0.0.1.

    .venv/bin/python benchmarks/sandbox.py [--rounds 5] [--seconds 2] [--connections 8]
                                           [--prism PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from _support import (ACCOUNT_SID, SANDBOX_SERVE, compile_package, free_port, hubsms_command, listening_url,
                      ratio_stats, request_bytes, start_sandbox, stop, verdict)

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "tests" / "data" / "twilio-oai" / "twilio_api_v2010.json"

# The standard library's threading server answering a fixed Twilio-sized body, configured as
# the sandbox is (HTTP/1.1 keep-alive, Nagle off) so that the comparison is of the work done.
STDLIB_SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
BODY = b'{"sid": "SM' + b"0" * 32 + b'", "status": "queued"' + b" " * 760 + b"}"
class Fixed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(201)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
"""


class Server:
    """A server process whose first line of output says ``listening on URL`` (or, for Prism,
    a port we gave it)."""

    def __init__(self, name: str, argv: list[str], port: int | None = None) -> None:
        self.name = name
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if port is None:
            port = urlsplit(listening_url(self.process, name)).port
        else:
            wait_for_port(port, self.process)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        stop(self.process)


def wait_for_port(port: int, process: subprocess.Popen[str], limit: float = 60.0) -> None:
    import socket

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited ({process.returncode}) before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {limit:.0f} s")


def load(server: Server, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("wb", suffix=".http", delete=False) as handle:
        handle.write(request_bytes(server.port))
    try:
        out = subprocess.run([sys.executable, str(HERE / "_load.py"), "127.0.0.1", str(server.port),
                              str(connections), str(seconds), handle.name],
                             capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(handle.name)
    result = json.loads(out)
    result["rate"] = sum(result["statuses"].values()) / result["seconds"]
    return result


def api(url: str, method: str = "GET") -> dict:
    request = urllib.request.Request(url, method=method, headers={"X-Hubsms-Sandbox": "1"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def throughput(args: argparse.Namespace, prism: str | None) -> list[tuple[str, str, str, bool]]:
    sandbox = Server("sandbox", [*hubsms_command(), *SANDBOX_SERVE])
    stdlib = Server("stdlib", [sys.executable, "-c", STDLIB_SERVER])
    servers = [stdlib, sandbox]
    if prism:
        port = free_port()
        servers.append(Server("Prism", [prism, "mock", "-p", str(port), "-h", "127.0.0.1", "--errors", "false",
                                        str(SPEC)], port=port))
    rates: dict[str, list[float]] = {s.name: [] for s in servers}
    lost = statuses_bad = 0
    try:
        for server in servers:  # warm-up: connections, caches, Prism's JIT
            load(server, args.connections, min(args.seconds, 1.0))
        for _ in range(args.rounds):
            for server in servers:
                if server is sandbox:
                    api(f"{sandbox.url}/api/messages", "DELETE")
                result = load(server, args.connections, args.seconds)
                rates[server.name].append(result["rate"])
                if server is sandbox:
                    created = result["statuses"].get("201", 0)
                    statuses_bad += sum(n for s, n in result["statuses"].items() if s != "201") + result["errors"]
                    lost += max(0, created - api(f"{sandbox.url}/api/stats")["messages"])
    finally:
        for server in servers:
            server.stop()
    print(f"\nrequests/s over {args.rounds} rounds of {args.seconds:g} s, {args.connections} keep-alive connections:")
    for name, values in rates.items():
        print(f"  {name:8} median {statistics.median(values):7.0f}  range {min(values):.0f}-{max(values):.0f}")
    figures = [ratio_figure("throughput / stdlib fixed body", rates["sandbox"], rates["stdlib"], 0.6)]
    if prism:
        figures.append(ratio_figure("throughput / Prism", rates["sandbox"], rates["Prism"], 2))
    else:
        figures.append(("throughput / Prism", "not measured: no prism (npm i @stoplight/prism-cli; --prism PATH)",
                        ">= 2x", False))
    figures.append(("201s not stored, and non-201 answers", f"{lost}, {statuses_bad}", "0, 0", lost == 0 and statuses_bad == 0))
    return figures


def ratio_figure(name: str, tops: list[float], bottoms: list[float], goal: float) -> tuple[str, str, str, bool]:
    """The figure of the median of each round's ratio (and their range), at least ``goal``."""
    median, low, high = ratio_stats(tops, bottoms)
    return name, f"{median:.2f}x ({low:.2f}-{high:.2f})", f">= {goal:g}x", median >= goal


def stop_in_process(rounds: int) -> tuple[str, str, str, bool]:
    import socket

    from hubsms.sandbox.server import SandboxServer

    times = []
    for _ in range(rounds):
        server = SandboxServer(port=0, status_delay=0).start()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as idle:
            idle.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            idle.recv(65536)  # answered: the connection now idles between requests
            started = time.perf_counter()
            server.stop()
            times.append((time.perf_counter() - started) * 1000)
    return ("stop (in process, a keep-alive connection open)", ms_text(times), "<= 50 ms",
            statistics.median(times) <= 50)


def stop_by_signal(rounds: int) -> list[tuple[str, str, str, bool]]:
    """SIGTERM to ``hubsms sandbox serve`` (a keep-alive connection open): until it says
    "sandbox stopped", and until its process has exited (the console script leaves without the
    interpreter's final garbage collections, so no floor is taken off)."""
    import socket

    stopped, exited = [], []
    for _ in range(rounds):
        server, url = start_sandbox(hubsms_command(), stderr=subprocess.PIPE)
        server.stderr.readline()  # the line of addresses
        with socket.create_connection(("127.0.0.1", urlsplit(url).port), timeout=10) as idle:
            idle.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            idle.recv(65536)
            started = time.perf_counter()
            server.send_signal(signal.SIGTERM)
            said = server.stderr.readline()
            stopped.append((time.perf_counter() - started) * 1000)
            server.wait(timeout=10)
            exited.append((time.perf_counter() - started) * 1000)
        server.stdout.close()
        server.stderr.close()
        if "sandbox stopped" not in said:
            raise SystemExit(f"the sandbox said {said!r} at SIGTERM")
    return [("stop by SIGTERM, until 'sandbox stopped'", ms_text(stopped), "<= 50 ms", statistics.median(stopped) <= 50),
            ("stop by SIGTERM, until the process has exited", ms_text(exited), "<= 50 ms",
             statistics.median(exited) <= 50)]


def ms_text(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} ms ({min(times):.1f}-{max(times):.1f})"


def otp_lookup(count: int) -> tuple[str, str, str, bool]:
    from hubsms.sandbox.server import SandboxServer

    with tempfile.TemporaryDirectory() as folder:
        server = SandboxServer(port=0, status_delay=0, db=Path(folder) / "messages.db")
        store = server.sandbox.store
        rows = []
        base = {"account_sid": ACCOUNT_SID, "from_": "+15005550006", "service_sid": None, "num_segments": 1,
                "num_media": 0, "created": time.time(), "step_delay": 0.0, "final_status": "delivered",
                "error_code": None, "error_message": None}
        for i in range(count):
            rows.append({**base, "sid": f"SM{i:032x}", "to_": f"+1555{i % 10000:07d}",
                         "body": f"Your code is {i % 1000000:06d}", "code": f"{i % 1000000:06d}"})
        store.add_many(rows)
        server.start()
        try:
            times = []
            for i in range(200):
                started = time.perf_counter()
                found = api(f"{server.url}/api/otp?to=%2B1555{(i * 37) % 10000:07d}")
                times.append((time.perf_counter() - started) * 1000)
                assert found["code"], found
        finally:
            server.stop()
    return (f"OTP lookup at {count:,} messages", ms_text(times), "< 5 ms", statistics.median(times) < 5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds per server (default 5)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per throughput round (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections (default 8)")
    parser.add_argument("--prism", help="the prism command (default: prism on the PATH)")
    args = parser.parse_args()
    args.rounds = max(1, min(args.rounds, 50))
    args.seconds = max(0.2, min(args.seconds, 30.0))
    args.connections = max(1, min(args.connections, 256))
    compile_package()
    prism = args.prism or shutil.which("prism")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}; "
          f"Prism: {prism or 'not found'}")
    figures = throughput(args, prism)
    figures.append(stop_in_process(max(args.rounds, 5)))
    figures += stop_by_signal(max(args.rounds, 5))
    figures.append(otp_lookup(100_000))
    width = max(len(f[0]) for f in figures)
    print(f"\n{'figure':{width}}  {'measured':28}  {'goal':9}  verdict")
    for name, value, goal, met in figures:
        print(f"{name:{width}}  {value:28}  {goal:9}  {verdict(met)}")
    ok = all(f[3] for f in figures)
    print(f"\nsandbox: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
