"""What Twilio's answers must hold, and the one create-message form, against real servers on
127.0.0.1: the sandbox, and a small recording server for answers the sandbox never gives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import FROM, TOKEN, added
from helpers import SID as ACCOUNT_SID
from sandbox_fixture import SPEC_PATH
from servers import Canned

from hubsms.errors import ExitCode, NetworkError
from hubsms.twilio.client import TwilioClient
from hubsms.twilio.limits import message_form

SERVICE_SID = "MG0123456789abcdef0123456789abcdef"
SID = "SM" + "a" * 32
OTHER_SID = "SM" + "b" * 32
TO = "+14155552671"


@pytest.fixture
def answering(canned: Callable[..., Canned]) -> Iterator[Callable[[int, Any], TwilioClient]]:
    """``answering(status, payload)``: a client whose server always answers that JSON."""
    clients: list[TwilioClient] = []

    def start(status: int, payload: Any) -> TwilioClient:
        server = canned(status, "application/json", payload)
        clients.append(TwilioClient(ACCOUNT_SID, TOKEN, server.accounts_url))
        clients[-1].recorder = server  # type: ignore[attr-defined]
        return clients[-1]

    yield start
    for client in clients:
        client.close()


# --- a created message must carry its SID and a known status ----------------------------------


@pytest.mark.parametrize(
    ("payload", "lacked"),
    [
        ({"status": "queued"}, "a message SID"),
        ({"sid": None, "status": "queued"}, "a message SID"),
        ({"sid": "AC" + "a" * 32, "status": "queued"}, "a message SID"),
        ({"sid": SID + "0", "status": "queued"}, "a message SID"),
        ({"sid": SID}, "a known message status"),
        ({"sid": SID, "status": "done"}, "a known message status"),
    ],
)
def test_a_created_message_lacking_sid_or_status_is_a_network_error(answering, payload, lacked) -> None:
    client = answering(201, payload)
    with pytest.raises(NetworkError) as info:
        client.create_message(message_form(TO, FROM, "Code 1"))
    err = info.value
    assert err.exit_code == ExitCode.NETWORK
    assert err.message.startswith(f"Twilio's answer from 127.0.0.1:{client.recorder.port} lacked {lacked}")
    assert "may have been sent" in err.hint


# Twilio's message statuses, from its OpenAPI description (not from the code under test).
DOCUMENTED_STATUSES = json.loads(SPEC_PATH.read_text(encoding="utf-8"))["components"]["schemas"]["message_enum_status"]["enum"]


@pytest.mark.parametrize("status", DOCUMENTED_STATUSES)
def test_an_mms_sid_and_every_documented_status_are_accepted(answering, status) -> None:
    mms = "MM" + "0123456789ABCDEF" * 2
    assert answering(201, {"sid": mms, "status": status}).create_message(message_form(TO, FROM, "x"))["sid"] == mms


def test_a_poll_answering_another_sid_is_refused(answering) -> None:
    client = answering(200, {"sid": OTHER_SID, "status": "delivered"})
    with pytest.raises(NetworkError) as info:
        client.wait_for_final_status(SID, timeout=1, interval=0.05)
    assert f"lacked the SID asked for ({SID})" in info.value.message
    assert OTHER_SID in info.value.message
    assert "may have been sent" not in info.value.hint  # a GET sends nothing


def test_a_poll_of_the_right_sid_is_accepted(answering) -> None:
    client = answering(200, {"sid": SID, "status": "delivered"})
    assert client.wait_for_final_status(SID, timeout=1, interval=0.05)["status"] == "delivered"


@pytest.mark.parametrize(
    ("payload", "lacked"),
    [
        ({"status": "active", "type": "Full"}, "this account's SID"),
        ({"sid": "AC" + "f" * 32, "status": "active", "type": "Full"}, "this account's SID"),
        ({"sid": ACCOUNT_SID, "type": "Full"}, "a known account status"),
        ({"sid": ACCOUNT_SID, "status": "active"}, "a known account type"),
    ],
)
def test_an_account_lacking_sid_status_or_type_is_a_network_error(answering, payload, lacked) -> None:
    with pytest.raises(NetworkError) as info:
        answering(200, payload).fetch_account()
    assert f"lacked {lacked}" in info.value.message


def test_the_sandbox_answers_pass_every_check(sandbox) -> None:
    sandbox.status_delay = 0.05
    with TwilioClient(ACCOUNT_SID, TOKEN, sandbox.accounts_url) as client:
        assert client.fetch_account()["type"] in {"Trial", "Full"}
        sent = client.create_message(message_form(TO, SERVICE_SID, "Code 2"))
        assert client.wait_for_final_status(sent["sid"], timeout=10, interval=0.05)["status"] == "delivered"


def test_otp_send_wait_with_a_sidless_answer_exits_6_not_a_crash(cli, answering) -> None:
    client = answering(201, {"status": "queued"})
    added(cli, "Odd", server=client.base_url)
    result = cli("otp", "send", "--connector", "Odd", "--to", TO, "--wait")
    shown = result.output + (result.stderr or "")
    assert result.exit_code == ExitCode.NETWORK, shown
    assert "lacked a message SID" in shown
    assert "KeyError" not in shown and "internal error" not in shown


# --- the one create-message form --------------------------------------------------------------


def test_message_form_with_a_number_uses_from() -> None:
    assert message_form(TO, FROM, "Code 3") == {"To": TO, "From": FROM, "Body": "Code 3"}


def test_message_form_with_a_messaging_service_sid_uses_messaging_service_sid() -> None:
    assert message_form(TO, SERVICE_SID, "Code 4", 300) == {
        "To": TO, "MessagingServiceSid": SERVICE_SID, "Body": "Code 4", "ValidityPeriod": "300",
    }


@pytest.mark.parametrize("sender", ["MG123", "MG" + "g" * 32, "Acme", "12345"])
def test_message_form_sends_anything_else_as_from(sender: str) -> None:
    assert message_form(TO, sender, "x")["From"] == sender


def test_create_message_posts_exactly_the_form(answering) -> None:
    client = answering(201, {"sid": SID, "status": "accepted"})
    form = message_form(TO, SERVICE_SID, "Code 5 ü", 120)
    assert client.create_message(form)["sid"] == SID
    assert client.recorder.forms == [list(form.items())]


def test_send_message_posts_what_message_form_builds(answering) -> None:
    client = answering(201, {"sid": SID, "status": "queued"})
    client.create_message(message_form(TO, FROM, "Code 6", 60))
    assert dict(client.recorder.forms[0]) == message_form(TO, FROM, "Code 6", 60)


def test_create_message_is_stored_by_the_sandbox_as_posted(sandbox) -> None:
    with TwilioClient(ACCOUNT_SID, TOKEN, sandbox.accounts_url) as client:
        sent = client.create_message(message_form(TO, SERVICE_SID, "Code 7"))
    [stored] = sandbox.messages(TO)
    assert (stored["sid"], stored["messaging_service_sid"], stored["from"]) == (sent["sid"], SERVICE_SID, None)
    assert stored["body"] == "Code 7"
