"""Service plans and the rules that tie connectors to the default and plans, through the
real Typer app and a real file keyring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SID

from hubsms import store
from hubsms.errors import ConnectorInactive, PlanNotFound
from hubsms.service.lookup import resolve_plan_connector

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def add(cli):
    def add_connector(name: str, *extra: str) -> None:
        result = cli("connector", "add", name, "--account-sid", SID, "--from", "+14155552671",
                     "--auth-token-stdin", *extra, input=TOKEN + "\n")
        assert result.exit_code == 0, result.output

    return add_connector


@pytest.fixture
def used(cli, add) -> None:
    """"Prod" is the default and used by plan "Enterprise"; "Spare" is used by nothing."""
    add("Prod")
    add("Spare")
    assert cli("settings", "set-default-sms", "Prod").exit_code == 0
    assert cli("plan", "set", "Enterprise", "--sms-connector", "Prod").exit_code == 0


def plans_json(cli) -> list[dict]:
    result = cli("plan", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_set_assigns_an_active_connector_and_list_shows_it(cli, add):
    add("My Twilio")
    result = cli("plan", "set", "Enterprise", "--sms-connector", "my twilio")
    assert result.exit_code == 0, result.output
    assert 'Plan "Enterprise" uses SMS connector "My Twilio"' in result.stderr
    assert plans_json(cli) == [{"name": "Enterprise", "sms_connector": "My Twilio", "connector_active": True}]
    table = cli("plan", "list")
    assert "Enterprise" in table.stdout and "My Twilio" in table.stdout


def test_plan_list_without_plans_says_how_to_add_one(cli):
    result = cli("plan", "list")
    assert result.exit_code == 0
    assert "hubsms plan set NAME --sms-connector" in result.stderr
    assert plans_json(cli) == []


def test_plan_set_exits_3_for_an_inactive_connector_and_writes_nothing(cli, add, config_path: Path):
    add("Off", "--inactive")
    before = config_path.read_bytes()
    result = cli("plan", "set", "Trial", "--sms-connector", "Off")
    assert result.exit_code == 3
    assert '"Off" is inactive and cannot be assigned to a service plan' in result.stderr
    assert "hint: activate it first" in result.stderr
    assert config_path.read_bytes() == before


def test_plan_set_exits_3_for_an_unknown_connector(cli, add):
    add("Prod")
    result = cli("plan", "set", "Trial", "--sms-connector", "Nope")
    assert result.exit_code == 3
    assert 'no connector named "Nope"' in result.stderr
    assert plans_json(cli) == []


def test_plan_set_without_sms_connector_is_a_usage_error_naming_the_flag(cli, add):
    add("Prod")
    result = cli("plan", "set", "Trial")
    assert result.exit_code == 2
    assert "error: missing --sms-connector" in result.stderr
    assert "hint: give --sms-connector" in result.stderr


@pytest.mark.parametrize("name", ["   ", "x" * 65, "tab\there"])
def test_plan_set_refuses_an_invalid_plan_name(cli, add, name):
    add("Prod")
    result = cli("plan", "set", name, "--sms-connector", "Prod")
    assert result.exit_code == 2
    assert "plan name" in result.stderr
    assert plans_json(cli) == []


def test_plan_set_on_an_existing_plan_ignoring_case_keeps_its_spelling(cli, add, used):
    result = cli("plan", "set", "ENTERPRISE", "--sms-connector", "Spare")
    assert result.exit_code == 0, result.output
    assert plans_json(cli) == [{"name": "Enterprise", "sms_connector": "Spare", "connector_active": True}]


def test_plan_set_again_with_the_same_connector_says_so_and_keeps_the_file(cli, used, config_path: Path):
    before = config_path.read_bytes()
    result = cli("plan", "set", "Enterprise", "--sms-connector", "Prod")
    assert result.exit_code == 0
    assert 'already uses "Prod"' in result.stderr
    assert config_path.read_bytes() == before


def test_plan_remove_removes_the_plan(cli, used):
    result = cli("plan", "remove", "enterprise")
    assert result.exit_code == 0, result.output
    assert 'Removed plan "Enterprise"' in result.stderr
    assert plans_json(cli) == []


def test_plan_remove_of_an_unknown_plan_exits_3_naming_the_known_ones(cli, used):
    result = cli("plan", "remove", "Gold")
    assert result.exit_code == 3
    assert 'error: no service plan named "Gold"' in result.stderr
    assert 'hint: service plans: "Enterprise"' in result.stderr


# --- the rules, enforced by every command ------------------------------------------------


def test_an_inactive_connector_cannot_be_made_the_default(cli, add):
    add("Off", "--inactive")
    result = cli("settings", "set-default-sms", "Off")
    assert result.exit_code == 3
    assert "inactive and cannot be the default SMS connector" in result.stderr


@pytest.mark.parametrize(
    "command",
    [("connector", "deactivate", "Prod"), ("connector", "remove", "Prod", "--yes"), ("connector", "edit", "Prod", "--inactive")],
)
def test_taking_away_a_used_connector_is_refused_naming_its_uses(cli, used, config_path: Path, command):
    before = config_path.read_bytes()
    result = cli(*command)
    assert result.exit_code == 3
    assert "Global Settings (default SMS connector)" in result.stderr
    assert 'plan "Enterprise"' in result.stderr
    assert "--force" in result.stderr
    assert config_path.read_bytes() == before


def test_deactivate_with_force_clears_the_default_removes_the_plans_and_says_so(cli, used):
    result = cli("connector", "deactivate", "Prod", "--force")
    assert result.exit_code == 0, result.output
    assert "cleared Global Settings' default SMS connector (it was \"Prod\")" in result.stderr
    assert 'removed plan "Enterprise" (it used "Prod")' in result.stderr
    assert plans_json(cli) == []
    settings = json.loads(cli("settings", "show", "--json").stdout)
    assert settings["default_sms_connector"] is None


def test_remove_with_force_clears_the_uses_and_removes_it(cli, used):
    result = cli("connector", "remove", "Prod", "--yes", "--force")
    assert result.exit_code == 0, result.output
    assert "Global Settings" in result.stderr
    assert plans_json(cli) == []
    names = [row["name"] for row in json.loads(cli("connector", "list", "--json").stdout)]
    assert names == ["Spare"]


def test_an_unused_connector_deactivates_without_force(cli, used):
    assert cli("connector", "deactivate", "Spare").exit_code == 0


def test_connector_list_shows_where_each_connector_is_used(cli, used):
    rows = {row["name"]: row for row in json.loads(cli("connector", "list", "--json").stdout)}
    assert rows["Prod"]["used_by"] == ["Global Settings (default SMS connector)", 'plan "Enterprise"']
    assert rows["Spare"]["used_by"] == []


def test_renaming_a_connector_keeps_its_plans(cli, used):
    assert cli("connector", "edit", "Prod", "--name", "Production").exit_code == 0
    assert plans_json(cli)[0]["sms_connector"] == "Production"


# --- resolve_plan_connector (for otp send --plan) ------------------------------------------


def test_resolve_plan_connector_returns_the_plans_connector(cli, used, config_path: Path):
    connector = resolve_plan_connector(store.load(config_path), "enterprise")
    assert connector.name == "Prod"


def test_resolve_plan_connector_refuses_an_unknown_plan(cli, used, config_path: Path):
    with pytest.raises(PlanNotFound):
        resolve_plan_connector(store.load(config_path), "Gold")


def test_resolve_plan_connector_refuses_an_inactive_connector_of_a_hand_edited_file(cli, used, config_path: Path):
    text = config_path.read_text().replace("active = true", "active = false", 1)
    config_path.write_text(text)
    with pytest.raises(ConnectorInactive, match='plan "Enterprise" uses connector "Prod", which is inactive'):
        resolve_plan_connector(store.load(config_path), "Enterprise")
