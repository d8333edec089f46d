"""The sandbox defends the OTPs it holds: loopback Host names only (DNS rebinding), own-API
writes only as JSON or with its header (cross-site forms), nosniff, a deadline for a whole
request (slowloris) and a cap on connections. All over real sockets."""

from __future__ import annotations

import base64
import json
import select
import socket
import time

import pytest
import requests

from hubsms.sandbox.server import SandboxServer


def raw_request(url: str, head: bytes, body: bytes = b"") -> tuple[str, bytes]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(head + b"\r\n" + body)
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    status_head, _, rest = answer.partition(b"\r\n\r\n")
    return status_head.decode(), rest


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "10.0.0.1"])
def test_a_foreign_host_name_is_refused_before_anything_is_read(sandbox, host) -> None:
    sandbox.send(body="Your code is 424242")
    for path in ("/api/messages", "/api/otp?to=%2B15551234567", "/"):
        head, body = raw_request(sandbox.url, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n".encode())
        assert head.startswith("HTTP/1.1 421"), head
        assert b"424242" not in body and b"loopback" in body


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "127.1.2.3", "[::1]:{port}", "LOCALHOST"])
def test_loopback_host_names_with_any_port_are_answered(sandbox, host) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    header = host.format(port=port)
    head, _ = raw_request(sandbox.url, f"GET /readyz HTTP/1.1\r\nHost: {header}\r\nConnection: close\r\n".encode())
    assert head.startswith("HTTP/1.1 200"), head


def test_allow_remote_answers_any_host_name() -> None:
    with SandboxServer(port=0, allow_remote=True) as server:
        head, _ = raw_request(server.url, b"GET /readyz HTTP/1.1\r\nHost: sandbox.lan:8765\r\nConnection: close\r\n")
    assert head.startswith("HTTP/1.1 200")


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/api/faults", "text/plain"),
        ("POST", "/api/outcomes", "application/x-www-form-urlencoded"),
        ("DELETE", "/api/messages", None),
        ("POST", "/api/accounts", None),
    ],
)
def test_own_api_writes_without_json_or_the_header_are_refused(sandbox, method, path, content_type) -> None:
    sandbox.send()
    bare = requests.Session()
    bare.trust_env = False
    headers = {"Content-Type": content_type} if content_type else {}
    answer = bare.request(method, sandbox.url + path, data=b'{"mode": "500"}', headers=headers, timeout=10)
    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    assert len(sandbox.messages()) == 1 and sandbox.http.get(f"{sandbox.url}/api/faults", timeout=10).json()["faults"] == []
    with_header = bare.request(method, sandbox.url + path, headers={"X-Hubsms-Sandbox": "1"}, timeout=10)
    assert with_header.status_code != 415


