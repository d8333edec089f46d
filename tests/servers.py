"""Small real servers on 127.0.0.1 for what the sandbox never does: the ``canned`` fixture
starts HTTP(S) servers that give one fixed answer and record what they were asked; the
``slow_server`` fixture starts raw TCP servers that are slow or hostile in a chosen way
(trickling a body or headers, saying nothing, a poll that stalls or whose connection is
closed: ``Polled``, a body that never ends: ``Flood``), each bounded in time and stopping by
itself; ``unanswered_port`` is a port where a connect hangs."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

Answer = tuple[int, str, bytes]  # status, Content-Type, body


class Canned:
    """A server answering each request with ``answers[method]`` plus the ``headers`` (with
    "{port}" filled in), over TLS when given a ``context``; it records each request's headers
    and posted form."""

    def __init__(self, answers: dict[str, Answer], headers: dict[str, str], context: ssl.SSLContext | None) -> None:
        self.answers, self.extra = answers, headers
        self.headers: list[dict[str, str]] = []
        self.forms: list[list[tuple[str, str]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        if context is not None:
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.accounts_url = f"{'https' if context else 'http'}://127.0.0.1:{self.port}/2010-04-01/Accounts"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def requests(self) -> int:
        """How many requests got as far as an answer (not those a TLS handshake stopped)."""
        return len(self.headers)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _handler(canned: Canned) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            canned.headers.append(dict(self.headers))
            canned.forms.append(parse_qsl(raw, keep_blank_values=True))
            status, kind, body = canned.answers[self.command]
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in canned.extra.items():
                self.send_header(name, value.format(port=canned.port))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    return Handler


def answer(status: int, content_type: str, body: bytes | str | Any) -> Answer:
    """An answer; a body that is neither bytes nor text is sent as JSON."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return status, content_type, body.encode() if isinstance(body, str) else body


@pytest.fixture
def canned() -> Iterator[Callable[..., Canned]]:
    """``canned(status, content_type, body, get=None, context=None, **headers)``: a server giving
    that answer to every request (``get``: another (status, content_type, body) for a GET);
    a header's ``_`` is sent as ``-``."""
    servers: list[Canned] = []

    def start(status: int, content_type: str, body: Any, *, get: tuple[int, str, Any] | None = None,
              context: ssl.SSLContext | None = None, **headers: str) -> Canned:
        posted = answer(status, content_type, body)
        extra = {name.replace("_", "-"): value for name, value in headers.items()}
        servers.append(Canned({"POST": posted, "GET": answer(*get) if get else posted}, extra, context))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


# --- slow raw TCP servers -----------------------------------------------------------------

TRICKLE_PAUSE = 0.2  # well under every read timeout of the tests that use these servers
SERVER_LIFETIME = 15.0  # a trickling server gives up after this, whatever the client does
HEAD = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"


def _read_request(conn: socket.socket) -> bytes:
    """Read the request line, headers and a Content-Length body (enough for our clients);
    returns the request line, or b"" when the client closed the connection first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return b""
        body += chunk
    return head.split(b"\r\n")[0]


def _trickle(conn: socket.socket, data: bytes, ends: float) -> None:
    for i in range(len(data)):
        if time.monotonic() > ends:
            return
        conn.sendall(data[i:i + 1])
        time.sleep(TRICKLE_PAUSE)


def trickle_body(conn: socket.socket, ends: float) -> None:
    _read_request(conn)
    conn.sendall(HEAD)
    _trickle(conn, b'{"sid": "SM' + b"1" * 32 + b'", "status": "queued"' + b" " * 4000, ends)


def trickle_headers(conn: socket.socket, ends: float) -> None:
    _read_request(conn)
    _trickle(conn, HEAD, ends)


def say_nothing(conn: socket.socket, ends: float) -> None:
    while time.monotonic() < ends and conn.recv(4096):
        pass


MESSAGE_SID = "SM" + "1" * 32


def _message_answer(code: int, status: str) -> bytes:
    body = json.dumps({"sid": MESSAGE_SID, "status": status, "error_code": None}).encode()
    reason = {200: b"OK", 201: b"Created"}[code]
    return (b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (code, reason, len(body)) + body)


class Polled:
    """A connection handler for a message sent and then followed (``otp send --wait``), over
    kept-alive connections. A POST gets ``post``: "queued" is answered at once (201), "drop"
    closes the connection unanswered. The GETs, counted over all connections, get ``gets`` in
    turn (the last one repeats): "drop" closes the connection as the request arrives (a
    keep-alive connection the server closed), "stall" says nothing, any other word is the
    status answered."""

    def __init__(self, *gets: str, post: str = "queued") -> None:
        self.gets, self.post = gets, post
        self.posts = self.polls = 0
        self._lock = threading.Lock()

    def __call__(self, conn: socket.socket, ends: float) -> None:
        while line := _read_request(conn):
            with self._lock:
                if line.startswith(b"POST"):
                    self.posts += 1
                    what = self.post
                else:
                    what = self.gets[min(self.polls, len(self.gets) - 1)]
                    self.polls += 1
            if what == "drop":
                return
            if what == "stall":
                say_nothing(conn, ends)
                return
            conn.sendall(_message_answer(201 if line.startswith(b"POST") else 200, what))


class Flood:
    """A connection handler answering 201 with a created message followed by whitespace that
    never ends (valid JSON, were it ever to end), until the client closes or the server's
    lifetime ends. ``length``: the Content-Length it claims, or None: none, the body runs
    until the connection closes. ``sent`` counts the bytes of body written."""

    def __init__(self, length: int | None = None) -> None:
        self.length = length
        self.sent = 0

    def __call__(self, conn: socket.socket, ends: float) -> None:
        _read_request(conn)
        framing = b"Content-Length: %d" % self.length if self.length is not None else b"Connection: close"
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n")
        start = json.dumps({"sid": MESSAGE_SID, "status": "queued"}).encode()
        conn.sendall(start)
        self.sent += len(start)
        chunk = b" " * 65536
        while time.monotonic() < ends:
            conn.sendall(chunk)
            self.sent += len(chunk)


class SlowServer:
    """A real TCP server on 127.0.0.1 running ``handle(conn, ends)`` for each connection."""

    def __init__(self, handle: Callable[[socket.socket, float], None]) -> None:
        self.handle = handle
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.ends = time.monotonic() + SERVER_LIFETIME
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.listener.getsockname()[1]

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/2010-04-01/Accounts"

    def _accept(self) -> None:
        while time.monotonic() < self.ends:
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(SERVER_LIFETIME)
        with conn:
            try:
                self.handle(conn, self.ends)
            except OSError:  # the client shut the connection: done
                pass

    def stop(self) -> None:
        self.ends = 0.0
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def slow_server() -> Iterator[Callable[[Callable[[socket.socket, float], None]], SlowServer]]:
    servers: list[SlowServer] = []

    def start(handle: Callable[[socket.socket, float], None]) -> SlowServer:
        servers.append(SlowServer(handle))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port on 127.0.0.1 where a connect hangs, as to a host that does not answer: its
    listener never accepts, and its backlog (of one) is already full."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            with socket.socket() as probe:  # the backlog is full: a further connect waits
                probe.settimeout(0.2)
                with pytest.raises(TimeoutError):
                    probe.connect(("127.0.0.1", port))
            yield port
