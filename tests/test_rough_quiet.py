"""``--quiet``/``-q`` (and HUBSMS_QUIET=1): no warnings, on every command and in every place;
errors and notes still print."""

from __future__ import annotations

import json

import pytest
from helpers import SID, TOKEN, add, assert_user_error, run_hubsms

FICTIONAL = "+15555550123"  # possible, but in no assigned range: hubsms warns about it
WARNING = "not in any assigned number range"


@pytest.fixture
def with_connector(cli):
    assert add(cli, "Main").exit_code == 0
    assert cli("settings", "set-default-sms", "Main").exit_code == 0


def test_without_quiet_a_fictional_number_warns(cli, with_connector):
    result = cli("otp", "send", "--to", FICTIONAL, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"warning: {FICTIONAL} is {WARNING}" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["-q", "otp", "send", "--to", FICTIONAL, "--dry-run"],  # root, on the fast path
        ["--quiet", "otp", "send", "--to", FICTIONAL, "--dry-run"],
        ["otp", "send", "--to", FICTIONAL, "--dry-run", "-q"],  # after the command
        ["otp", "send", "-q", "--to", FICTIONAL, "--dry-run"],
        ["otp", "--quiet", "send", "--to", FICTIONAL, "--dry-run"],  # after the group
    ],
    ids=["root-q", "root-quiet", "last", "first", "group"],
)
def test_quiet_anywhere_silences_the_warning_and_the_send_still_happens(cli, with_connector, args):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "To=%2B15555550123" in result.stdout  # the dry run still says what it would send


def test_the_environment_variable_silences_warnings_and_0_does_not(cli, with_connector):
    quiet = cli("otp", "send", "--to", FICTIONAL, "--dry-run", env={"HUBSMS_QUIET": "1"})
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
    loud = cli("otp", "send", "--to", FICTIONAL, "--dry-run", env={"HUBSMS_QUIET": "0"})
    assert WARNING in loud.stderr


def test_quiet_on_a_change_command_keeps_its_notes(cli):
    result = cli("connector", "add", "Test", "--account-sid", SID, "--from", FICTIONAL, "--auth-token-stdin", "-q", input=TOKEN)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert 'Added connector "Test"' in result.stderr


def test_quiet_does_not_silence_errors_nor_the_json_error(cli):
    result = cli("--quiet", "connector", "show", "Nobody", "--json")
    assert_user_error(result, 3, 'no connector named "Nobody"')
    assert json.loads(result.stdout)["error"]["exit_code"] == 3


def test_quiet_is_not_carried_into_the_next_run(cli, with_connector):
    assert cli("-q", "otp", "send", "--to", FICTIONAL, "--dry-run").exit_code == 0
    assert WARNING in cli("otp", "send", "--to", FICTIONAL, "--dry-run").stderr


def test_every_command_lists_quiet_in_its_help(cli):
    for words in (["connector", "add"], ["connector", "remove"], ["plan", "set"], ["apply"], ["sandbox", "serve"], []):
        result = cli(*words, "--help")
        assert "-q, --quiet" in result.stdout, words


def test_quiet_in_a_real_process_on_the_fast_path(cli, with_connector):
    result = run_hubsms("-q", "otp", "send", "--to", FICTIONAL, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
