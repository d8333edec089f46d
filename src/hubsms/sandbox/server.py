"""The sandbox's HTTP server: HTTP/1.1 keep-alive on plain sockets, a thread per connection.

``SandboxServer`` runs it in a background thread (tests, benchmarks) or in the foreground
(``hubsms sandbox serve``). Its limits, each answered rather than dropped:

- the listen backlog is 4,096 (the kernel may cap it lower: ``net.core.somaxconn``), so a
  thousand clients connecting at once are queued, not reset;
- a request, head and body, must arrive whole within ``request_timeout`` of its first byte
  (a client trickling it is answered 408 and closed); between requests a keep-alive
  connection may stay idle for ``IDLE_TIMEOUT``;
- at most ``max_connections`` connections (one thread each) are open. One more closes the
  connection that has been idle longest between requests; when every connection is busy
  the new one waits in the backlog for up to ``QUEUE_WAIT`` and is then answered 503 with
  ``Retry-After``.

The request head is parsed here rather than by ``http.server``, whose ``email`` header parser
cost more than the sandbox's own work per message; the answer goes out in one ``send``, on
a blocking socket whose timeouts the kernel keeps (no poll before each call).
``stop()`` wakes the accepting loop through a socket pair instead of polling.
"""

from __future__ import annotations

import functools
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from hubsms.sandbox.accounts import DeclaredAccount
from hubsms.sandbox.api import Sandbox
from hubsms.sandbox.exchange import Request, Response, json_response, twilio_error
from hubsms.sandbox.state import DeliveryOutcome, Outcomes, parse_outcome_option
from hubsms.sandbox.store import MessageStore
from hubsms.sandbox.twilio import ACCOUNTS_PREFIX, TwilioError

MAX_REQUEST_BYTES: Final = 1 << 20
MAX_HEAD_BYTES: Final = 64 << 10
MAX_HEADERS: Final = 100
IDLE_TIMEOUT: Final = 60.0
REQUEST_TIMEOUT: Final = 5.0
MAX_CONNECTIONS: Final = 1024
BACKLOG: Final = 4096
QUEUE_WAIT: Final = 1.0  # how long a new connection may wait for a free slot before a 503
IDLE_GRACE: Final = 1.0  # a connection that never sent a byte is evictable after this
METHODS: Final = frozenset({"GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"})
SERVER_NAME: Final = "hubsms-sandbox"


class Headers(dict[str, str]):
    """A request's header fields by lower-case name (the first of repeated ones);
    ``get`` ignores case as ``email.message.Message.get`` does."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, name.lower(), default)


class _Refused(Exception):
    """A request the HTTP layer answers itself (and then closes the connection)."""

    def __init__(self, status: int, code: int, message: str | None = None) -> None:
        super().__init__(message)
        self.response = twilio_error(TwilioError(code, status, message or HTTPStatus(status).phrase))


class _Closed(Exception):
    """The connection ended: closed by the client, idle too long, evicted, or stopping."""


@functools.lru_cache(maxsize=2)
def _date(second: int) -> str:
    """The Date header's value for ``second`` (cached: the current second and the last)."""
    return formatdate(second, usegmt=True)


def _shut(sock: socket.socket) -> None:
    """Shut both ways, so that a thread blocked in recv on ``sock`` wakes; it may be closed."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _encode(response: Response, head_only: bool, close: bool) -> bytes:
    """The whole answer as bytes: status line, headers, body (none for HEAD)."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {response.status} {reason}", f"Server: {SERVER_NAME}", f"Date: {_date(int(time.time()))}",
             f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}"]
    if response.content_type.startswith("application/json"):
        lines.append("X-Content-Type-Options: nosniff")
    lines.extend(f"{name}: {value}" for name, value in response.headers.items())
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + response.body


