"""hubsms connector test NAME: each check through the real CLI against the sandbox, with the
account declared as Twilio would hold it; where a check fails, a real send through the same
connector is refused with the code the check named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from helpers import SID, TOKEN, added
from sandbox_fixture import (
    DE,
    EMPTY_SERVICE,
    FOREIGN,
    OWNED,
    SERVICE,
    SHORT,
    US,
    VERIFIED,
    VOICE,
    declare_accounts,
)

NAMES = ["credentials", "account_status", "account_type", "sender"]


def run_json(cli, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("connector", "test", *args, "--json")
    return result.exit_code, json.loads(result.stdout)  # one JSON document, even on failure


def rows(report: dict[str, Any]) -> dict[str, tuple[str, int | None]]:
    return {check["name"]: (check["status"], check["code"]) for check in report["checks"]}


def refused_send_code(cli, name: str, to: str = DE) -> int:
    """What Twilio (the sandbox) answers a real send through the connector."""
    result = cli("otp", "send", "--to", to, "--connector", name, "--json")
    assert result.exit_code == 5, result.output
    return json.loads(result.stdout)["error"]["twilio_code"]


def test_a_connector_twilio_accepts_passes_every_check(cli, sandbox):
    declare_accounts(sandbox, type="Full")
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    code, report = run_json(cli, "Prod", "--to", US)
    assert code == 0
    assert report["connector"] == "Prod" and report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [*NAMES, "recipient"]
    assert all(c["status"] == "ok" and c["code"] is None for c in report["checks"]), report
    assert set(report["checks"][0]) >= {"name", "status", "code", "detail"}
    assert report["friendly_name"] == "Production" and report["type"] == "Full"
    people = cli("connector", "test", "Prod")
    assert people.exit_code == 0 and "nothing sent" in people.stderr
    assert people.stdout.splitlines()[0].split("\t") == ["Check", "Status", "Code", "Detail"]
    assert sandbox.messages() == []  # nothing was sent
    assert TOKEN not in people.output


@pytest.mark.parametrize(
    ("sender", "code", "send_code"),
    [
        ("+14155559999", 21660, 21659),  # no Twilio number of anyone: the row names both codes
        (FOREIGN, 21660, 21660),  # another account's number
        (VOICE, 21661, 21661),  # the account's, voice only
        ("12345", 21660, 21659),  # a short code it does not own
        ("MG" + "9" * 32, 21701, 21701),  # no service of the account
        (EMPTY_SERVICE, 21704, 21704),  # a service with an empty sender pool
    ],
)
def test_a_sender_twilio_would_refuse_fails_its_check(cli, sandbox, sender, code, send_code):
    declare_accounts(sandbox)
    added(cli, "Prod", from_=sender, server=sandbox.accounts_url)
    exit_code, report = run_json(cli, "Prod")
    assert exit_code == 5
    assert rows(report)["sender"] == ("failed", code)
    assert rows(report)["credentials"] == ("ok", None)
    assert report["ok"] is False
    detail = next(c for c in report["checks"] if c["name"] == "sender")["detail"]
    assert str(send_code) in detail
    assert refused_send_code(cli, "Prod") == send_code
    people = cli("connector", "test", "Prod")
    assert people.exit_code == 5
    assert people.stderr.count("error:") == 1 and f"sender ({code})" in people.stderr


@pytest.mark.parametrize("sender", [OWNED, SHORT, SERVICE])
def test_a_sender_of_the_account_passes(cli, sandbox, sender):
    declare_accounts(sandbox, type="Full")
    added(cli, "Prod", from_=sender, server=sandbox.accounts_url)
    exit_code, report = run_json(cli, "Prod")
    assert exit_code == 0, report
    assert rows(report)["sender"] == ("ok", None)


def test_a_service_sender_names_its_pool(cli, sandbox):
    declare_accounts(sandbox, type="Full")
    added(cli, "Prod", from_=SERVICE, server=sandbox.accounts_url)
    _, report = run_json(cli, "Prod")
    detail = next(c for c in report["checks"] if c["name"] == "sender")["detail"]
    assert "1 phone numbers" in detail and "1 alpha senders" in detail


def test_an_alphanumeric_sender_warns_and_fails_only_towards_the_us(cli, sandbox):
    declare_accounts(sandbox, type="Full")
    added(cli, "Alpha", from_="SigningHub", server=sandbox.accounts_url)
    exit_code, report = run_json(cli, "Alpha")
    assert exit_code == 0
    assert rows(report)["sender"] == ("warning", 21612)
    exit_code, report = run_json(cli, "Alpha", "--to", US)
    assert exit_code == 5
    assert rows(report)["route"] == ("failed", 21612)
    assert refused_send_code(cli, "Alpha", to=US) == 21612
    exit_code, report = run_json(cli, "Alpha", "--to", DE)
    assert exit_code == 0 and rows(report)["route"] == ("ok", None)


def test_a_trial_account_warns_and_checks_that_the_recipient_is_verified(cli, sandbox):
    declare_accounts(sandbox, type="Trial")
    added(cli, "Trial", from_=OWNED, server=sandbox.accounts_url)
    exit_code, report = run_json(cli, "Trial", "--to", US)
    assert exit_code == 5
    assert rows(report)["account_type"] == ("warning", 21608)
    assert "verified" in report["checks"][2]["detail"]
    assert rows(report)["recipient"] == ("failed", 21608)
    assert refused_send_code(cli, "Trial", to=US) == 21608
    exit_code, report = run_json(cli, "Trial", "--to", VERIFIED)
    assert exit_code == 0 and rows(report)["recipient"] == ("ok", None)


def test_a_suspended_account_fails_and_skips_what_it_cannot_do(cli, sandbox):
    declare_accounts(sandbox, status="suspended")
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    exit_code, report = run_json(cli, "Prod", "--to", VERIFIED)
    assert exit_code == 5
    assert rows(report)["account_status"] == ("failed", 20403)
    assert rows(report)["sender"] == ("skipped", None) and rows(report)["recipient"] == ("skipped", None)
    assert "suspended" in report["checks"][3]["detail"]
    assert refused_send_code(cli, "Prod") == 20403


def test_a_closed_accounts_credentials_are_refused(cli, sandbox):
    declare_accounts(sandbox, status="closed")
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    result = cli("connector", "test", "Prod", "--json")
    assert result.exit_code == 4
    report = json.loads(result.stdout)
    assert rows(report) == {"credentials": ("failed", 20003), **{n: ("skipped", None) for n in NAMES[1:]}}
    assert "closed" in report["checks"][0]["detail"]
    assert result.stderr.startswith("error: ") and "hint: " in result.stderr
    assert TOKEN not in result.output


def test_a_wrong_token_exits_4(cli, sandbox):
    declare_accounts(sandbox)
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url, tok="f" * 32)
    exit_code, report = run_json(cli, "Prod")
    assert exit_code == 4 and rows(report)["credentials"] == ("failed", 20003)


def test_test_credentials_are_said_as_such_and_the_rest_skipped(cli, sandbox):
    added(cli, "Test creds", from_="+15005550006", server=sandbox.accounts_url)
    sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": SID}, timeout=5).raise_for_status()
    exit_code, report = run_json(cli, "Test creds")
    assert exit_code == 0
    assert report["test_credentials"] is True
    assert rows(report)["credentials"] == ("warning", 20008)
    assert "test credentials" in report["checks"][0]["detail"]
    for check in report["checks"][1:]:
        assert check["status"] == "skipped" and "test credentials" in check["detail"]


def test_a_missing_token_is_a_credentials_row(cli, sandbox, config_path):
    declare_accounts(sandbox)
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    config_path.write_text(config_path.read_text().replace(SID, "AC" + "4" * 32))  # no token for it
    exit_code, report = run_json(cli, "Prod")
    assert exit_code == 4
    assert rows(report)["credentials"] == ("failed", None)
    assert "no auth token" in report["checks"][0]["detail"]


def test_a_server_that_drops_the_connection_exits_6(cli, sandbox):
    added(cli, "Gone", from_=OWNED, server=sandbox.accounts_url)
    sandbox.fault("close", count=2)  # a GET whose connection closes is retried once
    exit_code, report = run_json(cli, "Gone")
    assert exit_code == 6
    assert report["checks"][0]["status"] == "failed"
    assert all(c["status"] == "skipped" for c in report["checks"][1:])


def test_a_check_that_cannot_reach_twilio_midway_exits_6(cli, sandbox):
    declare_accounts(sandbox)
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    sandbox.fault("delay", delay=0.01)  # the account fetch is answered ...
    sandbox.fault("500")  # ... the number lookup is not
    result = cli("connector", "test", "Prod", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 6, result.output
    assert rows(report)["credentials"] == ("ok", None)
    assert rows(report)["sender"] == ("failed", None)
    assert "error:" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("Prod", "--all"), "not both"),
        ((), "give a connector NAME or --all"),
        (("Prod", "--active"), "--active goes with --all"),
        (("--all", "--auth-token-stdin"), "--auth-token-stdin"),
        (("Prod", "--to", "12"), "invalid phone number"),
    ],
)
def test_usage_errors_exit_2(cli, sandbox, args, said):
    added(cli, "Prod", from_=OWNED, server=sandbox.accounts_url)
    result = cli("connector", "test", *args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "hint:" in result.stderr
    assert sandbox.stats()["requests"] == {}


def test_an_unknown_connector_exits_3(cli, sandbox):
    result = cli("connector", "test", "Nope", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["exit_code"] == 3


def test_the_human_table_says_each_hint(cli, sandbox):
    declare_accounts(sandbox, type="Trial")
    added(cli, "Alpha", from_="SigningHub", server=sandbox.accounts_url)
    result = cli("connector", "test", "Alpha", "--to", US)
    assert result.exit_code == 5
    lines = result.stdout.splitlines()
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        ["credentials", "ok", ""], ["account status", "ok", ""], ["account type", "warning", "21608"],
        ["sender", "warning", "21612"], ["recipient", "failed", "21608"], ["route", "failed", "21612"]]
    assert re.search(r"^hint \(sender\): send from a number", result.stderr, re.M)
    # the account type's hint is 21608's, which the error's own hint line says
    assert re.search(r"^hint: verify the number", result.stderr, re.M) and "hint (account type)" not in result.stderr
    assert re.search(r"^hint \(route\): ", result.stderr, re.M)
    assert result.stderr.count("error:") == 1 and "recipient (21608), route (21612)" in result.stderr
