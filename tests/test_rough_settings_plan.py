"""``settings clear-default-sms``, ``plan set``'s required option, a missing value said the
hubsms way, and help that stands on its own (the rules of apply, examples)."""

from __future__ import annotations

import json
import os

from helpers import add, assert_user_error, read_bytes


def default_of(cli) -> str | None:
    result = cli("settings", "show", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["default_sms_connector"]


def test_clear_default_sms_clears_it_and_says_which(cli, config_path):
    add(cli, "Main")
    cli("settings", "set-default-sms", "Main")
    result = cli("settings", "clear-default-sms")
    assert result.exit_code == 0, result.output
    assert result.stderr == 'Cleared the default SMS connector (it was "Main").\n'
    assert default_of(cli) is None
    assert "[settings]" not in config_path.read_text()


def test_clear_default_sms_twice_is_fine_and_writes_nothing(cli, config_path):
    add(cli, "Main")
    before = read_bytes(config_path), os.stat(config_path).st_mtime_ns
    result = cli("settings", "clear-default-sms")
    assert result.exit_code == 0
    assert result.stderr == "No default SMS connector is set: nothing to clear.\n"
    assert (read_bytes(config_path), os.stat(config_path).st_mtime_ns) == before


def test_clear_default_sms_without_a_config_file_creates_none(cli, config_path):
    assert cli("settings", "clear-default-sms").exit_code == 0
    assert not config_path.parent.exists() or not config_path.exists()


def test_a_send_after_clearing_the_default_asks_for_a_connector(cli):
    add(cli, "Main")
    cli("settings", "set-default-sms", "Main")
    cli("settings", "clear-default-sms")
    result = cli("otp", "send", "--to", "+15005550006", "--dry-run")
    assert_user_error(result, 2, "no default SMS connector set")


def test_plan_set_marks_its_connector_required_and_says_a_missing_one_our_way(cli, config_path):
    assert "[required]" in cli("plan", "set", "--help").stdout.split("--sms-connector", 1)[1].split("--config")[0]
    result = cli("plan", "set", "gold")
    assert_user_error(result, 2)
    assert result.stderr.splitlines() == [
        "error: missing --sms-connector",
        "hint: give --sms-connector; see 'hubsms plan set -h' for what it takes",
    ]
    assert read_bytes(config_path) is None


def test_a_missing_argument_is_named_by_its_metavar(cli):
    result = cli("connector", "show", "--json")
    assert_user_error(result, 2)
    assert result.stderr.splitlines()[0] == "error: missing NAME"
    assert json.loads(result.stdout)["error"]["message"] == "missing NAME"


def test_apply_help_states_the_rules_and_points_to_no_missing_file(cli):
    text = cli("apply", "--help").stdout
    assert "docs/" not in text
    for rule in ("auth_token_env", "ignoring case", "--keep-env-refs", "all or nothing"):
        assert rule in text
    assert "Usage: hubsms apply [OPTIONS] {FILE}" in text


def test_every_command_of_these_groups_ends_its_help_with_examples(cli):
    commands = [
        ["connector", c] for c in ("add", "show", "edit", "activate", "deactivate", "remove")
    ] + [["settings", c] for c in ("show", "set-default-sms", "clear-default-sms")] + [
        ["plan", c] for c in ("list", "set", "remove")
    ] + [["apply"], ["export"]]
    for words in commands:
        text = cli(*words, "--help").stdout
        examples = text.rstrip("\n").rsplit("Examples:\n", 1)
        assert len(examples) == 2, words
        lines = examples[1].splitlines()
        assert 1 <= len(lines) <= 2, words
        assert all(line.startswith("    hubsms ") and words[-1] in line for line in lines), (words, lines)
