"""The entry point is the one error boundary: every failure becomes one error line and a
hint on stderr, its exit code, and with --json one JSON object on stdout."""

from __future__ import annotations

import json

import pytest

from helpers import assert_user_error


def test_a_missing_connector_with_json_prints_the_error_as_json_too(cli):
    result = cli("connector", "show", "Ghost", "--json")
    assert_user_error(result, 3, 'no connector named "Ghost"')
    error = json.loads(result.stdout)["error"]
    assert set(error) == {"exit_code", "message", "hint", "twilio_code", "more_info"}
    assert error["twilio_code"] is None and error["more_info"] is None


def test_the_fast_path_reports_through_the_same_boundary(cli):
    result = cli("otp", "send", "--to", "+15005550006", "--connector", "Ghost", "--json")
    assert_user_error(result, 3, 'no connector named "Ghost"')
    assert json.loads(result.stdout)["error"]["exit_code"] == 3


def test_a_click_usage_error_is_one_line_with_a_hint_and_json(cli):
    result = cli("connector", "list", "--bogus", "--json")
    assert_user_error(result, 2, "No such option: --bogus")
    assert json.loads(result.stdout)["error"]["hint"] == "see 'hubsms connector list -h' for what it takes"


def test_not_both_is_a_usage_error(cli):
    result = cli("otp", "send", "--to", "+15005550006", "--connector", "A", "--plan", "B")
    assert_user_error(result, 2, "not both")
    assert result.stdout == ""


def leaf_commands():
    import typer.main

    from hubsms.cli.app import app

    def walk(command, path):
        subs = getattr(command, "commands", None)
        if not subs:
            yield path
            return
        for name, sub in subs.items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("path", leaf_commands(), ids=" ".join)
def test_every_commands_help_ends_with_examples(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    tail = result.stdout.rstrip().split("Examples:")[-1]
    assert "Examples:" in result.stdout, result.stdout
    assert tail.strip().startswith(("hubsms ", 'eval "$(hubsms')), result.stdout
