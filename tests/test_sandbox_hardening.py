"""The sandbox defends the OTPs it holds: loopback Host names only (DNS rebinding), own-API
writes only as JSON or with its header (cross-site forms), nosniff, and a deadline for a
request head (slowloris). All over real sockets."""

from __future__ import annotations

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


def test_a_trickled_request_head_is_cut_off() -> None:
    with SandboxServer(port=0, head_timeout=0.5) as server:
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            started = time.monotonic()
            closed_after = None
            for _ in range(40):  # one header byte every 0.1 s: each read is quick, the head never ends
                try:
                    raw.sendall(b"X")
                    time.sleep(0.1)
                    if raw.recv(1, socket.MSG_DONTWAIT) == b"":
                        closed_after = time.monotonic() - started
                        break
                except BlockingIOError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
                    break
        assert closed_after is not None and closed_after < 2.0
        assert requests.get(f"{server.url}/readyz", timeout=5).status_code == 200  # the server lives on


def test_an_idle_keep_alive_connection_outlives_the_head_deadline() -> None:
    with SandboxServer(port=0, head_timeout=0.3) as server, requests.Session() as session:
        session.trust_env = False
        assert session.get(f"{server.url}/readyz", timeout=5).status_code == 200
        time.sleep(0.8)  # idle between requests: not a slow head
        host, port = server.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            time.sleep(0.8)
            raw.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert raw.makefile("rb").readline().startswith(b"HTTP/1.1 200")
