"""hubsms connector test --all: a health sweep of every connector, through the real CLI
against the sandbox."""

from __future__ import annotations

import json

import pytest
import terminal
from helpers import SID2, added, free_port
from sandbox_fixture import OWNED, VOICE, declare_accounts

ROW_KEYS = {"connector", "ok", "exit_code", "checks", "active", "default", "plans", "result", "seconds",
            "account_sid", "from", "friendly_name", "status", "type", "test_credentials", "token_source"}


@pytest.fixture
def mixed(cli, sandbox):
    """Four connectors: one that passes, one whose From is voice only, one whose token Twilio
    refuses, one inactive; the first is the default, the second a plan's."""
    declare_accounts(sandbox, type="Full")
    added(cli, "Good", from_=OWNED, server=sandbox.accounts_url)
    added(cli, "Voice", from_=VOICE, server=sandbox.accounts_url)
    added(cli, "Other", from_="+14155553333", account_sid=SID2, tok="e" * 32, server=sandbox.accounts_url)
    added(cli, "Idle", from_=OWNED, server=sandbox.accounts_url)
    for args in (("connector", "deactivate", "Idle"), ("settings", "set-default-sms", "Good"),
                 ("plan", "set", "Enterprise", "--sms-connector", "Voice")):
        assert cli(*args).exit_code == 0
    return sandbox


def sweep(cli, *args: str) -> tuple[int, dict]:
    result = cli("connector", "test", "--all", *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_every_connector_gets_a_row_and_the_exit_code_is_the_worst(cli, mixed):
    code, report = sweep(cli)
    assert code == 4  # refused credentials (4) rank above a failed check (5)
    assert report["ok"] is False and report["exit_code"] == 4 and report["seconds"] >= 0
    by_name = {row["connector"]: row for row in report["connectors"]}
    assert list(by_name) == ["Good", "Voice", "Other", "Idle"]
    assert all(set(row) >= ROW_KEYS for row in by_name.values())
    assert (by_name["Good"]["result"], by_name["Good"]["exit_code"], by_name["Good"]["default"]) == ("ok", 0, True)
    assert (by_name["Voice"]["result"], by_name["Voice"]["plans"]) == ("failed: sender (21661)", ["Enterprise"])
    assert (by_name["Other"]["result"], by_name["Other"]["exit_code"]) == ("failed: credentials (20003)", 4)
    assert by_name["Idle"]["active"] is False and by_name["Idle"]["ok"] is True
    assert mixed.messages() == []


def test_active_leaves_the_inactive_out(cli, mixed):
    _, report = sweep(cli, "--active")
    assert [row["connector"] for row in report["connectors"]] == ["Good", "Voice", "Other"]


def test_a_failed_check_alone_exits_5_and_all_ok_exits_0(cli, mixed):
    assert cli("connector", "remove", "Other", "--yes").exit_code == 0
    assert sweep(cli)[0] == 5
    assert cli("connector", "edit", "Voice", "--from", OWNED).exit_code == 0
    code, report = sweep(cli)
    assert code == 0 and report["ok"] is True


def test_an_unreachable_connector_makes_it_exit_6(cli, mixed):
    added(cli, "Gone", from_=OWNED, server=f"http://127.0.0.1:{free_port()}/2010-04-01/Accounts")
    result = cli("connector", "test", "--all")
    assert result.exit_code == 6
    assert result.stderr.count("error:") == 1 and '"Gone"' in result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split("\t") == ["Name", "Active", "Used by", "Account", "Sender", "Result", "Time"]
    assert [line.split("\t")[:3] for line in lines] == [
        ["Good", "yes", "default"], ["Voice", "yes", "plan Enterprise"], ["Other", "yes", ""],
        ["Idle", "no", ""], ["Gone", "yes", ""]]


def test_no_connectors_is_an_empty_sweep(cli, sandbox):
    code, report = sweep(cli)
    assert code == 0 and report == {"ok": True, "exit_code": 0, "seconds": report["seconds"], "connectors": []}


@terminal.POSIX_ONLY
@pytest.mark.parametrize(("args", "code", "row"), [
    (("--all",), 4, "Other"),  # the sweep: its worst row is "Other", whose token is refused
    (("Voice", "--to", "+15551234567"), 5, "sender"),  # one connector: its sender check failed
])
def test_the_tables_fit_80_columns(cli, mixed, args, code, row):
    status, shown = terminal.run("connector", "test", *args, env={"COLUMNS": "80"}, size=(60, 80), timeout=20)
    lines = shown.splitlines()
    assert status == code, shown
    assert any(line.startswith(row) for line in lines), shown
    assert max(len(line) for line in lines if not line.startswith(("error:", "hint"))) <= 80, shown
