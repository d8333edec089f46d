"""The reliability run's sandbox floods (see reliability.py): many clients at once, idle
connections by the thousand, and clients that trickle their requests; all on 127.0.0.1,
bounded in count and time."""

from __future__ import annotations

import selectors
import socket
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import requests
from _faults import Figure, header
from _harness import Sandbox, World
from _support import request_bytes

from hubsms.sandbox.server import MAX_CONNECTIONS, REQUEST_TIMEOUT


def _threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full (all
    sockets of the machine: TcpExt ListenOverflows in /proc/net/netstat)."""
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines() if line.startswith("TcpExt:")]
    return int(dict(zip(lines[0], lines[1])).get("ListenOverflows", 0)) if len(lines) == 2 else 0


def _connect_all(port: int, count: int) -> list[socket.socket]:
    """``count`` non-blocking connects started at once (none waits for another)."""
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        sockets.append(sock)
    return sockets


def simultaneous_creates(sandbox: Sandbox, count: int) -> list[Figure]:
    """``count`` clients connect at the same moment and each POSTs one message."""
    port = urlsplit(sandbox.url).port
    request = request_bytes(port, close=True)
    answers: Counter[str] = Counter()
    selector = selectors.DefaultSelector()
    received: dict[socket.socket, bytes] = {}
    overflows = listen_overflows()
    started = time.monotonic()
    slowest = 0.0
    for sock in _connect_all(port, count):
        selector.register(sock, selectors.EVENT_WRITE)
    deadline = time.monotonic() + 60
    while selector.get_map() and time.monotonic() < deadline:
        for key, events in selector.select(1.0):
            sock = key.fileobj
            try:
                if events & selectors.EVENT_WRITE:
                    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if error:
                        raise ConnectionResetError(error, "connect failed")
                    sock.sendall(request)
                    selector.modify(sock, selectors.EVENT_READ)
                    received[sock] = b""
                    continue
                chunk = sock.recv(65536)
                if chunk:
                    received[sock] += chunk
                    continue
                answers[received[sock][9:12].decode() or "closed unanswered"] += 1
                slowest = time.monotonic() - started
            except OSError:
                answers["reset"] += 1
            selector.unregister(sock)
            sock.close()
    answers["no answer in 60 s"] += len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    overflows = listen_overflows() - overflows
    stored = requests.get(f"{sandbox.url}/api/stats", timeout=10).json()["messages"]
    created = answers["201"]
    unanswered = answers["reset"] + answers["closed unanswered"] + answers["no answer in 60 s"]
    print(f"{count} simultaneous creates: answers {dict(answers)}; stored {stored}; the last after "
          f"{slowest:.2f} s; listen queue overflows {overflows}")
    return [(f"flood: {count} simultaneous creates, listen queue overflows (SYNs dropped)", str(overflows), "0",
             overflows == 0),
            (f"flood: {count} simultaneous creates, connections reset or unanswered", str(unanswered), "0",
             unanswered == 0),
            (f"flood: {count} simultaneous creates, 201s stored", f"{stored} of {created}", f"all ({created})",
             stored == created and created + answers["503"] == count)]


def idle_connections(sandbox: Sandbox, count: int) -> list[Figure]:
    """``count`` connections opened and left silent: the sandbox's threads stay under its
    cap, and a real client is still answered."""
    port = urlsplit(sandbox.url).port
    pid = sandbox.process.pid
    before = _threads(pid)
    idle = _connect_all(port, count)
    most = before
    answered = None
    started = time.monotonic()
    with requests.Session() as client:
        client.trust_env = False
        while time.monotonic() - started < 4.0:
            most = max(most, _threads(pid))
            if answered is None and time.monotonic() - started > 1.0:
                try:
                    answered = client.get(f"{sandbox.url}/readyz", timeout=10).status_code
                except requests.RequestException as exc:
                    answered = type(exc).__name__
                print(f"  /readyz with {count} idle connections open: {answered} "
                      f"after {time.monotonic() - started:.1f} s", flush=True)
            time.sleep(0.05)
    for sock in idle:
        sock.close()
    settle = time.monotonic() + 10
    while _threads(pid) > before + 2 and time.monotonic() < settle:
        time.sleep(0.05)
    after = _threads(pid)
    print(f"{count} idle connections: sandbox threads before {before}, at most {most}, after {after}")
    limit = MAX_CONNECTIONS + before
    return [(f"flood: {count} idle connections, sandbox threads at most", str(most), f"<= {limit}", most <= limit),
            (f"flood: {count} idle connections, a new client answered", str(answered), "200", answered == 200)]


def trickled_requests(sandbox: Sandbox, count: int) -> list[Figure]:
    """``count`` clients that send a head and then one byte of body every 0.5 s: each is
    answered 408 once its request deadline (REQUEST_TIMEOUT) passes."""
    port = urlsplit(sandbox.url).port
    head = (f"POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 100000\r\n\r\n{{").encode()
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
    for sock in sockets:
        sock.sendall(head)
        sock.setblocking(False)
    started = time.monotonic()
    answered: dict[socket.socket, float] = {}
    while len(answered) < count and time.monotonic() - started < 15:
        for sock in sockets:
            if sock in answered:
                continue
            try:
                chunk = sock.recv(65536)
            except BlockingIOError:
                try:
                    sock.send(b" ")
                except OSError:
                    answered[sock] = -1.0
                continue
            except OSError:
                answered[sock] = -1.0
                continue
            answered[sock] = time.monotonic() - started if chunk.startswith(b"HTTP/1.1 408") else -1.0
        time.sleep(0.5)
    for sock in sockets:
        sock.close()
    times = [t for t in answered.values() if t >= 0]
    slowest = max(times) if times else float("nan")
    print(f"{count} trickling clients: {len(times)} answered 408, the last after {slowest:.1f} s")
    within = REQUEST_TIMEOUT + 2  # the deadline, and the 0.5 s steps of this loop beyond it
    return [(f"flood: {count} trickling clients answered 408 within {within:g} s", str(sum(t <= within for t in times)),
             str(count), len(times) == count and slowest <= within)]


def sandbox_floods(root: Path, backend: str, quick: bool) -> list[Figure]:
    header("sandbox floods: simultaneous creates, idle connections, trickled requests")
    sandbox = Sandbox(World(root / "floods", backend), verbose=False)
    try:
        figures = simultaneous_creates(sandbox, 1000)
        figures += idle_connections(sandbox, 1000 if quick else 3000)
        figures += trickled_requests(sandbox, 20 if quick else 100)
    finally:
        sandbox.stop()
    return figures
