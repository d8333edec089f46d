"""One table of Twilio's codes (hubsms.twilio.codes.CODES): ``otp send``, ``connector test``
and ``messages`` say a code with the same words and next step, and Twilio's page, through the
real CLI against the sandbox."""

from __future__ import annotations

import json

import pytest
from helpers import added
from sandbox_fixture import DE, EMPTY_SERVICE, OWNED, declare_accounts

from hubsms.twilio.codes import CODES


@pytest.mark.parametrize(("sender", "account", "code", "row"), [
    ("+14155559999", {}, 21659, "sender"),  # nobody's number: the check says 21660 and 21659
    (EMPTY_SERVICE, {}, 21704, "sender"),
    (OWNED, {"status": "suspended"}, 20403, "account_status"),
])
def test_otp_send_and_connector_test_give_the_codes_own_next_step(cli, sandbox, sender, account, code, row):
    declare_accounts(sandbox, **account)
    added(cli, "Prod", from_=sender, server=sandbox.accounts_url)
    step = CODES[code].step
    sent = cli("otp", "send", "--to", DE, "--connector", "Prod", "--json")
    assert sent.exit_code == 5, sent.output
    error = json.loads(sent.stdout)["error"]
    assert error["twilio_code"] == code
    assert step in error["hint"] and CODES[code].words in error["hint"]
    assert f"hint: {error['hint']}" in sent.stderr
    checked = cli("connector", "test", "Prod", "--json")
    hints = {c["name"]: c["hint"] for c in json.loads(checked.stdout)["checks"]}
    assert checked.exit_code == 5
    assert step in hints[row]


def test_messages_explain_a_delivery_code_with_its_words_step_and_page(cli, sandbox):
    added(cli, "Sandbox", server=sandbox.accounts_url)
    sandbox.outcome(DE, "undelivered", 30034)
    assert sandbox.send(to=DE).status_code == 201
    found = cli("messages", "list", "--connector", "Sandbox", "--json")
    message = json.loads(found.stdout)["messages"][0]
    assert message["error_explained"] == f"{CODES[30034].words} (error 30034, https://www.twilio.com/docs/api/errors/30034)"
    assert message["advice"] == CODES[30034].step
