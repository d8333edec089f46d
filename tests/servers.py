"""Small real HTTP(S) servers on 127.0.0.1 for answers the sandbox never gives: the ``canned``
fixture starts servers that give one fixed answer and record what they were asked."""

from __future__ import annotations

import json
import ssl
import threading
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