# The socket stays blocking and the kernel keeps its timeouts (SO_RCVTIMEO, SO_SNDTIMEO):
# a socket with a Python timeout polls before every recv and send, two more system calls
# and GIL hand-overs per request. Elsewhere, Python's timeouts.
_KERNEL_TIMEOUTS: Final = sys.platform.startswith(("linux", "darwin"))


def _timeval(seconds: float) -> bytes:
    whole = int(seconds)
    return struct.pack("ll", whole, max(int((seconds - whole) * 1_000_000), 0 if whole else 1000))


class _Connection:
    """One client connection, served in its own thread until it closes."""

    __slots__ = ("server", "sock", "address", "buffer", "idle_since", "served", "evicted", "_recv_timeout")

    def __init__(self, server: _Listener, sock: socket.socket, address: Any) -> None:
        self.server = server
        self.sock = sock
        self.address = address
        self.buffer = bytearray()
        self.idle_since: float | None = time.monotonic()  # waiting for a request's first byte
        self.served = 0
        self.evicted = False
        self._recv_timeout = 0.0  # SO_RCVTIMEO now set (0: none)

    # --- reading ---------------------------------------------------------------------------

    def _recv(self, deadline: float | None) -> bytes:
        """Up to 64 KiB; TimeoutError after IDLE_TIMEOUT (deadline None) or at ``deadline``."""
        wait = IDLE_TIMEOUT if deadline is None else deadline - time.monotonic()
        if wait <= 0:
            raise TimeoutError
        if not _KERNEL_TIMEOUTS:
            self.sock.settimeout(wait)
            return self.sock.recv(65536)
        if wait != self._recv_timeout:  # idle between requests: set once, not per request
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(wait))
            self._recv_timeout = wait
        try:
            return self.sock.recv(65536)
        except BlockingIOError:  # SO_RCVTIMEO ran out
            raise TimeoutError from None

    def _first_bytes(self) -> None:
        """Wait, idle, for the next request to begin (unless its bytes are here already, as a
        pipelined one's are), then count the connection busy: never the one closed for room."""
        if not self.buffer:
            try:
                chunk = self._recv(None)
            except (TimeoutError, OSError):
                raise _Closed from None
            if not chunk:
                raise _Closed  # closed by the client
            self.buffer += chunk
        if not self.server.busy(self):
            raise _Closed  # evicted meanwhile: nothing read is acted on

    def _read_until(self, size: int | None, deadline: float) -> int:
        """Read until the head's end is buffered (size None: its length is returned), or
        ``size`` bytes are."""
        while True:
            if size is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end >= 0:
                    return end
                if len(self.buffer) > MAX_HEAD_BYTES:
                    raise _Refused(431, 20001, "The request head is too large")
            elif len(self.buffer) >= size:
                return size
            try:
                chunk = self._recv(deadline)
            except TimeoutError:
                raise _Refused(408, 20001, "The request did not arrive in time") from None
            if not chunk:
                raise _Closed
            self.buffer += chunk

    def read_request(self) -> tuple[Request, bool]:
        """The next request and whether the connection stays open after it."""
        self._first_bytes()
        deadline = time.monotonic() + self.server.request_timeout
        end = self._read_until(None, deadline)
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[:end + 4]
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise _Refused(400, 20001, "Bad request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise _Refused(505, 20001, "HTTP version not supported")
        headers = self._headers(lines[1:])
        keep = version == "HTTP/1.1" and (headers.get("connection") or "").lower() != "close"
        if method not in METHODS:
            raise _Refused(501, 20004, "Unsupported method")
        body = self._body(headers, version, deadline)
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True) if url.query else {}
        return Request(method, url.path, query, headers, body), keep

    @staticmethod
    def _headers(lines: list[str]) -> Headers:
        if len(lines) > MAX_HEADERS:
            raise _Refused(431, 20001, "Too many header fields")
        headers = Headers()
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip() or " " in name or "\t" in name:
                raise _Refused(400, 20001, "Bad header field")
            key = name.lower()
            value = value.strip(" \t")
            if key == "content-length" and headers.get(key, value) != value:
                raise _Refused(400, 20001, "Conflicting Content-Length header fields")
            headers.setdefault(key, value)
        return headers

    def _body(self, headers: Headers, version: str, deadline: float) -> bytes:
        if headers.get("transfer-encoding"):
            raise _Refused(411, 20001, "Send the body with a Content-Length")
        text = headers.get("content-length") or "0"
        if not text.isdigit():
            raise _Refused(400, 20001, "The request body is missing or too large")
        size = int(text)
        if size > MAX_REQUEST_BYTES:
            raise _Refused(413, 20001, "The request body is missing or too large")
        if size > len(self.buffer) and version == "HTTP/1.1" and \
                (headers.get("expect") or "").lower() == "100-continue":
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        self._read_until(size, deadline)
        body = bytes(self.buffer[:size])
        del self.buffer[:size]
        return body

    # --- serving ---------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if _KERNEL_TIMEOUTS:  # a client that stops reading its answer cannot hold the thread
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _timeval(IDLE_TIMEOUT))
            while True:
                try:
                    request, keep = self.read_request()
                except _Refused as refused:
                    self._answer(refused.response, "-", close=True)
                    return
                keep = self._answer(self._handle(request), request.method, close=not keep, path=request.path)
                if not keep:
                    return
                self.served += 1
                self.server.idle(self)
        except (_Closed, OSError):
            pass
        finally:
            self.server.forget(self)
            try:
                self.sock.close()
            except OSError:
                pass

    def _handle(self, request: Request) -> Response:
        try:
            return self.server.sandbox.handle(request)
        except Exception as exc:  # a bug must not kill the connection silently
            self.server.log(f"internal error: {type(exc).__name__}: {exc}")
            return twilio_error(TwilioError(20500, 500))

    def _answer(self, response: Response, method: str, close: bool, path: str = "") -> bool:
        """Send the answer; False when the connection is to close after it."""
        if response.drop:
            return False
        self.sock.sendall(_encode(response, method == "HEAD", close))
        if self.server.verbose:
            self.server.log(f"{self.address[0]} {method} {path} {response.status} {len(response.body)}", prefix="")
        return not close


