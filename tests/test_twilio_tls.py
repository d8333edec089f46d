"""TLS failures against real servers on 127.0.0.1: a certificate from a CA the client does not
trust (as behind a TLS-inspecting proxy), https to a plain-HTTP port, a handshake that stalls.
Each is a NetworkError (exit 6) saying what happened and that nothing was sent."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable

import pytest
import requests
import trustme
from helpers import FROM, TOKEN, added
from helpers import SID as ACCOUNT_SID
from servers import Canned, say_nothing

from hubsms.errors import ExitCode, NetworkError
from hubsms.twilio.client import TwilioClient
from hubsms.twilio.limits import message_form

TO = "+14155552671"
MESSAGE = {"sid": "SM" + "1" * 32, "status": "queued", "to": TO}
ACCOUNT = {"sid": ACCOUNT_SID, "status": "active", "type": "Full", "friendly_name": "tls"}


def answering(canned: Callable[..., Canned], context: ssl.SSLContext | None = None) -> Canned:
    """A server answering a created message to a POST and the account to a GET."""
    return canned(201, "application/json", MESSAGE, get=(200, "application/json", ACCOUNT), context=context)


def tls_context(ca: trustme.CA, name: str) -> ssl.SSLContext:
    """A server's TLS context with a certificate for ``name`` from ``ca``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(name).configure_cert(context)
    return context


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(canned: Callable[..., Canned], ca: trustme.CA) -> Canned:
    """A real HTTPS server whose certificate (for 127.0.0.1) comes from a CA nobody trusts."""
    return answering(canned, tls_context(ca, "127.0.0.1"))


@pytest.fixture
def http_server(canned: Callable[..., Canned]) -> Canned:
    return answering(canned)


def accounts(scheme: str, server: Canned) -> str:
    return f"{scheme}://127.0.0.1:{server.port}/2010-04-01/Accounts"


def test_an_untrusted_certificate_is_a_network_error_saying_so(https_server) -> None:
    with TwilioClient(ACCOUNT_SID, TOKEN, accounts("https", https_server), retries=0) as client:
        with pytest.raises(NetworkError) as info:
            client.create_message(message_form(TO, FROM, "Code 1"))
    err = info.value
    assert err.exit_code == ExitCode.NETWORK
    assert err.message.startswith(f"cannot connect securely to 127.0.0.1:{https_server.port}")
    assert "certificate is not trusted" in err.message
    assert "REQUESTS_CA_BUNDLE=/path/ca.pem" in err.hint
    assert "Nothing was sent" in err.hint and "may or may not" not in err.message
    assert https_server.requests == 0


def test_the_same_server_is_reached_once_its_ca_is_trusted(https_server, ca, tmp_path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    session = requests.Session()
    session.verify = str(bundle)
    with TwilioClient(ACCOUNT_SID, TOKEN, accounts("https", https_server), session=session) as client:
        assert client.create_message(message_form(TO, FROM, "Code 2"))["sid"] == MESSAGE["sid"]
    session.close()
    assert https_server.requests == 1


@pytest.fixture
def misnamed_server(canned: Callable[..., Canned], ca: trustme.CA) -> Canned:
    """A real HTTPS server whose certificate is for another name than 127.0.0.1."""
    return answering(canned, tls_context(ca, "elsewhere.example"))


def test_a_certificate_for_another_name_says_so(misnamed_server, ca, tmp_path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    session = requests.Session()
    session.verify = str(bundle)  # the CA is trusted: only the name is wrong
    with TwilioClient(ACCOUNT_SID, TOKEN, accounts("https", misnamed_server), session=session) as client:
        with pytest.raises(NetworkError) as info:
            client.fetch_account()
    session.close()
    assert "certificate is for another name" in info.value.message
    assert misnamed_server.requests == 0


def test_https_to_a_plain_http_port_says_the_server_does_not_speak_tls(http_server) -> None:
    with TwilioClient(ACCOUNT_SID, TOKEN, accounts("https", http_server), retries=0) as client:
        with pytest.raises(NetworkError) as info:
            client.create_message(message_form(TO, FROM, "Code 3"))
    err = info.value
    assert "does not speak TLS on that port" in err.message
    assert "plain HTTP" in err.hint and "Nothing was sent" in err.hint
    assert "may or may not" not in err.message


def test_a_handshake_that_stalls_says_nothing_was_sent(slow_server) -> None:
    """A server that accepts the connection and never answers the TLS hello."""
    server = slow_server(say_nothing)
    with TwilioClient(ACCOUNT_SID, TOKEN, server.url("https"), read_timeout=0.5, retries=0) as client:
        with pytest.raises(NetworkError) as info:
            client.create_message(message_form(TO, FROM, "Code 4"))
    assert "TLS handshake timed out" in info.value.message
    assert "not sent" in info.value.hint
    assert "may or may not" not in info.value.message


def test_otp_send_through_an_untrusted_certificate_exits_6_without_a_traceback(cli, https_server) -> None:
    added(cli, "Proxy", server=accounts("https", https_server))
    started = time.monotonic()
    result = cli("otp", "send", "--connector", "Proxy", "--to", TO)
    assert result.exit_code == ExitCode.NETWORK, result.output
    shown = result.output + (result.stderr or "")
    assert "certificate is not trusted" in shown
    assert "REQUESTS_CA_BUNDLE" in shown
    assert "internal error" not in shown and "Traceback" not in shown
    assert time.monotonic() - started < 10
