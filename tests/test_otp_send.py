"""otp send and connector test, through the real Typer app, against the real sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
import terminal
from helpers import SID, TOKEN, added, free_port
from servers import Polled

from hubsms.sandbox.server import SandboxServer

MG = "MG0123456789abcdef0123456789abcdef"


@pytest.fixture
def connector(cli, sandbox):
    added(cli, "Sandbox", server=sandbox.accounts_url)
    assert cli("settings", "set-default-sms", "Sandbox").exit_code == 0
    return "Sandbox"


def send(cli, *args: str, input: str | None = None):
    return cli("otp", "send", *args, input=input)


def assert_token_hidden(result) -> None:
    assert TOKEN not in result.output
    assert TOKEN not in (result.stderr or "")


def test_send_with_the_default_connector_waits_until_delivered(cli, sandbox, connector):
    sandbox.status_delay = 0.05
    result = send(cli, "--to", "+15005550006", "--wait", "--json")
    assert result.exit_code == 0, result.output
    sent = json.loads(result.stdout)
    assert set(sent) == {"sid", "status", "connector", "to", "code"}
    assert sent["status"] == "delivered"
    assert sent["connector"] == "Sandbox"
    [stored] = sandbox.messages(to="+15005550006")
    assert stored["sid"] == sent["sid"]
    assert stored["code"] == sent["code"]
    assert stored["from"] == "+15005550006"
    assert sent["code"] in stored["body"]
    assert_token_hidden(result)


def test_send_prints_a_summary_for_people(cli, sandbox, connector):
    result = send(cli, "--to", "0014155552671", "--code", "4321")
    assert result.exit_code == 0, result.output
    assert "+14155552671" in result.stdout
    assert "4321" in result.stdout
    assert "queued" in result.stdout


def test_generated_code_has_the_requested_length(cli, sandbox, connector):
    result = send(cli, "--to", "+15005550006", "--length", "9", "--json")
    assert result.exit_code == 0, result.output
    code = json.loads(result.stdout)["code"]
    assert len(code) == 9 and code.isdigit()


def test_template_and_validity_shape_the_body(cli, sandbox, connector):
    result = send(
        cli, "--to", "+15005550006", "--code", "777888", "--validity", "600",
        "--message", "Code {code}, valid {minutes} min", "--json",
    )
    assert result.exit_code == 0, result.output
    [stored] = sandbox.messages()
    assert stored["body"] == "Code 777888, valid 10 min"


def test_messaging_service_sid_is_sent_as_messaging_service(cli, sandbox):
    added(cli, "Service", from_=MG, server=sandbox.accounts_url)
    result = send(cli, "--to", "+15005550006", "--connector", "Service", "--json")
    assert result.exit_code == 0, result.output
    [stored] = sandbox.messages()
    assert stored["messaging_service_sid"] == MG
    assert stored["from"] is None


def test_plan_chooses_its_connector(cli, sandbox, config_path: Path):
    added(cli, "Default", server=sandbox.accounts_url)
    added(cli, "Planned", from_="HubSMS", server=sandbox.accounts_url)
    text = config_path.read_text()
    config_path.write_text(text.replace("schema_version = 1\n", 'schema_version = 1\n\n[plans."Enterprise"]\nsms_connector = "Planned"\n', 1))
    result = send(cli, "--to", "+15005550006", "--plan", "enterprise", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["connector"] == "Planned"
    assert sandbox.messages()[0]["from"] == "HubSMS"


def test_dry_run_sends_nothing_and_hides_the_token(cli, sandbox, connector):
    result = send(cli, "--to", "+15005550006", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["form"]["To"] == "+15005550006"
    assert shown["auth"] == f"{SID}:<hidden>"
    assert shown["token_source"] == "keyring"
    assert sandbox.messages() == []
    assert sandbox.stats()["requests"] == {}
    assert_token_hidden(result)
    people = send(cli, "--to", "+15005550006", "--dry-run")
    assert people.exit_code == 0 and "Body=" in people.stdout
    assert_token_hidden(people)


@pytest.mark.parametrize(
    ("to", "code"),
    [("+15005550001", 21211), ("+15005550003", 21408), ("+15005550004", 21610), ("+15005550009", 21614)],
)
def test_twilio_rejections_exit_5_with_code_and_hint(cli, sandbox, connector, to, code):
    result = send(cli, "--to", to)
    assert result.exit_code == 5, result.output
    assert f"error {code}" in result.stderr
    assert "hint:" in result.stderr
    assert f"https://www.twilio.com/docs/errors/{code}" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_number_exits_2_before_anything_is_sent(cli, sandbox, connector):
    result = send(cli, "--to", "+12")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert sandbox.stats()["requests"] == {}


@pytest.mark.parametrize("args", [("--length", "5"), ("--code", "12ab"), ("--message", "no placeholder")])
def test_bad_code_or_template_exits_2(cli, sandbox, connector, args):
    result = send(cli, "--to", "+15005550006", *args)
    assert result.exit_code == 2, result.output
    assert sandbox.stats()["requests"] == {}


def test_no_connector_and_no_default_exits_2_with_hint(cli, sandbox):
    result = send(cli, "--to", "+15005550006")
    assert result.exit_code == 2
    assert "set-default-sms" in result.stderr


def test_unknown_connector_or_plan_exits_3(cli, sandbox, connector):
    assert send(cli, "--to", "+15005550006", "--connector", "Nope").exit_code == 3
    assert send(cli, "--to", "+15005550006", "--plan", "Nope").exit_code == 3


def test_inactive_connector_cannot_send(cli, sandbox):
    added(cli, "Off", "--inactive", server=sandbox.accounts_url)
    result = send(cli, "--to", "+15005550006", "--connector", "Off")
    assert result.exit_code == 3
    assert "inactive" in result.stderr
    assert sandbox.messages() == []


def test_missing_token_exits_4_naming_the_ways_to_give_one(cli, sandbox, connector):
    keyring.delete_password("hubsms", SID)
    result = send(cli, "--to", "+15005550006")
    assert result.exit_code == 4
    assert "HUBSMS_AUTH_TOKEN" in result.stderr
    assert sandbox.messages() == []


def test_rejected_credentials_exit_4_and_never_show_the_token(cli):
    with SandboxServer(port=0, auth_token="f" * 32, status_delay=0) as strict:
        added(cli, "Strict", server=strict.accounts_url)
        result = send(cli, "--to", "+15005550006", "--connector", "Strict")
        assert result.exit_code == 4, result.output
        assert "20003" in result.stderr
        assert_token_hidden(result)
        # The right token on stdin takes precedence over the keyring's.
        fixed = send(cli, "--to", "+15005550006", "--connector", "Strict", "--auth-token-stdin", input="f" * 32 + "\n")
        assert fixed.exit_code == 0, fixed.output
        assert "f" * 32 not in fixed.output


def test_env_token_takes_precedence_over_the_keyring(cli, monkeypatch):
    with SandboxServer(port=0, auth_token="e" * 32, status_delay=0) as strict:
        added(cli, "Strict", server=strict.accounts_url)
        monkeypatch.setenv("HUBSMS_AUTH_TOKEN", "e" * 32)
        result = send(cli, "--to", "+15005550006", "--connector", "Strict", "--dry-run", "--json")
        assert json.loads(result.stdout)["token_source"] == "env:HUBSMS_AUTH_TOKEN"
        assert send(cli, "--to", "+15005550006", "--connector", "Strict").exit_code == 0


def test_server_error_exits_6_and_is_not_retried(cli, sandbox, connector):
    sandbox.fault("500", count=1)
    result = send(cli, "--to", "+15005550006")
    assert result.exit_code == 6, result.output
    assert sum(sandbox.stats()["requests"].values()) == 1
    assert sandbox.messages() == []


def test_rate_limit_is_retried_and_sends_once(cli, sandbox, connector):
    sandbox.fault("429", count=1, retry_after=0)
    result = send(cli, "--to", "+15005550006", "--json")
    assert result.exit_code == 0, result.output
    assert len(sandbox.messages()) == 1
    assert "Twilio answered 429 (too many requests); retrying in" in result.stderr
    assert "retrying" not in result.stdout


def test_read_timeout_exits_6_without_a_second_message(cli, sandbox, connector):
    sandbox.fault("delay", count=1, delay=1.5)
    result = send(cli, "--to", "+15005550006", "--read-timeout", "0.3")
    assert result.exit_code == 6, result.output
    assert sum(sandbox.stats()["requests"].values()) == 1


def test_connection_refused_exits_6(cli):
    port = free_port()
    added(cli, "Nowhere", server=f"http://127.0.0.1:{port}/2010-04-01/Accounts")
    result = send(cli, "--to", "+15005550006", "--connector", "Nowhere", "--connect-timeout", "0.5")
    assert result.exit_code == 6, result.output
    assert "127.0.0.1" in result.stderr


@pytest.mark.parametrize(
    ("gets", "code", "polls"),
    [(("drop", "delivered"), 0, 2), (("drop",), 6, 2)],
    ids=["closed once", "closed every time"],
)
def test_a_status_poll_on_a_closed_connection_is_retried_once(cli, slow_server, gets, code, polls):
    server = slow_server(Polled(*gets))
    added(cli, "Kept alive", server=server.url())
    result = send(cli, "--to", "+14155552671", "--connector", "Kept alive", "--wait", "--json")
    assert result.exit_code == code, result.output
    assert (server.handle.posts, server.handle.polls) == (1, polls)
    assert server.connections == 2  # the first poll went on the post's kept-alive connection
    assert "the server closed the connection before answering; retrying at once (retry 1)" in result.stderr
    shown, _ = json.JSONDecoder().raw_decode(result.stdout)  # the message, before any error document
    assert shown["status"] == ("delivered" if code == 0 else "queued")


def test_a_post_on_a_closed_connection_is_never_retried(cli, slow_server):
    server = slow_server(Polled("delivered", post="drop"))
    added(cli, "Kept alive", server=server.url())
    result = send(cli, "--to", "+14155552671", "--connector", "Kept alive", "--wait")
    assert result.exit_code == 6, result.output
    assert "may or may not have been sent" in result.stderr
    assert "retrying" not in result.stderr
    assert (server.handle.posts, server.handle.polls) == (1, 0)


def test_undelivered_message_exits_7_naming_the_error(cli, sandbox, connector):
    sandbox.outcome("+15557654321", "undelivered", 30007)
    result = send(cli, "--to", "+15557654321", "--wait", "--json")
    assert result.exit_code == 7, result.output
    sent = json.loads(result.stdout)
    assert sent["status"] == "undelivered"
    assert sent["error_code"] == 30007
    assert "30007" in result.stderr and "filter" in result.stderr.lower()


def test_wait_without_a_final_status_in_time_exits_6(cli, sandbox, connector):
    sandbox.status_delay = 5
    result = send(cli, "--to", "+15005550006", "--wait", "--timeout", "0.5")
    assert result.exit_code == 6, result.output
    assert "no final status" in result.stderr


def test_connector_test_reports_the_account(cli, sandbox, connector):
    result = cli("connector", "test", "Sandbox", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "active"
    assert report["type"] == "Full"
    assert report["test_credentials"] is False
    assert report["token_source"] == "keyring"
    assert_token_hidden(result)


def test_connector_test_exits_4_when_twilio_rejects_the_token(cli):
    with SandboxServer(port=0, auth_token="a" * 32, status_delay=0) as strict:
        added(cli, "Strict", server=strict.accounts_url)
        result = cli("connector", "test", "Strict")
        assert result.exit_code == 4
        assert "hint:" in result.stderr
        assert_token_hidden(result)


def test_connector_test_of_an_unknown_connector_exits_3(cli, sandbox):
    assert cli("connector", "test", "Nope").exit_code == 3


def test_connector_test_recognises_test_credentials(cli, sandbox):
    added(cli, "Test creds", server=sandbox.accounts_url)
    sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": SID}, timeout=5).raise_for_status()
    result = cli("connector", "test", "Test creds", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["test_credentials"] is True
    people = cli("connector", "test", "Test creds")
    assert "test credentials" in people.stderr
    # They can still send, as Twilio's test credentials can.
    assert send(cli, "--to", "+15005550006", "--connector", "Test creds").exit_code == 0


def test_a_failure_while_waiting_still_shows_the_sent_message(cli, sandbox, connector):
    # Test credentials can send but not fetch: the message goes out, following it fails.
    sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": SID}, timeout=5).raise_for_status()
    result = send(cli, "--to", "+15005550006", "--wait", "--json")
    assert result.exit_code == 5, result.output
    shown = json.loads(result.stdout)
    [stored] = sandbox.messages()
    assert shown["sid"] == stored["sid"]
    assert shown["code"] == stored["code"]
    assert f"message {stored['sid']} was sent" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("--connect-timeout", "inf"), ("--read-timeout", "nan"), ("--read-timeout", "601"), ("--wait", "--timeout", "nan")],
)
def test_timeouts_must_be_finite_and_within_bounds(cli, sandbox, connector, args):
    result = send(cli, "--to", "+15005550006", *args)
    assert result.exit_code == 2, result.output
    flag = [a for a in args if a.startswith("--") and a != "--wait"][0]
    assert flag in result.stderr.splitlines()[0]
    assert "not in the range" in result.stderr or "must be seconds from" in result.stderr


def test_fast_path_leaves_config_between_group_and_command_to_typer():
    from hubsms.cli import fast

    assert not fast.try_run(["otp", "--config", "x.toml", "send", "--to", "+15005550006"])
    assert not fast.try_run(["connector", "--config", "x.toml", "list"])


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_a_stop_while_waiting_still_shows_the_sent_message(cli, sandbox, connector, stop, code):
    sandbox.status_delay = 30
    process = subprocess.Popen(
        [sys.executable, "-m", "hubsms", "otp", "send", "--to", "+15005550006", "--wait", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    def polling() -> bool:  # the message is sent and hubsms follows it
        return any(key.startswith("GET") and "/Messages/" in key for key in sandbox.stats()["requests"])

    deadline = time.monotonic() + 20
    while not polling() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(stop)
    out, err = process.communicate(timeout=20)
    [stored] = sandbox.messages()
    assert process.returncode == code, err
    document = json.loads(out)
    assert document["sid"] == stored["sid"]
    said = [line for line in err.splitlines() if line.startswith(("error:", "hint:"))]
    assert said == [f"error: message {stored['sid']} was sent; stopped waiting for its delivery",
                    f"hint: {document['error']['hint']}"], err
    assert document["error"]["exit_code"] == code and f"messages show {stored['sid']}" in said[1]


@terminal.POSIX_ONLY
def test_remove_says_a_connector_is_in_use_before_asking(cli, sandbox, connector):
    status, shown = terminal.run("connector", "remove", "Sandbox")
    assert status == 3, shown
    assert "is used by" in shown and "Remove connector" not in shown
