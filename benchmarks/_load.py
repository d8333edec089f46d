"""A keep-alive HTTP/1.1 load generator on raw sockets, run in its own process.

``N`` connections, each sending the same request and reading its answer (status line and
Content-Length framing, no chunked bodies) again and again for ``seconds``; one selector
loop, so the generator spends far less CPU per request than the servers measured. Prints one
JSON line: answers by status, connection errors, and the seconds measured.

    python benchmarks/_load.py HOST PORT CONNECTIONS SECONDS REQUEST_FILE
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import time
from collections import Counter


class _Client:
    def __init__(self, address: tuple[str, int], request: bytes) -> None:
        self.sock = socket.create_connection(address, timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.request = request
        self.buffer = b""

    def send(self) -> None:
        self.sock.sendall(self.request)  # small: fits the socket buffer at once

    def answers(self) -> list[int]:
        """Statuses of the answers complete in the buffer (after reading what arrived)."""
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionResetError("closed by the server")
        self.buffer += chunk
        statuses = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return statuses
            head = self.buffer[:end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15:head.find(b"\r\n", at) if head.find(b"\r\n", at) > 0 else None]) if at >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return statuses
            statuses.append(int(self.buffer[9:12]))
            self.buffer = self.buffer[end + 4 + length:]


def run(address: tuple[str, int], connections: int, seconds: float, request: bytes) -> dict[str, object]:
    statuses: Counter[int] = Counter()
    errors = 0
    selector = selectors.DefaultSelector()
    clients = []
    for _ in range(connections):
        client = _Client(address, request)
        clients.append(client)
        selector.register(client.sock, selectors.EVENT_READ, client)
    started = time.perf_counter()
    deadline = started + seconds
    for client in clients:
        client.send()
    while clients and time.perf_counter() < deadline:
        for key, _ in selector.select(timeout=1.0):
            client = key.data
            try:
                done = client.answers()
            except OSError:
                errors += 1
                selector.unregister(client.sock)
                client.sock.close()
                clients.remove(client)
                continue
            for status in done:
                statuses[status] += 1
            if done:
                client.send()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.sock.close()
    return {"statuses": {str(k): v for k, v in statuses.items()}, "errors": errors, "seconds": elapsed}


def main() -> None:
    host, port, connections, seconds, request_file = sys.argv[1:6]
    with open(request_file, "rb") as handle:
        request = handle.read()
    print(json.dumps(run((host, int(port)), int(connections), float(seconds), request)), flush=True)


if __name__ == "__main__":
    main()
