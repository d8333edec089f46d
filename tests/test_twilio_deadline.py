"""The overall deadline of a request, against real servers on 127.0.0.1 that are slow in ways
a per-read timeout never notices: a body trickling one byte at a time, headers trickling,
a TLS handshake that never completes, a refused port retried with backoff. Each server is
bounded in time and stops by itself."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from helpers import FROM, TOKEN, added, free_port
from helpers import SID as ACCOUNT_SID

from hubsms.errors import ExitCode, InvalidValue, NetworkError
from hubsms.twilio.client import TwilioClient
from hubsms.twilio.limits import DEFAULT_DEADLINE, deadline_from_env, message_form

TO = "+14155552671"
TRICKLE_PAUSE = 0.2  # well under every read timeout used here
SERVER_LIFETIME = 15.0  # a trickling server gives up after this, whatever the client does
HEAD = b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"


def _read_request(conn: socket.socket) -> None:
    """Read the request line, headers and a Content-Length body (enough for our clients)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return
        body += chunk


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


def timed(call: Callable[[], object]) -> tuple[NetworkError, float]:
    started = time.monotonic()
    with pytest.raises(NetworkError) as info:
        call()
    return info.value, time.monotonic() - started


@pytest.mark.parametrize("handle", [trickle_body, trickle_headers], ids=["body", "headers"])
def test_a_trickling_send_ends_at_the_deadline_outcome_unknown(slow_server, handle) -> None:
    server = slow_server(handle)
    with TwilioClient(ACCOUNT_SID, TOKEN, server.url(), connect_timeout=2, read_timeout=2,
                      deadline=2) as client:
        err, elapsed = timed(lambda: client.create_message(message_form(TO, FROM, "Code 1")))
    assert elapsed <= 2 + 1
    assert elapsed >= 2 - 0.1  # it did wait for the server that long
    assert err.exit_code == ExitCode.NETWORK
    assert err.message == f"127.0.0.1:{server.port} did not finish within 2 s: the message may or may not have been sent"
    assert "not retried" in err.hint and "Twilio console" in err.hint
    assert server.connections == 1


def test_a_trickling_fetch_ends_at_the_deadline_with_no_answer(slow_server) -> None:
    server = slow_server(trickle_body)
    with TwilioClient(ACCOUNT_SID, TOKEN, server.url(), read_timeout=5, deadline=1.5) as client:
        err, elapsed = timed(client.fetch_account)
    assert elapsed <= 1.5 + 1
    assert err.message.endswith("did not finish within 1.5 s: no answer")


def test_a_stalled_tls_handshake_ends_at_the_deadline_with_nothing_sent(slow_server) -> None:
    server = slow_server(say_nothing)
    with TwilioClient(ACCOUNT_SID, TOKEN, server.url("https"), connect_timeout=30, read_timeout=30,
                      deadline=1) as client:
        err, elapsed = timed(lambda: client.create_message(message_form(TO, FROM, "Code 2")))
    assert elapsed <= 1 + 1
    assert err.message.endswith("did not finish within 1 s: nothing was sent")
    assert "HUBSMS_DEADLINE" in err.hint


def test_retries_of_a_refused_port_stop_at_the_deadline() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/2010-04-01/Accounts"
    with TwilioClient(ACCOUNT_SID, TOKEN, url, retries=20, backoff_factor=1.0, deadline=1.5) as client:
        err, elapsed = timed(lambda: client.create_message(message_form(TO, FROM, "Code 3")))
    assert elapsed <= 1.5 + 1
    assert err.message.startswith(f"cannot connect to 127.0.0.1:{port}")
    assert "not sent" in err.hint


def test_a_fast_server_is_unaffected_by_the_deadline(sandbox) -> None:
    with TwilioClient(ACCOUNT_SID, TOKEN, sandbox.accounts_url, deadline=5) as client:
        sent = client.create_message(message_form(TO, FROM, "Code 4"))
        assert client.fetch_message(sent["sid"])["sid"] == sent["sid"]


def test_otp_send_with_a_trickling_server_exits_6_by_the_deadline(cli, slow_server, monkeypatch) -> None:
    server = slow_server(trickle_body)
    added(cli, "Slow", server=server.url())
    monkeypatch.setenv("HUBSMS_DEADLINE", "2")
    started = time.monotonic()
    result = cli("otp", "send", "--connector", "Slow", "--to", TO, "--read-timeout", "2", "--connect-timeout", "2")
    elapsed = time.monotonic() - started
    assert result.exit_code == ExitCode.NETWORK, result.output
    assert "did not finish within 2 s" in result.output + (result.stderr or "")
    assert elapsed <= 2 + 1


# --- where the deadline comes from ----------------------------------------------------------


def test_the_deadline_defaults_to_30_seconds() -> None:
    assert deadline_from_env({}) == DEFAULT_DEADLINE == 30.0
    with TwilioClient(ACCOUNT_SID, TOKEN) as client:
        assert client.deadline == 30.0


def test_the_deadline_comes_from_hubsms_deadline(monkeypatch) -> None:
    monkeypatch.setenv("HUBSMS_DEADLINE", "12.5")
    with TwilioClient(ACCOUNT_SID, TOKEN) as client:
        assert client.deadline == 12.5
    with TwilioClient(ACCOUNT_SID, TOKEN, deadline=3) as client:
        assert client.deadline == 3  # the parameter wins


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "abc", "0", "-2", "3601", "1e400"])
def test_a_malformed_hubsms_deadline_is_a_one_line_usage_error(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        deadline_from_env({"HUBSMS_DEADLINE": text})
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.message.startswith("HUBSMS_DEADLINE must be seconds from 0.001 to 3600")
    assert "\n" not in info.value.message


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf")])
def test_a_malformed_deadline_parameter_is_refused(value: float) -> None:
    with pytest.raises(InvalidValue):
        TwilioClient(ACCOUNT_SID, TOKEN, deadline=value)
