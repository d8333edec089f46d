"""What Twilio's answers must hold, and the one create-message form, against real servers on
127.0.0.1: the sandbox, and a small recording server for answers the sandbox never gives."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import FROM, TOKEN, added
from helpers import SID as ACCOUNT_SID
from sandbox_fixture import SPEC_PATH
from servers import Canned, Flood

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


# --- hostile answers: too large, too deep -----------------------------------------------------

MIB = 1024 * 1024
CREATED = json.dumps({"sid": SID, "status": "queued"}).encode()


def gzip_bomb(mib: int) -> bytes:
    """A created message followed by ``mib`` MiB of spaces (valid JSON, once unpacked), as a
    gzip body of a few kilobytes: gzip members one after another make one stream."""
    return gzip.compress(CREATED) + gzip.compress(b" " * MIB) * mib


def send_to(cli, name: str, url: str):
    added(cli, name, server=url)
    result = cli("otp", "send", "--connector", name, "--to", TO)
    return result, result.output + (result.stderr or "")


@pytest.mark.parametrize("length", [None, 3 * 1024 * MIB], ids=["unending", "declared 3 GiB"])
def test_an_answer_that_never_ends_is_read_no_further_than_the_cap(cli, slow_server, monkeypatch, length) -> None:
    monkeypatch.setenv("HUBSMS_DEADLINE", "3")  # how long the flood may run if nothing stops it
    flood = Flood(length)
    server = slow_server(flood)
    result, shown = send_to(cli, "Flood", server.url())
    assert result.exit_code == ExitCode.NETWORK, shown
    assert f"127.0.0.1:{server.port} sent an answer larger than 16 MiB, not one of Twilio's" in shown
    assert "may have been sent" in shown  # it was a POST
    assert flood.sent < 32 * MIB  # the cap, and what the sockets' buffers hold


def test_a_gzip_bomb_is_read_no_further_than_the_cap_unpacked(cli, canned) -> None:
    server = canned(201, "application/json", gzip_bomb(64), Content_Encoding="gzip")
    result, shown = send_to(cli, "Bomb", server.accounts_url)
    assert result.exit_code == ExitCode.NETWORK, shown
    assert "sent an answer larger than 16 MiB" in shown


def test_an_answer_just_under_the_cap_is_read(cli, canned) -> None:
    server = canned(201, "application/json", CREATED + b" " * (16 * MIB - len(CREATED)))
    result, shown = send_to(cli, "Big", server.accounts_url)
    assert result.exit_code == 0, shown
    assert SID in result.stdout


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (201, "[" * 100_000 + "]" * 100_000),  # the parser's recursion ends it
        (201, {"sid": SID, "status": "queued", "extra": nested(100)}),  # parses, yet is no answer of Twilio's
        (400, '{"code": 21211, "message": ' + "[" * 100_000 + "]" * 100_000 + "}"),  # a 4xx's error body
    ],
    ids=["recursion", "100 deep", "error body"],
)
def test_json_nested_deeper_than_sane_exits_6_with_words(cli, canned, status, body) -> None:
    server = canned(status, "application/json", body)
    result, shown = send_to(cli, "Deep", server.accounts_url)
    assert result.exit_code == ExitCode.NETWORK, shown
    assert f"127.0.0.1:{server.port} answered with JSON nested deeper than 64 levels, not one of Twilio's" in shown
    assert "RecursionError" not in shown and "internal error" not in shown


def test_json_as_deep_as_the_limit_is_read(cli, canned) -> None:
    server = canned(201, "application/json", {"sid": SID, "status": "queued", "extra": nested(63)})
    result, shown = send_to(cli, "Deep enough", server.accounts_url)
    assert result.exit_code == 0, shown


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
