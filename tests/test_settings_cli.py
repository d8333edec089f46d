"""``hubsms settings``: Global Settings' default SMS connector, through the real Typer app."""

from __future__ import annotations

import json

from helpers import SID2, TOKEN2, add, assert_user_error, read_bytes


def settings_json(cli) -> dict:
    result = cli("settings", "show", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_show_json_names_the_config_file_and_no_default_yet(cli, config_path):
    assert settings_json(cli) == {"config_path": str(config_path), "default_sms_connector": None, "plans": {}}


def test_set_default_sms_makes_an_active_connector_the_default(cli, config_path):
    add(cli, "My Twilio")
    result = cli("settings", "set-default-sms", "my twilio")
    assert result.exit_code == 0, result.stderr
    assert 'Default SMS connector: "My Twilio"' in result.stderr
    assert settings_json(cli)["default_sms_connector"] == "My Twilio"
    assert '[settings]\ndefault_sms_connector = "My Twilio"' in config_path.read_text()


def test_set_default_sms_replaces_the_previous_default(cli):
    add(cli, "First")
    add(cli, "Second", account_sid=SID2, tok=TOKEN2)
    cli("settings", "set-default-sms", "First")
    assert cli("settings", "set-default-sms", "Second").exit_code == 0
    rows = json.loads(cli("connector", "list", "--json").stdout)
    assert [(r["name"], r["default"]) for r in rows] == [("First", False), ("Second", True)]


def test_settings_show_prints_the_default_for_people(cli):
    add(cli, "My Twilio")
    cli("settings", "set-default-sms", "My Twilio")
    result = cli("settings", "show")
    assert result.exit_code == 0
    assert "default sms connector" in result.stdout and "My Twilio" in result.stdout


def test_set_default_sms_refuses_an_inactive_connector_with_exit_3(cli, config_path):
    add(cli, "Sleeping", "--inactive")
    before = read_bytes(config_path)
    result = cli("settings", "set-default-sms", "Sleeping")
    assert_user_error(result, 3, '"Sleeping" is inactive')
    assert 'hubsms connector activate "Sleeping"' in result.stderr
    assert read_bytes(config_path) == before


def test_set_default_sms_refuses_an_unknown_connector_with_exit_3(cli, config_path):
    add(cli, "Mine")
    before = read_bytes(config_path)
    assert_user_error(cli("settings", "set-default-sms", "Ghost"), 3, 'no connector named "Ghost"')
    assert read_bytes(config_path) == before


def test_set_default_sms_on_an_empty_config_writes_no_file(cli, config_path):
    assert_user_error(cli("settings", "set-default-sms", "Ghost"), 3, "Ghost")
    assert read_bytes(config_path) is None


def test_the_default_connector_cannot_then_be_deactivated_without_force(cli):
    add(cli, "Mine")
    cli("settings", "set-default-sms", "Mine")
    assert_user_error(cli("connector", "deactivate", "Mine"), 3, "Global Settings")
    assert settings_json(cli)["default_sms_connector"] == "Mine"


def test_settings_show_on_a_broken_file_exits_3_naming_the_file(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[settings\n")
    assert_user_error(cli("settings", "show"), 3, str(config_path), "line 1, column")


def test_the_settings_config_option_works_before_and_after_the_command(cli, tmp_path):
    other = tmp_path / "other.toml"
    add(cli, "Mine", "--config", str(other))
    assert cli("--config", str(other), "settings", "set-default-sms", "Mine").exit_code == 0
    result = cli("settings", "show", "--json", "--config", str(other))
    assert json.loads(result.stdout)["default_sms_connector"] == "Mine"
