"""TwilioClient against real servers on 127.0.0.1: the project's sandbox, and for answers
the sandbox never gives (HTML, a JSON list, test-credential errors) a tiny stdlib server."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from helpers import FROM as FROM_OK
from helpers import SID as ACCOUNT_SID
from helpers import TOKEN2 as OTHER_TOKEN
from helpers import free_port

from hubsms import __version__
from hubsms.errors import (
    CredentialsRejected,
    DeliveryFailed,
    ExitCode,
    InvalidValue,
    NetworkError,
    TwilioAPIError,
)
from hubsms.twilio.client import TwilioClient, check_delivery
from hubsms.twilio.codes import describe_delivery_error
from hubsms.twilio.failures import DEFAULT_SERVER_ADDRESS
from hubsms.twilio.limits import message_form, parse_timeouts, timeouts_from_env

TOKEN = "5f3b9c0d8e7a6b5c4d3e2f1a0b9c8d7e"
SERVICE_SID = "MG0123456789abcdef0123456789abcdef"
TO = "+14155552671"


# --- helpers ------------------------------------------------------------------------------


def inject_fault(sandbox: Any, mode: str, count: int = 1, **options: Any) -> None:
    sandbox.fault(mode, count, **options)


def twilio_requests(sandbox: Any) -> int:
    """Requests the sandbox saw on its Twilio endpoints."""
    return sum(sandbox.stats()["requests"].values())


def stored_messages(sandbox: Any, to: str = TO) -> list[dict[str, Any]]:
    return sandbox.messages(to)


@pytest.fixture
def make_client(sandbox: Any) -> Iterator[Callable[..., TwilioClient]]:
    """Clients on the sandbox with a short backoff, so retry tests stay quick."""
    made: list[TwilioClient] = []

    def make(token: str = TOKEN, base_url: str | None = None, **kwargs: Any) -> TwilioClient:
        kwargs.setdefault("backoff_factor", 0.05)
        client = TwilioClient(ACCOUNT_SID, token, base_url or sandbox.accounts_url, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def twilio_error(code: int, status: int = 400) -> dict[str, Any]:
    return {"code": code, "message": f"message of {code}", "status": status,
            "more_info": f"https://www.twilio.com/docs/errors/{code}"}


# --- sending ---------------------------------------------------------------------------------


def test_create_message_with_from_posts_to_from_and_body(make_client) -> None:
    message = make_client().create_message(message_form(TO, FROM_OK, "Your code is 123456."))
    assert message["sid"].startswith("SM")
    assert message["status"] == "queued"


def test_create_message_with_from_is_stored_by_the_sandbox(sandbox, make_client) -> None:
    sent = make_client().create_message(message_form(TO, FROM_OK, "Your code is 123456."))
    [stored] = stored_messages(sandbox)
    assert stored["sid"] == sent["sid"]
    assert (stored["to"], stored["from"], stored["body"]) == (TO, FROM_OK, "Your code is 123456.")
    assert stored["messaging_service_sid"] is None


def test_create_message_with_a_messaging_service_sends_its_sid_instead_of_from(
    sandbox, make_client
) -> None:
    sent = make_client().create_message(message_form(TO, SERVICE_SID, "Code 4321"))
    assert sent["status"] == "accepted"
    [stored] = stored_messages(sandbox)
    assert stored["messaging_service_sid"] == SERVICE_SID
    assert stored["from"] is None


def test_create_message_sends_user_agent_accept_and_basic_auth(canned) -> None:
    server = canned(201, "application/json", {"sid": "SM" + "0" * 32, "status": "queued"})
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client:
        client.create_message(message_form(TO, FROM_OK, "x", 300))
    [headers] = server.headers
    assert headers["User-Agent"] == f"hubsms/{__version__}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    expected = base64.b64encode(f"{ACCOUNT_SID}:{TOKEN}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"


# --- Twilio error codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "from_", "code", "hint_fragment"),
    [
        ("+15005550001", FROM_OK, 21211, "E.164"),
        ("+15005550002", FROM_OK, 21612, "cannot route"),
        ("+15005550003", FROM_OK, 21408, "Geo permissions"),
        ("+15005550004", FROM_OK, 21610, "STOP"),
        ("+15005550009", FROM_OK, 21614, "not a mobile number"),
        (TO, "+15005550001", 21212, "not a valid sender"),
        (TO, "+15005550007", 21606, "SMS-capable"),
        (TO, "+15005550008", 21611, "queued"),
    ],
)
def test_magic_numbers_become_twilio_errors_with_code_hint_and_link(
    make_client, to: str, from_: str, code: int, hint_fragment: str
) -> None:
    with pytest.raises(TwilioAPIError) as info:
        make_client().create_message(message_form(to, from_, "x"))
    err = info.value
    assert err.exit_code == ExitCode.REJECTED
    assert (err.code, err.status) == (code, 400)
    assert err.message.startswith(f"Twilio error {code}: ")
    assert hint_fragment in err.hint
    assert f"https://www.twilio.com/docs/errors/{code}" in err.hint
    assert err.more_info == f"https://www.twilio.com/docs/errors/{code}"


def test_an_empty_body_is_error_21602(make_client) -> None:
    with pytest.raises(TwilioAPIError) as info:
        make_client().create_message(message_form(TO, FROM_OK, ""))
    assert info.value.code == 21602
    assert "body is empty" in info.value.hint


def test_a_body_over_1600_characters_is_error_21617(make_client) -> None:
    with pytest.raises(TwilioAPIError) as info:
        make_client().create_message(message_form(TO, FROM_OK, "x" * 1601))
    assert info.value.code == 21617
    assert "1,600" in info.value.hint


def test_nothing_is_stored_when_twilio_refuses(sandbox, make_client) -> None:
    with pytest.raises(TwilioAPIError):
        make_client().create_message(message_form("+15005550004", FROM_OK, "x"))
    assert sandbox.stats()["messages"] == 0


@pytest.mark.parametrize(
    ("code", "status", "hint_fragment"),
    [
        (20008, 403, "test credentials"),
        (21608, 400, "trial account"),
        (20404, 404, "Server Address"),
    ],
)
def test_error_codes_the_sandbox_never_gives_get_their_hints(
    canned, code: int, status: int, hint_fragment: str
) -> None:
    server = canned(status, "application/json", twilio_error(code, status))
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        TwilioAPIError
    ) as info:
        client.fetch_account()
    assert info.value.code == code
    assert hint_fragment in info.value.hint
    assert info.value.exit_code == ExitCode.REJECTED


def test_an_unknown_code_still_shows_twilio_message_and_link(canned) -> None:
    server = canned(400, "application/json", twilio_error(21999))
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        TwilioAPIError
    ) as info:
        client.create_message(message_form(TO, FROM_OK, "x"))
    assert info.value.message == "Twilio error 21999: message of 21999"
    assert "https://www.twilio.com/docs/errors/21999" in info.value.hint


# --- credentials ---------------------------------------------------------------------------------


@pytest.fixture
def checking_sandbox() -> Iterator[Any]:
    from hubsms.sandbox.server import SandboxServer

    server = SandboxServer(auth_token=TOKEN)
    server.start()
    yield server
    server.stop()


def _accounts_url(server: Any) -> str:
    url = getattr(server, "accounts_url", None) or server.url + "/2010-04-01/Accounts"
    return url


def test_a_wrong_token_is_credentials_rejected_with_exit_4(checking_sandbox) -> None:
    with TwilioClient(ACCOUNT_SID, OTHER_TOKEN, _accounts_url(checking_sandbox)) as client:
        with pytest.raises(CredentialsRejected) as info:
            client.create_message(message_form(TO, FROM_OK, "x"))
    err = info.value
    assert err.exit_code == ExitCode.CREDENTIALS
    assert "rejected the credentials" in err.message
    assert "auth token" in err.hint
    assert "https://www.twilio.com/docs/errors/20003" in err.hint


def test_the_token_never_appears_in_the_credentials_error(checking_sandbox) -> None:
    with TwilioClient(ACCOUNT_SID, OTHER_TOKEN, _accounts_url(checking_sandbox)) as client:
        with pytest.raises(CredentialsRejected) as info:
            client.fetch_account()
        shown = " ".join([info.value.message, info.value.hint or "", str(info.value),
                          repr(info.value), repr(client)])
    assert OTHER_TOKEN not in shown
    assert TOKEN not in shown


def test_the_right_token_is_accepted_by_a_checking_sandbox(checking_sandbox) -> None:
    with TwilioClient(ACCOUNT_SID, TOKEN, _accounts_url(checking_sandbox)) as client:
        assert client.fetch_account()["sid"] == ACCOUNT_SID


def test_repr_shows_the_account_but_not_the_token() -> None:
    client = TwilioClient(ACCOUNT_SID, TOKEN)
    assert ACCOUNT_SID in repr(client)
    assert TOKEN not in repr(client)
    assert TOKEN not in repr(vars(client))
    client.close()


def test_code_20003_on_another_status_is_still_credentials_rejected(canned) -> None:
    server = canned(403, "application/json", twilio_error(20003, 403))
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        CredentialsRejected
    ):
        client.fetch_account()


# --- retries ----------------------------------------------------------------------------------


def test_a_429_is_retried_and_the_message_is_stored_once(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="429", count=1)
    sent = make_client().create_message(message_form(TO, FROM_OK, "Code 1111"))
    assert [m["sid"] for m in stored_messages(sandbox)] == [sent["sid"]]
    assert twilio_requests(sandbox) == 2


def test_a_429_retry_after_is_honoured(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="429", count=1, retry_after=1)
    started = time.monotonic()
    make_client().create_message(message_form(TO, FROM_OK, "Code 2222"))
    assert time.monotonic() - started >= 1.0
    assert len(stored_messages(sandbox)) == 1


def test_a_429_forever_ends_in_error_20429_after_the_retries(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="429", count=100)
    with pytest.raises(TwilioAPIError) as info:
        make_client(retries=2).create_message(message_form(TO, FROM_OK, "Code 3333"))
    assert info.value.code == 20429
    assert info.value.exit_code == ExitCode.REJECTED
    assert twilio_requests(sandbox) == 3
    assert stored_messages(sandbox) == []


def test_a_retry_after_beyond_the_time_budget_is_not_waited_for(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="429", count=1, retry_after=3600)
    with pytest.raises(TwilioAPIError) as info:
        make_client(retry_total_seconds=5).create_message(message_form(TO, FROM_OK, "Code 4444"))
    assert info.value.code == 20429
    assert twilio_requests(sandbox) == 1


def test_a_500_is_not_retried_and_says_the_outcome_is_unknown(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="500", count=5)
    with pytest.raises(NetworkError) as info:
        make_client().create_message(message_form(TO, FROM_OK, "Code 5555"))
    assert info.value.exit_code == ExitCode.NETWORK
    assert "HTTP 500" in info.value.message and "unknown" in info.value.message
    assert "not retried" in info.value.hint
    assert twilio_requests(sandbox) == 1


def test_a_503_with_retry_after_is_not_retried(canned) -> None:
    server = canned(503, "text/html", "<h1>Service Unavailable</h1>", Retry_After="1")
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        NetworkError
    ) as info:
        client.create_message(message_form(TO, FROM_OK, "x"))
    assert "HTTP 503" in info.value.message
    assert len(server.headers) == 1


def test_a_read_timeout_is_not_retried(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="delay", count=5, delay=1.5)
    with pytest.raises(NetworkError) as info:
        make_client(read_timeout=0.3).create_message(message_form(TO, FROM_OK, "Code 6666"))
    assert "may or may not have been sent" in info.value.message
    assert "not retried" in info.value.hint
    assert twilio_requests(sandbox) == 1


def test_a_connection_closed_before_the_answer_is_not_retried(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="close", count=5)
    with pytest.raises(NetworkError) as info:
        make_client().create_message(message_form(TO, FROM_OK, "Code 7777"))
    assert "may or may not have been sent" in info.value.message
    assert twilio_requests(sandbox) == 1


def test_a_get_whose_connection_closes_is_retried_once(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="close", count=1)
    assert make_client().fetch_account()["sid"] == ACCOUNT_SID  # the second try is answered
    assert twilio_requests(sandbox) == 2


def test_a_get_read_timeout_is_not_retried(sandbox, make_client) -> None:
    inject_fault(sandbox, mode="delay", count=5, delay=1.5)
    with pytest.raises(NetworkError) as info:
        make_client(read_timeout=0.3).fetch_account()
    assert "did not answer in time" in info.value.message
    assert twilio_requests(sandbox) == 1


def test_a_refused_connection_is_a_network_error_naming_the_host() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/2010-04-01/Accounts"
    with TwilioClient(ACCOUNT_SID, TOKEN, url, retries=1, backoff_factor=0.01) as client:
        with pytest.raises(NetworkError) as info:
            client.create_message(message_form(TO, FROM_OK, "x"))
    assert info.value.message.startswith(f"cannot connect to 127.0.0.1:{port}")
    assert "not sent" in info.value.hint
    assert info.value.exit_code == ExitCode.NETWORK


def test_a_refused_connection_is_retried_until_the_server_is_up(caplog) -> None:
    from hubsms.sandbox.server import SandboxServer

    port = free_port()
    url = f"http://127.0.0.1:{port}/2010-04-01/Accounts"
    server = SandboxServer(port=port)
    starter = threading.Timer(0.3, server.start)
    caplog.set_level(logging.WARNING, logger="urllib3")
    try:
        starter.start()
        with TwilioClient(ACCOUNT_SID, TOKEN, url, retries=6, backoff_factor=0.2) as client:
            sent = client.create_message(message_form(TO, FROM_OK, "Code 8888"))
        assert sent["sid"].startswith("SM")
        assert "NewConnectionError" in caplog.text  # at least one attempt was refused
        listed = requests.get(f"http://127.0.0.1:{port}/api/messages", params={"to": TO}, timeout=5).json()
        assert len(listed["messages"]) == 1
    finally:
        starter.join()
        server.stop()


# --- answers that are not Twilio's ------------------------------------------------------------------


def test_an_html_answer_is_a_network_error_not_a_traceback(canned) -> None:
    server = canned(200, "text/html", "<html><body>Proxy login</body></html>")
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        NetworkError
    ) as info:
        client.create_message(message_form(TO, FROM_OK, "x"))
    assert "text/html" in info.value.message
    assert "Server Address" in info.value.hint


def test_a_json_list_answer_is_a_network_error(canned) -> None:
    server = canned(200, "application/json", [1, 2, 3])
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        NetworkError
    ) as info:
        client.fetch_account()
    assert "not a Twilio JSON object" in info.value.message


def test_a_404_html_page_is_a_rejection_without_a_code(canned) -> None:
    server = canned(404, "text/html", "<h1>Not Found</h1>")
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        TwilioAPIError
    ) as info:
        client.fetch_account()
    assert info.value.code is None and info.value.status == 404
    assert "Server Address" in info.value.hint


def test_an_error_body_missing_keys_is_a_rejection_without_a_code(canned) -> None:
    server = canned(400, "application/json", {"error": "bad"})
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        TwilioAPIError
    ) as info:
        client.fetch_account()
    assert "without a Twilio error body" in info.value.message


def test_a_redirect_is_not_followed(canned) -> None:
    server = canned(302, "text/html", "", Location="http://127.0.0.1:{port}/elsewhere")
    with TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url) as client, pytest.raises(
        NetworkError
    ) as info:
        client.create_message(message_form(TO, FROM_OK, "x"))
    assert "redirect" in info.value.message
    assert len(server.headers) == 1


# --- fetching and polling ------------------------------------------------------------------------


def test_fetch_account_returns_the_account_without_its_token(make_client) -> None:
    account = make_client().fetch_account()
    assert account["sid"] == ACCOUNT_SID
    assert account["status"] == "active"
    assert "auth_token" not in account


def test_fetch_message_of_an_unknown_sid_is_error_20404(make_client) -> None:
    with pytest.raises(TwilioAPIError) as info:
        make_client().fetch_message("SM" + "f" * 32)
    assert info.value.code == 20404


def test_polling_reports_each_status_until_delivered(sandbox, make_client) -> None:
    sandbox.status_delay = 0.1
    client = make_client()
    sent = client.create_message(message_form(TO, FROM_OK, "Code 9999"))
    seen: list[str] = []
    final = client.wait_for_final_status(
        sent["sid"], timeout=20, interval=0.05, on_status=lambda status, _m: seen.append(status)
    )
    assert final["status"] == "delivered"
    assert seen[-1] == "delivered" and len(seen) >= 2
    assert all(a != b for a, b in zip(seen, seen[1:]))  # one call per change
    assert set(seen) <= {"queued", "sending", "sent", "delivered"}
    check_delivery(final)  # delivered: no error


def test_polling_ends_at_undelivered_with_the_carrier_error(sandbox, make_client) -> None:
    sandbox.status_delay = 0.05
    sandbox.outcome(TO, "undelivered", 30007)
    client = make_client()
    sent = client.create_message(message_form(TO, FROM_OK, "Code 1234"))
    final = client.wait_for_final_status(sent["sid"], timeout=20, interval=0.05)
    assert (final["status"], final["error_code"]) == ("undelivered", 30007)
    with pytest.raises(DeliveryFailed) as info:
        check_delivery(final)
    assert info.value.exit_code == ExitCode.DELIVERY_FAILED
    assert "filtered" in info.value.message and "30007" in info.value.message


def test_polling_returns_the_last_status_when_time_runs_out(sandbox, make_client) -> None:
    sandbox.status_delay = 60
    client = make_client()
    sent = client.create_message(message_form(TO, FROM_OK, "Code 4321"))
    started = time.monotonic()
    last = client.wait_for_final_status(sent["sid"], timeout=0.5, interval=0.1)
    assert time.monotonic() - started >= 0.5
    assert last["status"] == "queued"


# --- pure helpers ------------------------------------------------------------------------------


def test_default_server_address_is_twilio() -> None:
    assert DEFAULT_SERVER_ADDRESS == "https://api.twilio.com/2010-04-01/Accounts"


def test_timeouts_from_env_defaults_when_unset() -> None:
    assert timeouts_from_env({}) == (5.0, 15.0)


def test_timeouts_from_env_reads_one_value_for_both() -> None:
    assert timeouts_from_env({"HUBSMS_TIMEOUT": "7"}) == (7.0, 7.0)


def test_timeouts_from_env_reads_connect_and_read() -> None:
    assert timeouts_from_env({"HUBSMS_TIMEOUT": "2.5, 30"}) == (2.5, 30.0)


def test_timeouts_from_env_reads_the_process_environment(monkeypatch) -> None:
    monkeypatch.setenv("HUBSMS_TIMEOUT", "3,4")
    assert timeouts_from_env() == (3.0, 4.0)


@pytest.mark.parametrize("text", ["abc", "0", "-1", "1,2,3", "nan", "inf", "5,", "1e9"])
def test_parse_timeouts_refuses_malformed_values(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_timeouts(text)
    assert info.value.field == "HUBSMS_TIMEOUT"
    assert "HUBSMS_TIMEOUT" in info.value.message
    assert '"5,30"' in info.value.hint


@pytest.mark.parametrize(
    ("code", "fragment"),
    [(30003, "unreachable"), (30005, "unknown destination"), (30006, "landline"),
     (30007, "filtered"), (30008, "unknown error")],
)
def test_describe_delivery_error_names_the_common_codes(code: int, fragment: str) -> None:
    text = describe_delivery_error(code)
    assert fragment in text
    assert f"https://www.twilio.com/docs/api/errors/{code}" in text


def test_describe_delivery_error_links_an_unknown_code() -> None:
    assert "https://www.twilio.com/docs/api/errors/30999" in describe_delivery_error(30999)
