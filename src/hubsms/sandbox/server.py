"""The sandbox's HTTP server: stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive, Nagle off.

``SandboxServer`` runs it in a background thread (tests, benchmarks) or in the foreground
(``hubsms sandbox serve``). DESIGN.md's Sandbox measurements explain the choice of server.
"""

from __future__ import annotations

import io
import socket
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from hubsms.sandbox.accounts import DeclaredAccount
from hubsms.sandbox.api import Request, Response, Sandbox, twilio_error
from hubsms.sandbox.state import DeliveryOutcome, Outcomes, parse_outcome_option
from hubsms.sandbox.store import MessageStore
from hubsms.sandbox.twilio import ACCOUNTS_PREFIX, TwilioError

MAX_REQUEST_BYTES: Final = 1 << 20
IDLE_TIMEOUT: Final = 60.0
HEAD_TIMEOUT: Final = 5.0
_STDLIB_CODES: Final = {404: 20404, 405: 20004, 501: 20004}


class _HeadDeadline(io.RawIOBase):
    """The connection's reads, bounded so that a request head must arrive whole within
    ``head_timeout`` of its first byte: a client that trickles it (slowloris) is cut off.
    Between requests a keep-alive connection may stay idle for ``IDLE_TIMEOUT``."""

    def __init__(self, connection: socket.socket, head_timeout: float) -> None:
        super().__init__()
        self._connection = connection
        self._head_timeout = head_timeout
        self.deadline: float | None = None
        self.armed = False  # the next bytes read start a request head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is None:
            self._connection.settimeout(IDLE_TIMEOUT)
        else:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request head did not arrive in time")
            self._connection.settimeout(left)
        count = self._connection.recv_into(buffer)
        if self.armed and count and self.deadline is None:
            self.deadline = time.monotonic() + self._head_timeout
        return count

    def head_done(self) -> None:
        self.armed = False
        self.deadline = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without it a keep-alive client waits ~40 ms per request for a delayed ACK.
    disable_nagle_algorithm = True
    server_version = "hubsms-sandbox"
    sys_version = ""
    timeout = IDLE_TIMEOUT  # an idle keep-alive connection does not hold a thread forever
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self._reads = _HeadDeadline(self.connection, self.server.head_timeout)
        self.rfile = io.BufferedReader(self._reads)
        self.server.track(self.connection, True)

    def handle_one_request(self) -> None:
        self._reads.armed = True
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._reads.head_done()  # the body is read under the idle timeout
        return parsed

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        url = urlsplit(self.path)
        request = Request(self.command, url.path, parse_qs(url.query, keep_blank_values=True),
                          self.headers, body)
        try:
            response = self.server.sandbox.handle(request)
        except Exception as exc:  # a bug must not kill the connection silently
            self.log_error("internal error: %s: %s", type(exc).__name__, exc)
            response = twilio_error(TwilioError(20500, 500))
        self._send(response)

    do_GET = do_HEAD = do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = _dispatch

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by http.server itself (bad request line, unknown method, ...) in
        Twilio's shape too; the connection closes as the stdlib does."""
        self.close_connection = True
        text = message or self.responses.get(code, ("Error",))[0]
        self._send(twilio_error(TwilioError(_STDLIB_CODES.get(code, 20001), code, text)))

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            self._refuse(411, "Send the body with a Content-Length")
            return None
        text = self.headers.get("Content-Length") or "0"
        if not text.isdigit() or int(text) > MAX_REQUEST_BYTES:
            self._refuse(413 if text.isdigit() else 400, "The request body is missing or too large")
            return None
        return self.rfile.read(int(text))

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True  # the unread body would be taken for the next request
        self._send(twilio_error(TwilioError(20001, status, message)))

    def _send(self, response: Response) -> None:
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if response.content_type.startswith("application/json"):
            self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        sys.stderr.write(f"sandbox: {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connecting at once must not be refused

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, verbose: bool,
                 head_timeout: float = HEAD_TIMEOUT) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sandbox = sandbox
        self.verbose = verbose
        self.head_timeout = head_timeout
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before its answer (a read timeout) is not an error of ours."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their threads finish at shutdown."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


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

    def __init__(self, host: str = "127.0.0.1", port: int = 0, db: str | Path | None = None,
                 auth_token: str | None = None, status_delay: float = 0.5,
                 outcomes: Mapping[str, DeliveryOutcome | str] | None = None, verbose: bool = False,
                 test_accounts: Iterable[str] = (), accounts: Iterable[DeclaredAccount] = (),
                 allow_remote: bool = False, head_timeout: float = HEAD_TIMEOUT) -> None:
        self.host = host
        self._port = port
        self._verbose = verbose
        self._head_timeout = head_timeout
        store = MessageStore(str(db) if db is not None else None)
        self.sandbox = Sandbox(store, auth_token, status_delay, _outcomes(outcomes), test_accounts,
                               accounts, allow_remote)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def bind(self) -> SandboxServer:
        """Listen on the socket (port 0: a free one); connections queue until served."""
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self._port), self.sandbox, self._verbose, self._head_timeout)
        return self

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def accounts_url(self) -> str:
        return self.url + ACCOUNTS_PREFIX

    @property
    def status_delay(self) -> float:
        return self.sandbox.status_delay

    @status_delay.setter
    def status_delay(self, seconds: float) -> None:
        self.sandbox.status_delay = seconds

    def start(self) -> SandboxServer:
        self.bind()
        assert self._httpd is not None
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"sandbox-{self.port}", daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.bind()
        assert self._httpd is not None
        self._httpd.serve_forever(poll_interval=0.2)

    def request_stop(self) -> None:
        """Ask ``serve_forever`` to return; safe to call from a signal handler."""
        if self._httpd is not None:
            threading.Thread(target=self._httpd.shutdown, daemon=True).start()

    def stop(self) -> None:
        """Shut down, join the serving thread, close connections and the store."""
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.close()

    def close(self) -> None:
        self.sandbox.stopping.set()
        if self._httpd is not None:
            self._httpd.close_connections()
            self._httpd.server_close()
        self.sandbox.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
