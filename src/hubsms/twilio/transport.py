"""An overall deadline for one HTTP exchange, retries included.

requests' timeouts are per socket operation: a server sending one byte per second never trips
a 15 s read timeout. So the exchange runs through ``hubsms.bounded.call_within``, waited for
until the deadline; at the deadline every socket the exchange opened is shut down (which wakes a
blocked read or TLS handshake at once) and the caller gets ``DeadlinePassed``. A TCP connect is
given no more than the time left (its timeout is cut to it). A name lookup (getaddrinfo) can be
neither woken nor given a timeout, which is why the caller never waits on the worker itself: it
goes on at the deadline, and a worker whose lookup ends later gets no socket (``Watch.add``).

The connections also record whether any byte of the request was written: before that, a
failure means nothing reached the server, whatever the exception says.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hubsms.bounded import Expired, call_within

T = TypeVar("T")


class DeadlinePassed(Exception):
    """The exchange did not finish by its deadline; ``sent`` says whether bytes went out."""

    def __init__(self, sent: bool) -> None:
        super().__init__("deadline passed")
        self.sent = sent


class Watch:
    """One exchange's sockets, deadline and whether its request was written."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline  # time.monotonic() value
        self.sent = False
        self.cancelled = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            cancelled = self.cancelled
        if cancelled:  # a retry that starts after the deadline never gets to send
            _shutdown(sock)
            raise DeadlinePassed(self.sent)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # not connected yet, or already closed
        pass


_local = threading.local()


def current_watch() -> Watch | None:
    """The Watch of the exchange running in this thread, if any."""
    return getattr(_local, "watch", None)


def current_deadline() -> float | None:
    watch = current_watch()
    return watch.deadline if watch is not None else None


class _WatchedMixin:
    """Registers each socket with the thread's Watch and notes the first byte written."""

    sock: socket.socket | None

    timeout: Any

    def _new_conn(self) -> socket.socket:
        watch = current_watch()
        if watch is not None and isinstance(self.timeout, (int, float)):
            # the connect timeout, cut to the time left (urllib3 sets the read timeout after)
            self.timeout = max(0.001, min(self.timeout, watch.deadline - time.monotonic()))
        sock = super()._new_conn()  # type: ignore[misc]
        if watch is not None:
            watch.sent = False
            watch.add(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = current_watch()
        if watch is not None:
            watch.sent = False
            if self.sock is not None:  # a kept-alive connection from an earlier exchange
                watch.add(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self.sock is None:  # http.client would connect here too; first, so as to mark after
            self.connect()  # type: ignore[attr-defined]
        watch = current_watch()
        if watch is not None:
            watch.sent = True
        super().send(data)  # type: ignore[misc]


class _HTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class WatchedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections report to the running exchange's Watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


def run_with_deadline(work: Callable[[], T], seconds: float) -> T:
    """Run ``work`` (which does the HTTP exchange) and return its result, or raise what it
    raised, or raise DeadlinePassed ``seconds`` from now with its sockets shut down."""
    watch = Watch(time.monotonic() + seconds)

    def attach() -> None:
        _local.watch = watch

    try:
        return call_within(work, seconds, name="hubsms-http", start=attach, cancel=watch.cancel)
    except Expired:
        raise DeadlinePassed(watch.sent) from None