@pytest.mark.parametrize("path", ["/api/accounts", "/api/faults", "/api/outcomes", "/api/test-accounts"])
@pytest.mark.parametrize("body", ["[" * 200_000 + "]" * 200_000, '{"sid": ' + "[" * 200_000 + "]" * 200_000 + "}"])
def test_deeply_nested_json_is_400_and_changes_nothing(sandbox, path, body) -> None:
    answer = sandbox.http.post(sandbox.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert answer.status_code == 400, answer.text
    assert "nested too deeply" in answer.json()["error"]
    assert sandbox.http.get(f"{sandbox.url}/api/accounts", timeout=10).json()["accounts"] == []
    assert sandbox.http.get(f"{sandbox.url}/api/faults", timeout=10).json()["faults"] == []
    assert sandbox.http.get(f"{sandbox.url}/readyz", timeout=10).status_code == 200


def test_a_json_write_needs_no_header(sandbox) -> None:
    answer = requests.post(f"{sandbox.url}/api/faults", json={"mode": "500"}, timeout=10)
    assert answer.status_code == 201


def test_json_answers_say_nosniff(sandbox) -> None:
    for answer in (sandbox.http.get(f"{sandbox.url}/api/messages", timeout=10), sandbox.send(),
                   sandbox.http.get(sandbox.messages_url, timeout=10)):
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def trickle(url: str, head: bytes, byte: bytes, limit: float = 5.0) -> tuple[bytes, float]:
    """Send ``head``, then ``byte`` every 0.1 s until the server answers (or ``limit``):
    its answer and the seconds it took."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(head)
        started = time.monotonic()
        while time.monotonic() - started < limit:
            readable, _, _ = select.select([raw], [], [], 0.1)  # an answer, or 0.1 s: one more byte
            if readable:
                answer = b""
                try:
                    while chunk := raw.recv(65536):
                        answer += chunk
                except ConnectionResetError:
                    pass
                return answer, time.monotonic() - started
            raw.sendall(byte)
    return b"", limit


@pytest.mark.parametrize(
    "head",
    [b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # the head never ends
     b"POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
     b"Content-Length: 1000\r\n\r\n{"],  # the body never ends
)
def test_a_trickled_request_is_answered_408_and_closed_within_its_deadline(head) -> None:
    with SandboxServer(port=0, request_timeout=0.5) as server:
        answer, seconds = trickle(server.url, head, b" ")
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:80]
        assert b"Connection: close" in answer and seconds < 2.0
        assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200  # the server lives on
        assert server.sandbox.faults.pending() == []


def test_connections_past_the_cap_close_the_idlest_one_and_keep_threads_bounded() -> None:
    with SandboxServer(port=0, max_connections=3) as server:
        host, port = "127.0.0.1", server.port
        idle = [socket.create_connection((host, port), timeout=10) for _ in range(3)]
        for raw in idle:  # each served once, then idle between requests
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert raw.recv(65536).startswith(b"HTTP/1.1 200")
        newer = []
        for _ in range(3):  # each new connection takes the place of the one idle longest
            raw = socket.create_connection((host, port), timeout=10)
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert raw.recv(65536).startswith(b"HTTP/1.1 200")
            assert server.connections <= 3
            newer.append(raw)
        assert [raw.recv(1) for raw in idle] == [b"", b"", b""]  # closed, between requests
        for raw in idle + newer:
            raw.close()


def test_when_every_connection_is_busy_a_new_one_is_answered_503() -> None:
    with SandboxServer(port=0, max_connections=2, request_timeout=10) as server:
        busy = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(2)]
        for raw in busy:  # a request begun, not finished: busy, not idle
            raw.sendall(b"GET /readyz HTTP/1.1\r\n")
        head, body = raw_request(server.url, b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert head.startswith("HTTP/1.1 503"), head
        assert "Retry-After: 1" in head and b"20503" in body
        assert server.connections == 2
        for raw in busy:  # the busy ones finish and are answered
            raw.sendall(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert raw.makefile("rb").readline().startswith(b"HTTP/1.1 200")
            raw.close()


def test_a_pipelined_request_being_answered_is_busy_not_idle() -> None:
    """Its bytes came with the one before: it is not the idle connection a newcomer may take."""
    with SandboxServer(port=0, max_connections=1, request_timeout=10) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        b"GET /api/messages/latest?wait=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            reader = raw.makefile("rb")
            assert reader.readline().startswith(b"HTTP/1.1 200")
            head, _ = raw_request(server.url, b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert head.startswith("HTTP/1.1 503"), head
            answers = reader.read()
        assert answers.count(b"HTTP/1.1 ") == 1 and b"Connection: close" in answers  # the second answer, whole


def test_an_idle_keep_alive_connection_outlives_the_request_deadline() -> None:
    with SandboxServer(port=0, request_timeout=0.3) as server, requests.Session() as session:
        session.trust_env = False
        assert session.get(f"{server.url}/readyz", timeout=5).status_code == 200
        time.sleep(0.8)  # idle between requests: not a slow head
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            time.sleep(0.8)
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert raw.makefile("rb").readline().startswith(b"HTTP/1.1 200")


def test_expect_100_continue_is_answered_before_the_body_is_sent(sandbox) -> None:
    form = b"To=%2B15551234567&From=%2B15005550006&Body=Your+code+is+135790"
    host, port = sandbox.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(f"POST /2010-04-01/Accounts/{sandbox.account_sid}/Messages.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: Basic {base64.b64encode(f'{sandbox.account_sid}:x'.encode()).decode()}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
                    f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n".encode())
        reader = raw.makefile("rb")
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n" and reader.readline() == b"\r\n"
        raw.sendall(form)
        assert reader.readline().startswith(b"HTTP/1.1 201")
    assert [m["code"] for m in sandbox.messages()] == ["135790"]


def test_pipelined_requests_are_answered_in_order_and_http_1_0_closes(sandbox) -> None:
    head, body = raw_request(sandbox.url, b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                          b"GET /api/faults HTTP/1.0\r\nHost: 127.0.0.1\r\n")
    assert head.startswith("HTTP/1.1 200")
    assert body.startswith(b'{"status": "ready"}HTTP/1.1 200') and body.endswith(b'{"faults": []}')
    assert b"Connection: close" in body


@pytest.mark.parametrize(("request_head", "status"), [
    (b"GET /readyz\r\nHost: 127.0.0.1\r\n", 400),
    (b"GET /readyz HTTP/2.0\r\nHost: 127.0.0.1\r\n", 505),
    (b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n", 400),
    (b"POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n", 400),
    (b"POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n", 411),
    (b"POST /api/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999\r\n", 413),
    (b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-A: b\r\n" * 101, 431),
])
def test_malformed_requests_get_a_twilio_shaped_error_and_a_close(sandbox, twilio_schemas, request_head, status) -> None:
    head, body = raw_request(sandbox.url, request_head)
    assert head.startswith(f"HTTP/1.1 {status} "), head
    assert "Connection: close" in head
    twilio_schemas.error(json.loads(body), status=status)
    assert sandbox.http.get(f"{sandbox.url}/api/faults", timeout=10).json()["faults"] == []
