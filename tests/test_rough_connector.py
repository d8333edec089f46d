"""``hubsms connector``: add --exist-ok, options that exclude each other, a change that changes
nothing, and --force asking at a terminal. Through the real CLI and the real file keyring."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
import terminal
from helpers import (
    FROM,
    GIF,
    PNG,
    SID,
    SID2,
    TOKEN,
    TOKEN2,
    add,
    assert_user_error,
    read_bytes,
)


def stored_token(account_sid: str) -> str | None:
    return keyring.get_password("hubsms", account_sid)


def snapshot(path: Path) -> tuple[bytes | None, int]:
    return read_bytes(path), os.stat(path).st_mtime_ns


def show(cli, name: str) -> dict:
    result = cli("connector", "show", name, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def in_use(cli, config_path: Path) -> None:
    """"Main" is the default and the connector of plan "gold"."""
    assert add(cli, "Main").exit_code == 0
    assert cli("settings", "set-default-sms", "Main").exit_code == 0
    assert cli("plan", "set", "gold", "--sms-connector", "Main").exit_code == 0


# --- add --exist-ok ---------------------------------------------------------------------------


def test_add_of_an_existing_name_without_exist_ok_still_fails(cli):
    add(cli, "Main")
    assert_user_error(add(cli, "Main"), 2, "already exists")


def test_exist_ok_with_the_same_fields_is_exit_0_and_writes_nothing(cli, config_path, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    assert add(cli, "Main", "--logo", str(logo)).exit_code == 0
    before = snapshot(config_path)
    result = add(cli, "main", "--logo", str(logo), "--exist-ok")  # the name matched ignoring case
    assert result.exit_code == 0, result.output
    assert result.stderr == 'connector "Main" already exists, unchanged\n'
    assert snapshot(config_path) == before


def test_exist_ok_without_a_token_uses_the_stored_one_and_is_unchanged(cli, config_path):
    add(cli, "Main")
    before = snapshot(config_path)
    result = add(cli, "Main", "--exist-ok", tok=None)
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.stderr and snapshot(config_path) == before


def test_exist_ok_of_a_new_name_adds_it(cli):
    result = add(cli, "Main", "--exist-ok")
    assert result.exit_code == 0, result.output
    assert 'Added connector "Main"' in result.stderr
    assert stored_token(SID) == TOKEN


@pytest.mark.parametrize(
    "extra, differing",
    [
        (["--from", "+15005550007"], "--from"),
        (["--inactive"], "--active/--inactive"),
        (["--server-address", "http://127.0.0.1:9/2010-04-01/Accounts"], "--server-address"),
    ],
    ids=["from", "inactive", "server"],
)
def test_exist_ok_with_other_fields_is_exit_2_naming_them(cli, config_path, extra, differing):
    add(cli, "Main")
    before = snapshot(config_path)
    args = ["connector", "add", "Main", "--account-sid", SID, "--from", FROM, *extra, "--exist-ok"]
    result = cli(*args)
    assert_user_error(result, 2, f"already exists with a different {differing}")
    assert "connector edit" in result.stderr and "apply" in result.stderr
    assert snapshot(config_path) == before


def test_exist_ok_names_every_differing_field_the_logo_and_the_token(cli, config_path, tmp_path):
    logo = tmp_path / "logo.gif"
    logo.write_bytes(GIF)
    add(cli, "Main")
    result = add(cli, "Main", "--logo", str(logo), "--exist-ok", account_sid=SID2, tok=TOKEN2)
    assert_user_error(result, 2, "--account-sid, --logo, auth token")
    assert TOKEN2 not in result.output
    assert stored_token(SID2) is None


# --- options that exclude each other ---------------------------------------------------------


@pytest.mark.parametrize("order", [["--active", "--inactive"], ["--inactive", "--active"]])
def test_active_and_inactive_together_are_refused_on_add(cli, config_path, order):
    result = add(cli, "Main", *order)
    assert_user_error(result, 2, "give either --active or --inactive, not both")
    assert read_bytes(config_path) is None


def test_active_and_inactive_together_are_refused_on_edit(cli, config_path):
    add(cli, "Main")
    before = snapshot(config_path)
    assert_user_error(cli("connector", "edit", "Main", "--inactive", "--active"), 2, "not both")
    assert snapshot(config_path) == before


def test_inactive_alone_still_works_on_add_and_edit(cli):
    assert add(cli, "Main", "--inactive").exit_code == 0
    assert show(cli, "Main")["active"] is False
    assert cli("connector", "edit", "Main", "--active").exit_code == 0
    assert show(cli, "Main")["active"] is True


def test_logo_and_no_logo_together_have_a_hint(cli, tmp_path):
    add(cli, "Main")
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    result = cli("connector", "edit", "Main", "--logo", str(logo), "--no-logo")
    assert_user_error(result, 2, "give either --logo or --no-logo, not both")
    assert "--no-logo removes" in result.stderr


# --- a change that changes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [[], ["--no-logo"], ["--from", FROM], ["--active"], ["--name", "Main"]],
    ids=["no-flags", "no-logo-without-one", "same-from", "already-active", "same-name"],
)
def test_an_edit_that_changes_nothing_writes_nothing(cli, config_path, extra):
    add(cli, "Main")
    before = snapshot(config_path)
    result = cli("connector", "edit", "Main", *extra)
    assert result.exit_code == 0, result.output
    assert result.stderr == 'nothing to change: "Main" already has these values\n'
    assert snapshot(config_path) == before


def test_an_edit_with_the_same_logo_bytes_or_the_same_token_writes_nothing(cli, config_path, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    add(cli, "Main", "--logo", str(logo))
    before = snapshot(config_path)
    copy = tmp_path / "again.png"
    copy.write_bytes(PNG)
    result = cli("connector", "edit", "Main", "--logo", str(copy), "--auth-token-stdin", input=TOKEN)
    assert result.exit_code == 0 and "nothing to change" in result.stderr, result.output
    assert snapshot(config_path) == before


def test_an_edit_that_changes_something_still_saves(cli, config_path):
    add(cli, "Main")
    result = cli("connector", "edit", "Main", "--from", "+15005550007")
    assert result.exit_code == 0 and result.stderr.endswith('Saved connector "Main".\n'), result.output
    assert show(cli, "Main")["from"] == "+15005550007"


@pytest.mark.parametrize("command, state", [("deactivate", "inactive"), ("activate", "active")])
def test_a_repeated_activate_or_deactivate_says_one_line(cli, config_path, command, state):
    add(cli, "Main")
    cli("connector", command, "Main")
    before = snapshot(config_path)
    result = cli("connector", command, "main")
    assert result.exit_code == 0
    assert result.stderr == f'"Main" is already {state}\n'
    assert snapshot(config_path) == before


# --- usage lines ------------------------------------------------------------------------------


@pytest.mark.parametrize("words", [["connector", "show"], ["connector", "edit"], ["connector", "remove"], ["plan", "set"]])
def test_usage_lines_name_the_argument_NAME(cli, words):
    result = cli(*words, "--help")
    assert f"Usage: hubsms {' '.join(words)} [OPTIONS] {{NAME}}" in result.stdout
    assert "Examples:\n    hubsms " + " ".join(words) in result.stdout


def test_add_usage_line_names_its_optional_NAME(cli):
    assert "Usage: hubsms connector add [OPTIONS] [NAME]" in cli("connector", "add", "--help").stdout


# --- --force: asked at a terminal, not in a script --------------------------------------------


def test_force_without_a_terminal_proceeds_and_says_what_it_removed(cli, config_path):
    in_use(cli, config_path)
    result = cli("connector", "deactivate", "Main", "--force")
    assert result.exit_code == 0, result.output
    assert 'removed plan "gold"' in result.stderr and "cleared Global Settings' default" in result.stderr
    assert show(cli, "Main")["active"] is False


@terminal.POSIX_ONLY
@pytest.mark.parametrize(
    "args", [["connector", "deactivate", "Main", "--force"], ["connector", "edit", "Main", "--inactive", "--force"]],
    ids=["deactivate", "edit"],
)
def test_force_at_a_terminal_asks_and_no_changes_nothing(cli, config_path, args):
    in_use(cli, config_path)
    before = snapshot(config_path)
    term = terminal.Terminal(*args)
    term.expect('Deactivate connector "Main", clearing or removing what uses it: '
                'Global Settings (default SMS connector), plan "gold"? [y/N]:')
    term.child.sendline("n")
    assert term.end() == 130, term.shown
    assert "cancelled, nothing changed" in term.shown
    assert snapshot(config_path) == before


@terminal.POSIX_ONLY
def test_force_at_a_terminal_proceeds_on_yes(cli, config_path):
    in_use(cli, config_path)
    term = terminal.Terminal("connector", "deactivate", "Main", "--force")
    term.expect("[y/N]:")
    term.child.sendline("y")
    assert term.end() == 0, term.shown
    assert 'removed plan "gold"' in term.shown
    assert show(cli, "Main")["active"] is False


@terminal.POSIX_ONLY
def test_force_with_yes_at_a_terminal_does_not_ask(cli, config_path):
    in_use(cli, config_path)
    term = terminal.Terminal("connector", "deactivate", "Main", "--force", "--yes")
    assert term.end() == 0, term.shown
    assert "[y/N]" not in term.shown and '"Main" is inactive.' in term.shown


@terminal.POSIX_ONLY
def test_remove_with_force_at_a_terminal_names_what_it_takes_in_its_question(cli, config_path):
    in_use(cli, config_path)
    term = terminal.Terminal("connector", "remove", "Main", "--force")
    term.expect('Remove connector "Main", clearing or removing what uses it: '
                'Global Settings (default SMS connector), plan "gold"? [y/N]:')
    term.child.sendline("y")
    assert term.end() == 0, term.shown
    assert 'removed plan "gold"' in term.shown


@terminal.POSIX_ONLY
def test_force_on_an_unused_connector_does_not_ask(cli, config_path):
    add(cli, "Main")
    term = terminal.Terminal("connector", "deactivate", "Main", "--force")
    assert term.end() == 0, term.shown
    assert "[y/N]" not in term.shown
