"""messages list and show, through the real CLI, against the real sandbox."""

from __future__ import annotations

import json
import re
import time

import keyring
import pytest
import terminal
from helpers import SID, TOKEN, added, assert_user_error

LIST_KEYS = {"sid", "to", "from", "messaging_service_sid", "status", "error_code", "error_explained",
             "advice", "date_created", "date_sent", "body"}
MESSAGES_GET = "GET /2010-04-01/Accounts/{AccountSid}/Messages.json"
ALICE = "+14155552671"
BOB = "+447700900123"


@pytest.fixture
def connector(cli, sandbox) -> str:
    added(cli, "Sandbox", server=sandbox.accounts_url)
    assert cli("settings", "set-default-sms", "Sandbox").exit_code == 0
    return "Sandbox"


def sent(sandbox, to: str = ALICE, body: str = "Your code is 123456") -> str:
    answer = sandbox.send(to=to, body=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["sid"]


def listed(cli, *args: str) -> dict:
    result = cli("messages", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_shows_the_newest_first_with_stable_keys(cli, sandbox, connector):
    sids = [sent(sandbox, body=f"Your code is {n}11111") for n in range(3)]
    found = listed(cli)
    assert set(found) == {"connector", "messages", "pages", "scanned", "truncated"}
    assert found["connector"] == "Sandbox"
    assert [m["sid"] for m in found["messages"]] == sids[::-1]
    first = found["messages"][0]
    assert set(first) == LIST_KEYS
    assert first["status"] == "delivered" and first["error_code"] is None and first["error_explained"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["date_created"])
    assert TOKEN not in cli("messages", "list").output


def test_to_keeps_only_that_number(cli, sandbox, connector):
    mine = sent(sandbox, ALICE)
    sent(sandbox, BOB)
    found = listed(cli, "--to", "0014155552671")
    assert [m["sid"] for m in found["messages"]] == [mine]


def test_a_bad_to_is_exit_2_and_nothing_is_asked(cli, sandbox, connector):
    assert_user_error(cli("messages", "list", "--to", "+12"), 2, "invalid phone number")
    assert sandbox.stats()["requests"] == {}


def test_status_keeps_the_failures_and_explains_their_codes(cli, sandbox, connector):
    sandbox.outcome(ALICE, "undelivered", 30003)
    sandbox.outcome(BOB, "failed", 30005)
    undelivered, failed = sent(sandbox, ALICE), sent(sandbox, BOB)
    sent(sandbox, "+12025550123")  # delivered
    found = listed(cli, "--status", "failed, Undelivered")
    by_sid = {m["sid"]: m for m in found["messages"]}
    assert list(by_sid) == [failed, undelivered]
    assert by_sid[undelivered]["error_code"] == 30003
    assert "unreachable destination handset" in by_sid[undelivered]["error_explained"]
    assert "https://www.twilio.com/docs/api/errors/30003" in by_sid[undelivered]["error_explained"]
    assert "send again later" in by_sid[undelivered]["advice"]
    assert by_sid[failed]["status"] == "failed"
    assert "unknown destination handset" in by_sid[failed]["error_explained"]
    assert "do not retry the same number" in by_sid[failed]["advice"]


def test_piped_table_has_one_line_a_message_with_its_explanation(cli, sandbox, connector):
    sandbox.outcome(ALICE, "undelivered", 30007)
    failed = sent(sandbox, ALICE)
    sent(sandbox, BOB)
    result = cli("messages", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["UTC", "To", "Status", "Body", "SID", "Explanation"]
    assert [row.split("\t")[1] for row in rows] == [BOB, ALICE]
    cells = rows[1].split("\t")
    assert cells[2] == "undelivered 30007" and cells[4] == failed
    assert "filtered" in cells[5] and "what to do:" in cells[5]
    assert rows[0].split("\t")[5] == ""


def test_unknown_status_is_exit_2_naming_the_statuses(cli, sandbox, connector):
    result = cli("messages", "list", "--status", "failed,lost")
    assert_user_error(result, 2, "lost")
    assert "undelivered" in result.stderr
    assert sandbox.stats()["requests"] == {}


def test_since_a_time_keeps_only_the_newer(cli, sandbox, connector):
    """Message times have whole seconds: the newer is sent once the clock's second has moved
    on (a wait on that condition, at most a second), and --since its own second keeps it only."""
    older = sent(sandbox)
    second = int(time.time())
    while int(time.time()) == second:
        time.sleep(0.01)
    newer = sent(sandbox)
    [newest] = [m for m in listed(cli)["messages"] if m["sid"] == newer]
    assert [m["sid"] for m in listed(cli, "--since", newest["date_created"])["messages"]] == [newer]
    assert [m["sid"] for m in listed(cli, "--since", "1h")["messages"]] == [newer, older]


def test_since_a_duration_reaches_back_from_now():
    from datetime import datetime, timedelta, timezone

    from hubsms.service.messages import parse_since

    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_since("3s", now) == now - timedelta(seconds=3)
    assert parse_since("2w", now) == now - timedelta(weeks=2)


def test_since_a_date_or_time(cli, sandbox, connector):
    sid = sent(sandbox)
    assert [m["sid"] for m in listed(cli, "--since", "2020-01-01")["messages"]] == [sid]
    assert [m["sid"] for m in listed(cli, "--since", "2020-01-01T09:30:00+02:00")["messages"]] == [sid]


@pytest.mark.parametrize("since", ["yesterday", "24", "5y", "2024-13-01", "9999-01-01", "99999999d"])
def test_a_bad_since_is_exit_2_with_a_hint(cli, sandbox, connector, since):
    result = cli("messages", "list", "--since", since, "--json")
    assert_user_error(result, 2, "--since")
    assert "24h" in result.stderr
    assert sandbox.stats()["requests"] == {}


def test_limit_pages_through_twilio_and_stops_when_enough(cli, sandbox, connector):
    sids = [sent(sandbox, body=f"message {n}") for n in range(12)]
    found = listed(cli, "--limit", "7", "--page-size", "3")
    assert [m["sid"] for m in found["messages"]] == sids[::-1][:7]
    assert found["pages"] == 3 and found["truncated"] is False
    assert sandbox.stats()["requests"][MESSAGES_GET] == 3
    everything = listed(cli, "--limit", "1000", "--page-size", "5")
    assert [m["sid"] for m in everything["messages"]] == sids[::-1]
    assert everything["pages"] == 3


def test_pages_are_bounded_when_few_messages_match(cli, sandbox, connector):
    for n in range(25):
        sent(sandbox, body=f"message {n}")
    found = listed(cli, "--status", "failed", "--limit", "1", "--page-size", "1")
    assert found["messages"] == []
    assert found["pages"] == 21 and found["scanned"] == 21 and found["truncated"] is True
    result = cli("messages", "list", "--status", "failed", "--limit", "1", "--page-size", "1")
    assert "stopped after 21 pages" in result.stderr


@pytest.mark.parametrize("args", [("--limit", "0"), ("--limit", "1001"), ("--page-size", "1001")])
def test_limits_out_of_range_are_exit_2(cli, sandbox, connector, args):
    assert_user_error(cli("messages", "list", *args), 2, args[0])


def test_otp_codes_are_masked_unless_show_body(cli, sandbox, connector):
    sid = sent(sandbox, body="Code 4821, ref 123456789012, order 77: 9876543210")
    masked = "Code ****, ref 123456789012, order 77: **********"
    assert listed(cli)["messages"][0]["body"] == masked
    assert "4821" not in cli("messages", "list").stdout
    assert listed(cli, "--show-body")["messages"][0]["body"].startswith("Code 4821")
    shown = cli("messages", "show", sid, "--json")
    assert json.loads(shown.stdout)["body"] == masked
    assert json.loads(cli("messages", "show", sid, "--show-body", "--json").stdout)["body"].startswith("Code 4821")


def test_show_a_failed_message_explains_it(cli, sandbox, connector):
    sandbox.outcome(ALICE, "undelivered", 30007)
    sid = sent(sandbox, ALICE)
    result = cli("messages", "show", sid)
    assert result.exit_code == 0, result.output
    text = result.stdout
    for fragment in (sid, "undelivered", "30007", "filtered", "what to do", "created at", "sent at",
                     "last update", "segments", "outbound-api", "history", "******"):
        assert fragment in text, fragment
    record = json.loads(cli("messages", "show", sid, "--json").stdout)
    assert LIST_KEYS <= set(record)
    assert {"connector", "error_message", "date_updated", "direction", "num_segments", "price",
            "price_unit", "history"} <= set(record)
    assert record["error_code"] == 30007 and record["num_segments"] == 1
    assert [step["event"] for step in record["history"]] == ["created", "sent", "last update, status undelivered"]


def test_show_an_unknown_sid_is_exit_5_with_twilios_message(cli, sandbox, connector):
    result = cli("messages", "show", "SM" + "0" * 32, "--json")
    assert_user_error(result, 5)
    assert "20404" in result.stderr and "was not found" in result.stderr
    assert json.loads(result.stdout)["error"]["twilio_code"] == 20404


@pytest.mark.parametrize("sid", ["SM123", "AC0123456789abcdef0123456789abcdef", "SM" + "g" * 32])
def test_show_a_malformed_sid_is_exit_2_and_asks_nothing(cli, sandbox, connector, sid):
    assert_user_error(cli("messages", "show", sid), 2, "not a message SID")
    assert sandbox.stats()["requests"] == {}


def test_a_missing_token_is_exit_4(cli, sandbox, connector):
    keyring.delete_password("hubsms", SID)
    result = cli("messages", "list")
    assert result.exit_code == 4, result.output
    assert "HUBSMS_AUTH_TOKEN" in result.stderr
    assert cli("messages", "show", "SM" + "0" * 32).exit_code == 4
    assert sandbox.stats()["requests"] == {}


def test_an_inactive_connector_can_still_be_searched(cli, sandbox):
    added(cli, "Old", "--inactive", server=sandbox.accounts_url)
    sid = sent(sandbox)
    assert [m["sid"] for m in listed(cli, "--connector", "old")["messages"]] == [sid]


def test_no_connector_and_no_default_is_exit_2(cli, sandbox):
    assert_user_error(cli("messages", "list"), 2, "no default SMS connector")
    assert_user_error(cli("messages", "list", "--connector", "Nope"), 3, "Nope")


@terminal.POSIX_ONLY
def test_the_table_fits_80_columns_at_a_terminal(sandbox, connector):
    sandbox.outcome(ALICE, "undelivered", 30034)
    sent(sandbox, ALICE, body="Your SigningHub verification code is 482913. It is valid for 10 minutes.")
    status, output = terminal.run("messages", "list", env={"COLUMNS": "80"}, size=(40, 80), timeout=20)
    assert status == 0, output
    lines = output.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert any("undelivered 30034" in line for line in lines)
    assert any("10DLC" in line for line in lines) and "482913" not in output


@terminal.POSIX_ONLY
@pytest.mark.parametrize("columns", [80, 120])
def test_the_table_shows_each_sid_whole_for_messages_show(cli, sandbox, connector, columns):
    sandbox.outcome(ALICE, "undelivered", 30003)
    sid = sent(sandbox, ALICE, body="Your SigningHub verification code is 482913.")
    status, output = terminal.run("messages", "list", env={"COLUMNS": str(columns)}, size=(40, columns), timeout=20)
    assert status == 0, output
    lines = output.splitlines()
    assert all(len(line) <= columns for line in lines), lines
    [row] = [line for line in lines if line.startswith(tuple("0123456789")) and "undelivered 30003" in line]
    copied = re.search(r"\b(SM[0-9a-f]{32})\b", row)
    assert copied and copied[1] == sid, row  # whole, on the message's own line
    [header] = [line for line in lines if line.startswith("UTC")]
    assert header.split() == ["UTC", "To", "Status", "SID", *(["Body"] if columns == 120 else [])], lines
    assert ("Left out at this width: Body" in output) is (columns == 80)
    shown = cli("messages", "show", copied[1], "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["sid"] == sid
