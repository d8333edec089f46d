"""The overall deadline of a request, against real servers on 127.0.0.1 that are slow in ways
a per-read timeout never notices: a body trickling one byte at a time, headers trickling,
a TLS handshake that never completes, a refused port retried with backoff; and the whole of
``otp send --wait --timeout``, timed from outside, with status polls that hang, a connect that
hangs and a name lookup that hangs. Each server is bounded in time and stops by itself."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from helpers import FROM, TOKEN, added, free_port, holding_keyring_lock, run_module, subprocess_env
from helpers import SID as ACCOUNT_SID
from servers import MESSAGE_SID, Polled, say_nothing, trickle_body, trickle_headers

from hubsms.errors import ExitCode, InvalidValue, NetworkError
from hubsms.twilio.client import TwilioClient
from hubsms.twilio.limits import DEFAULT_DEADLINE, deadline_from_env, message_form

TO = "+14155552671"


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


# --- otp send --wait: the whole command within --timeout, from outside ---------------------

WAIT = 2.0
# A resolver that does not answer, for the name "localhost" (the only name a plain-http
# Server Address may have), in a hubsms run as its console script would run it.
HUNG_RESOLVER = """\
import socket, sys, time
real = socket.getaddrinfo
def hung(host, *args, **kwargs):
    if host == "localhost":
        time.sleep(60)
    return real(host, *args, **kwargs)
socket.getaddrinfo = hung
from hubsms.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("case", ["stalled poll", "hung connect", "hung name lookup"])
def test_otp_send_wait_ends_within_its_timeout(cli, slow_server, unanswered_port, case) -> None:
    if case == "stalled poll":  # sent at once; every status poll hangs
        server = slow_server(Polled("stall"))
        url, expected = server.url(), f"no final status for {MESSAGE_SID} within {WAIT:g} s (last: queued)"
    elif case == "hung connect":
        url, expected = f"http://127.0.0.1:{unanswered_port}/2010-04-01/Accounts", f"127.0.0.1:{unanswered_port}"
    else:
        url, expected = f"http://localhost:{free_port()}/2010-04-01/Accounts", "nothing was sent"
    added(cli, "Slow", server=url)
    launch = ["-c", HUNG_RESOLVER] if case == "hung name lookup" else ["-m", "hubsms"]
    started = time.monotonic()
    run = subprocess.run([sys.executable, *launch, "otp", "send", "--connector", "Slow", "--to", TO,
                          "--wait", "--timeout", f"{WAIT:g}"], capture_output=True, text=True, timeout=90,
                         env=subprocess_env())
    elapsed = time.monotonic() - started
    assert run.returncode == ExitCode.NETWORK, run.stderr
    assert expected in run.stderr
    if case != "stalled poll":
        assert "nothing was sent" in run.stderr or "The request was not sent" in run.stderr
    if case == "hung name lookup":
        assert "allow more time with --timeout" in run.stderr
    assert elapsed <= WAIT + 1, f"{case}: {elapsed:.1f} s"


def test_otp_send_wait_ends_within_its_timeout_when_the_keyring_hangs(cli, sandbox) -> None:
    """The keyring's own timeout (5 s) is cut to what is left of --timeout."""
    added(cli, "Hung", server=sandbox.accounts_url)
    started = time.monotonic()
    run = run_module("otp", "send", "--connector", "Hung", "--to", TO, "--wait", "--timeout", f"{WAIT:g}", timeout=90,
                     PYTHON_KEYRING_BACKEND="keyring_backends.BlockingKeyring")
    elapsed = time.monotonic() - started
    assert run.returncode == ExitCode.CREDENTIALS, run.stderr
    assert "did not answer within" in run.stderr and "--timeout ran out" in run.stderr
    assert elapsed <= WAIT + 1, f"{elapsed:.1f} s"
    assert sandbox.stats()["requests"] == {}


def test_otp_send_wait_ends_within_its_timeout_when_another_process_holds_the_keyring_lock(cli, sandbox) -> None:
    """The wait for the keyring's per-user lock (30 s for a write) is cut to --timeout too."""
    added(cli, "Locked", server=sandbox.accounts_url)
    with holding_keyring_lock():
        started = time.monotonic()
        run = run_module("otp", "send", "--connector", "Locked", "--to", TO, "--wait", "--timeout", f"{WAIT:g}",
                         timeout=90)
        elapsed = time.monotonic() - started
    assert run.returncode == ExitCode.CREDENTIALS, run.stderr
    assert "being written by another hubsms process" in run.stderr
    assert elapsed <= WAIT + 1, f"{elapsed:.1f} s"
    assert sandbox.stats()["requests"] == {}
