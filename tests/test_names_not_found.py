"""A name that is not there: the hint suggests up to five close names (difflib), and says how
to list them all, instead of naming every connector or plan of the file."""

from __future__ import annotations

import json

from helpers import SID, FROM, added, assert_user_error

MANY = 2000


def write_connectors(config_path, count: int) -> None:
    """A config of ``count`` connectors "Gateway 0001"... (written as TOML: adding them one by one
    would take minutes)."""
    lines = ["schema_version = 1", ""]
    for n in range(1, count + 1):
        lines += [f'[connectors."Gateway {n:04d}"]', 'provider = "twilio"',
                  'server_address = "https://api.twilio.com/2010-04-01/Accounts"',
                  f'account_sid = "{SID}"', f'from = "{FROM}"', "active = true", ""]
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text("\n".join(lines))


def test_2000_connectors_give_five_close_names_not_every_name(cli, config_path):
    write_connectors(config_path, MANY)
    result = cli("connector", "show", "gateway 0042x", "--json")
    assert_user_error(result, 3, 'no connector named "gateway 0042x"')
    hint = json.loads(result.stdout)["error"]["hint"]
    assert hint.startswith('did you mean "Gateway 0042"') and hint.count('"Gateway ') == 5
    assert hint.endswith(f"hubsms connector list lists all {MANY}")
    assert len(result.stderr) < 400


def test_a_typo_in_any_case_is_suggested_and_a_far_name_is_not(cli):
    added(cli, "Twilio EU")
    added(cli, "Staging")
    near = cli("otp", "send", "--to", "+15005550006", "--connector", "twilo eu", "--dry-run")
    assert_user_error(near, 3, "twilo eu")
    assert near.stderr.splitlines()[1] == 'hint: did you mean "Twilio EU"? hubsms connector list lists all 2'
    far = cli("connector", "test", "Production")
    assert_user_error(far, 3, "Production")
    assert far.stderr.splitlines()[1] == 'hint: connectors: "Twilio EU", "Staging"'  # a few: every one


def test_among_many_a_far_name_gets_the_command_that_lists_them(cli, config_path):
    write_connectors(config_path, 6)
    result = cli("connector", "show", "Production")
    assert_user_error(result, 3, "Production")
    assert result.stderr.splitlines()[1] == "hint: no connector has a name close to it; hubsms connector list lists all 6"


def test_with_no_connectors_the_hint_says_how_to_add_one(cli):
    result = cli("connector", "show", "Any")
    assert_user_error(result, 3, "Any")
    assert "there are no connectors yet; add one: hubsms connector add" in result.stderr


def test_a_plan_name_gets_close_names_too(cli):
    added(cli, "Main")
    assert cli("plan", "set", "Enterprise", "--sms-connector", "Main").exit_code == 0
    result = cli("plan", "remove", "enterprize")
    assert_user_error(result, 3, "enterprize")
    assert result.stderr.splitlines()[1] == 'hint: did you mean "Enterprise"? hubsms plan list lists it'