class _Listener:
    """The listening socket and the loop that accepts connections until ``shutdown``."""

    __slots__ = (
        "sandbox", "verbose", "request_timeout", "max_connections", "socket", "server_address",
        "_wake_read", "_wake_write", "_lock", "_connections", "_stopping", "_stopped", "_waiting_for_slot",
        "_accept_paused_until", "_queue",
    )

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, verbose: bool,
                 request_timeout: float = REQUEST_TIMEOUT, max_connections: int = MAX_CONNECTIONS) -> None:
        self.sandbox = sandbox
        self.verbose = verbose
        self.request_timeout = request_timeout
        self.max_connections = max(1, max_connections)
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(address)
            self.socket.listen(BACKLOG)
        except OSError:
            self.socket.close()
            raise
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._lock = threading.Lock()
        self._connections: set[_Connection] = set()
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._waiting_for_slot = False
        self._accept_paused_until = 0.0
        self._queue: deque[tuple[socket.socket, Any, float]] = deque()  # accepted, waiting for a slot

    # --- connection accounting (under the lock) -----------------------------------------------

    def busy(self, connection: _Connection) -> bool:
        """A request began on ``connection``: False when it was evicted meanwhile."""
        with self._lock:
            if connection.evicted:
                return False
            connection.idle_since = None
            return True

    def idle(self, connection: _Connection) -> None:
        with self._lock:
            connection.idle_since = time.monotonic()

    def forget(self, connection: _Connection) -> None:
        with self._lock:
            self._connections.discard(connection)
            wake = self._waiting_for_slot
        if wake:
            self.wake()

    def _make_room(self) -> bool:
        """Whether one more connection may be served now: a free slot, or one made by closing
        the connection idle longest (between requests, or silent since IDLE_GRACE)."""
        with self._lock:
            if len(self._connections) < self.max_connections:
                return True
            now = time.monotonic()
            idle = [c for c in self._connections
                    if c.idle_since is not None and (c.served or now - c.idle_since >= IDLE_GRACE)]
            if not idle:
                return False
            victim = min(idle, key=lambda c: c.idle_since or 0.0)
            victim.evicted = True
            self._connections.discard(victim)
        _shut(victim.sock)  # its thread wakes from recv and ends
        return True

    def count(self) -> int:
        with self._lock:
            return len(self._connections)

    # --- the loop -------------------------------------------------------------------------------

    def wake_fileno(self) -> int:
        return self._wake_write.fileno()

    def wake(self) -> None:
        try:
            self._wake_write.send(b"x")
        except OSError:  # full (already woken) or closed
            pass

    def serve_forever(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._wake_read, selectors.EVENT_READ)
        selector.register(self.socket, selectors.EVENT_READ)
        listening = True
        try:
            while not self._stopping.is_set():
                paused = time.monotonic() < self._accept_paused_until
                if paused and listening:  # out of file descriptors: leave the rest in the backlog a while
                    selector.unregister(self.socket)
                    listening = False
                elif not paused and not listening:
                    selector.register(self.socket, selectors.EVENT_READ)
                    listening = True
                events = selector.select(0.05 if self._queue or paused else None)
                if any(key.fileobj is self._wake_read for key, _ in events):
                    try:
                        while self._wake_read.recv(4096):
                            pass
                    except OSError:
                        pass
                if self._stopping.is_set():
                    break
                self._accept_all()
        finally:
            selector.close()
            for sock, _, _ in self._queue:
                sock.close()
            self._queue.clear()
            self._stopped.set()

    def _accept_all(self) -> None:
        """Take the connections the kernel queued, then serve those that have a slot;
        those that waited QUEUE_WAIT for one are answered 503."""
        while True:
            try:
                sock, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # out of file descriptors (EMFILE): try again in 50 ms
                self._accept_paused_until = time.monotonic() + 0.05
                break
            if len(self._queue) >= BACKLOG:
                _refuse(sock)
            else:
                self._queue.append((sock, address, time.monotonic()))
        while self._queue:
            sock, address, since = self._queue[0]
            if self._make_room():
                self._queue.popleft()
                self._serve(sock, address)
            elif time.monotonic() - since >= QUEUE_WAIT:
                self._queue.popleft()
                _refuse(sock)
            else:
                break
        with self._lock:
            self._waiting_for_slot = bool(self._queue)

    def _serve(self, sock: socket.socket, address: Any) -> None:
        sock.setblocking(True)
        connection = _Connection(self, sock, address)
        with self._lock:
            self._connections.add(connection)
        threading.Thread(target=connection.run, name="sandbox-connection", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the loop and wait for it to return (at once: it is woken, not polled)."""
        self.request_shutdown()
        self._stopped.wait()

    def request_shutdown(self) -> None:
        """Stop the loop without waiting; safe in a signal handler."""
        self._stopping.set()
        self.wake()

    def close(self) -> None:
        """Close the listening socket and every connection (their threads end)."""
        self._stopping.set()
        self.socket.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _shut(connection.sock)
        self._wake_read.close()
        self._wake_write.close()

    def log(self, text: str, prefix: str = "sandbox: ") -> None:
        sys.stderr.write(f"{prefix}{text}\n")


_BUSY: Final = json_response(503, TwilioError(20503, 503, "The sandbox is serving as many connections "
                                                         "as it may; try again").body(), {"Retry-After": "1"})


def _refuse(sock: socket.socket) -> None:
    """Answer 503 on a connection no thread can serve, without waiting for it."""
    try:
        sock.setblocking(False)
        try:
            sock.recv(65536)  # what the client sent already: closing with it unread would reset
        except (BlockingIOError, InterruptedError):
            pass
        sock.send(_encode(_BUSY, False, True))  # encoded now: its Date is the current one
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        sock.close()


def _outcomes(given: Mapping[str, DeliveryOutcome | str] | None) -> Outcomes:
    """Outcomes as DeliveryOutcome objects or ``"status:code"`` strings, keyed by number."""
    parsed: dict[str, DeliveryOutcome] = {}
    for number, outcome in (given or {}).items():
        if isinstance(outcome, str):
            number, outcome = parse_outcome_option(f"{number}={outcome}")
        parsed[number] = outcome
    return Outcomes(parsed)


class SandboxServer:
    """A Twilio-compatible SMS sink. ``start()`` serves in a background thread and returns
    once it accepts connections; ``serve_forever()`` serves in the calling thread."""

    __slots__ = (
        "host", "_port", "_verbose", "_request_timeout", "_max_connections", "sandbox", "_listener",
        "_thread",
    )

    def __init__(self, host: str = "127.0.0.1", port: int = 0, db: str | Path | None = None,
                 auth_token: str | None = None, status_delay: float = 0.5,
                 outcomes: Mapping[str, DeliveryOutcome | str] | None = None, verbose: bool = False,
                 test_accounts: Iterable[str] = (), accounts: Iterable[DeclaredAccount] = (),
                 allow_remote: bool = False, request_timeout: float = REQUEST_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        self.host = host
        self._port = port
        self._verbose = verbose
        self._request_timeout = request_timeout
        self._max_connections = max_connections
        store = MessageStore(str(db) if db is not None else None)
        self.sandbox = Sandbox(store, auth_token, status_delay, _outcomes(outcomes), test_accounts,
                               accounts, allow_remote)
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None

    def bind(self) -> SandboxServer:
        """Listen on the socket (port 0: a free one); connections queue until served."""
        if self._listener is None:
            self._listener = _Listener((self.host, self._port), self.sandbox, self._verbose,
                                       self._request_timeout, self._max_connections)
        return self

    @property
    def port(self) -> int:
        return self._listener.server_address[1] if self._listener else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def accounts_url(self) -> str:
        return self.url + ACCOUNTS_PREFIX

    @property
    def connections(self) -> int:
        """Connections open now (each has a thread)."""
        return self._listener.count() if self._listener else 0

    @property
    def status_delay(self) -> float:
        return self.sandbox.status_delay

    @status_delay.setter
    def status_delay(self, seconds: float) -> None:
        self.sandbox.status_delay = seconds

    def start(self) -> SandboxServer:
        self.bind()
        assert self._listener is not None
        self._thread = threading.Thread(target=self._listener.serve_forever, name=f"sandbox-{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread. In the main thread, a signal (SIGTERM, Ctrl-C) wakes
        the loop whichever thread the kernel delivers it to, so its handler runs at once."""
        self.bind()
        assert self._listener is not None
        if threading.current_thread() is not threading.main_thread():
            self._listener.serve_forever()
            return
        previous = signal.set_wakeup_fd(self._listener.wake_fileno(), warn_on_full_buffer=False)
        try:
            self._listener.serve_forever()
        finally:
            signal.set_wakeup_fd(previous)

    def request_stop(self) -> None:
        """Ask ``serve_forever`` to return; safe to call from a signal handler."""
        if self._listener is not None:
            self._listener.request_shutdown()

    def stop(self) -> None:
        """Shut down, join the serving thread, close connections and the store."""
        if self._listener is not None and self._thread is not None:
            self._listener.shutdown()
            self._thread.join()
            self._thread = None
        self.close()

    def close(self) -> None:
        self.sandbox.stopping.set()
        if self._listener is not None:
            self._listener.close()
        self.sandbox.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
