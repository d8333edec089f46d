"""connector test with credentials that may not read the account (403, as a key with restricted
rights gets it; the sandbox's ``forbidden``): the account's status is unknown, a warning, and
the checks that can still run do, instead of 'credentials failed'."""

from __future__ import annotations

import json

from helpers import added
from sandbox_fixture import OWNED, US, VERIFIED, declare_accounts


def checked(cli, *args: str) -> tuple[int, dict]:
    result = cli("connector", "test", "Prod", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def rows(report: dict) -> dict[str, tuple[str, int | None]]:
    return {check["name"]: (check["status"], check["code"]) for check in report["checks"]}


def test_an_account_that_answers_403_is_status_unknown_and_the_rest_is_checked(cli, sandbox):
    declare_accounts(sandbox, forbidden=["account"])
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    code, report = checked(cli, "--to", VERIFIED)
    assert code == 0 and report["ok"] is True and "error" not in report
    assert rows(report) == {"credentials": ("ok", None), "account_status": ("warning", 70051),
                            "account_type": ("skipped", None), "sender": ("ok", None), "recipient": ("ok", None)}
    assert report["status"] is None and report["type"] is None
    status = report["checks"][1]
    assert status["detail"].startswith("unknown: Twilio refused to show the account (403, 70051)")
    assert "https://www.twilio.com/docs/errors/70051" in status["hint"]
    people = cli("connector", "test", "Prod")
    assert people.exit_code == 0 and "warning: account_status (70051)" in people.stderr


def test_an_unverified_recipient_of_an_unknown_account_type_is_a_warning(cli, sandbox):
    declare_accounts(sandbox, forbidden=["account"])
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    code, report = checked(cli, "--to", US)
    assert code == 0
    assert rows(report)["recipient"] == ("warning", 21608)


def test_a_check_the_credentials_may_not_make_is_unknown_not_failed(cli, sandbox):
    declare_accounts(sandbox, forbidden=["account", "numbers"])
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    code, report = checked(cli)
    assert code == 0
    sender = report["checks"][3]
    assert (sender["name"], sender["status"], sender["code"]) == ("sender", "warning", 70051)
    assert sender["detail"].startswith("unknown: these credentials may not read")


def test_the_sandbox_refuses_an_unknown_forbidden_resource(sandbox):
    answer = sandbox.http.post(f"{sandbox.url}/api/accounts", timeout=10, json={
        "sid": sandbox.account_sid, "forbidden": ["messages"]})
    assert answer.status_code == 400 and "forbidden" in answer.json()["error"]
