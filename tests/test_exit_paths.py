"""Every exit path says the same error twice: the ``error:`` and ``hint:`` lines on stderr,
and with ``--json`` the same object as the ``"error"`` of the one JSON document on stdout —
the command's own document when it printed one (connector test, otp send --wait, doctor),
else ``{"error": ...}``. A hint never points at output a script does not see; a stop (Ctrl-C,
SIGTERM) says whether anything was sent."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from helpers import added, assert_user_error, subprocess_env
from sandbox_fixture import DE, FOREIGN, OWNED, declare_accounts


def said_alike(result, code: int) -> dict:
    """The document on stdout, whose error is the stderr's two lines."""
    assert_user_error(result, code)
    document = json.loads(result.stdout)
    assert "rows above" not in result.stderr
    return document


def test_connector_test_json_carries_the_error_in_its_report(cli, sandbox):
    declare_accounts(sandbox)
    added(cli, "Prod", from_=FOREIGN, server=sandbox.accounts_url)
    report = said_alike(cli("connector", "test", "Prod", "--json"), 5)
    assert report["connector"] == "Prod" and report["error"]["twilio_code"] is None
    assert report["error"]["message"].startswith('"Prod" failed: sender (21660)')


def test_a_failed_sweep_json_names_the_command_to_run_not_rows(cli, sandbox):
    declare_accounts(sandbox)
    added(cli, "Good", from_=OWNED, server=sandbox.accounts_url)
    added(cli, "Bad", from_=FOREIGN, server=sandbox.accounts_url)
    sweep = said_alike(cli("connector", "test", "--all", "--json"), 5)
    assert [row["connector"] for row in sweep["connectors"]] == ["Good", "Bad"]
    assert sweep["error"]["hint"] == 'hubsms connector test "Bad" shows its checks, each with a hint'
    people = cli("connector", "test", "--all")
    assert people.stderr.splitlines()[-1] == "hint: " + sweep["error"]["hint"]


def test_otp_send_wait_json_that_ends_undelivered_is_one_document_with_the_error(cli, sandbox):
    added(cli, "Sandbox", server=sandbox.accounts_url)
    sandbox.outcome(DE, "undelivered", 30003)
    result = cli("otp", "send", "--to", DE, "--connector", "Sandbox", "--wait", "--json")
    sent = said_alike(result, 7)
    assert sent["sid"].startswith("SM") and sent["status"] == "undelivered"
    assert sent["error"]["message"].startswith(f"message {sent['sid']} to {DE} ended undelivered")


def test_doctor_json_with_a_problem_carries_the_error(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(
        'schema_version = 1\n[connectors."Lost"]\nprovider = "twilio"\n'
        'server_address = "https://api.twilio.com/2010-04-01/Accounts"\n'
        'account_sid = "AC0123456789abcdef0123456789abcdef"\nfrom = "+15005550006"\nactive = true\n')
    report = said_alike(cli("doctor", "--json"), 4)
    assert report["ok"] is False and report["findings"]


def test_ctrl_c_while_posting_says_the_message_may_have_been_sent(sandbox, cli):
    added(cli, "Sandbox", server=sandbox.accounts_url)
    sandbox.fault("delay", delay=3)  # Twilio is slow to answer the POST
    process = subprocess.Popen(
        [sys.executable, "-m", "hubsms", "otp", "send", "--to", DE, "--connector", "Sandbox", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
    deadline = time.monotonic() + 20
    while not sandbox.stats()["requests"] and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    lines = err.splitlines()
    assert lines == [f"error: interrupted while sending to {DE}: the message may or may not have been sent",
                     f'hint: look for it before sending again: hubsms messages list --to {DE} '
                     '--connector "Sandbox" --since 10m'], err
    error = json.loads(out)["error"]
    assert ["error: " + error["message"], "hint: " + error["hint"]] == lines and error["exit_code"] == 130
    while not sandbox.messages() and time.monotonic() < deadline:  # and indeed it was sent
        time.sleep(0.05)
    assert [m["to"] for m in sandbox.messages()] == [DE]


def test_a_plain_failure_without_json_prints_nothing_on_stdout(cli):
    result = cli("connector", "show", "Nope")
    assert_user_error(result, 3)
    assert result.stdout == ""

