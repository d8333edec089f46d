"""``hubsms connector``: every command through the real Typer app and the real file keyring."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
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
    everything_under,
    read_bytes,
    run_hubsms,
    run_module,
    subprocess_env,
)
from keyring.backends import fail, null
from keyring_backends import ReadOnlyKeyring

from hubsms import __version__

ROW_KEYS = ["name", "provider", "purpose", "from", "account_sid", "server_address", "logo", "active", "default", "used_by", "plans", "token_source"]
SHOW_KEYS = [
    "name", "provider", "purpose", "logo", "server_address", "account_sid", "from", "active",
    "auth_token_env", "token_source", "keyring_backend", "default", "used_by",
]


def list_json(cli, *extra: str) -> list[dict]:
    result = cli("connector", "list", "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def show_json(cli, name: str, env: dict[str, str] | None = None) -> dict:
    result = cli("connector", "show", name, "--json", env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def stored_token(account_sid: str) -> str | None:
    return keyring.get_password("hubsms", account_sid)


def with_plans(config_path: Path, default: str | None, plans: dict[str, str]) -> None:
    """Add Global Settings and [plans."X"] tables by hand, as another tool would."""
    text = config_path.read_text()
    head = "schema_version = 1\n"
    if default:
        head += f'\n[settings]\ndefault_sms_connector = "{default}"\n'
    for plan, connector in plans.items():
        head += f'\n[plans."{plan}"]\nsms_connector = "{connector}"\n'
    config_path.write_text(head + text.replace("schema_version = 1\n", "", 1))


# --- success paths ---------------------------------------------------------------------------


def test_add_then_list_json_gives_one_row_with_the_stable_keys(cli):
    result = add(cli, "My Twilio")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert 'Added connector "My Twilio" (Twilio, SMS Gateway, active)' in result.stderr
    assert list_json(cli) == [
        {
            "name": "My Twilio",
            "provider": "Twilio",
            "purpose": "SMS Gateway",
            "from": FROM,
            "account_sid": SID,  # whole in JSON
            "server_address": "https://api.twilio.com/2010-04-01/Accounts",
            "logo": None,
            "active": True,
            "default": False,
            "used_by": [],
            "plans": [],
            "token_source": "keyring?",  # the keyring is asked with --wide only
        }
    ]


def test_list_shows_a_table_of_every_connector(cli):
    add(cli, "My Twilio")
    add(cli, "Backup", "--inactive", account_sid=SID2, from_="SigningHub", tok=TOKEN2)
    result = cli("connector", "list", "--wide")
    assert result.exit_code == 0
    for text in ("Name", "Purpose", "My Twilio", "SMS Gateway", SID, "Backup", "SigningHub", SID2, "keyring"):
        assert text in result.stdout


def test_an_empty_list_says_how_to_add_one_on_stderr(cli):
    result = cli("connector", "list")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "hubsms connector add" in result.stderr
    assert list_json(cli) == []


def test_list_filters_active_and_inactive_connectors(cli):
    add(cli, "On")
    add(cli, "Off", "--inactive")
    assert [r["name"] for r in list_json(cli)] == ["On", "Off"]
    assert [r["name"] for r in list_json(cli, "--active")] == ["On"]
    assert [r["name"] for r in list_json(cli, "--inactive")] == ["Off"]


def test_show_json_has_every_field_the_purpose_and_the_token_source_but_never_the_token(cli):
    add(cli, "My Twilio")
    result = cli("connector", "show", "MY TWILIO", "--json")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert list(record) == SHOW_KEYS
    assert record == {
        "name": "My Twilio",
        "provider": "Twilio",
        "purpose": "SMS Gateway",
        "logo": None,
        "server_address": "https://api.twilio.com/2010-04-01/Accounts",
        "account_sid": SID,
        "from": FROM,
        "active": True,
        "auth_token_env": None,
        "token_source": "keyring",
        "keyring_backend": record["keyring_backend"],
        "default": False,
        "used_by": [],
    }
    assert record["keyring_backend"].startswith("keyrings.alt.file.PlaintextKeyring")
    assert TOKEN not in result.stdout + result.stderr


def test_show_prints_a_field_table_for_people(cli):
    add(cli, "My Twilio")
    result = cli("connector", "show", "My Twilio")
    assert result.exit_code == 0
    for text in ("purpose", "SMS Gateway", "token source", "keyring", SID):
        assert text in result.stdout


def test_edit_changes_only_the_given_fields(cli):
    add(cli, "My Twilio")
    result = cli("connector", "edit", "my twilio", "--from", "SigningHub")
    assert result.exit_code == 0, result.stderr
    assert 'Saved connector "My Twilio"' in result.stderr
    record = show_json(cli, "My Twilio")
    assert (record["from"], record["account_sid"], record["active"]) == ("SigningHub", SID, True)


def test_deactivate_and_activate_switch_the_active_flag(cli):
    add(cli, "My Twilio")
    result = cli("connector", "deactivate", "my twilio")
    assert result.exit_code == 0 and '"My Twilio" is inactive' in result.stderr
    assert list_json(cli)[0]["active"] is False
    result = cli("connector", "activate", "My Twilio")
    assert result.exit_code == 0 and '"My Twilio" is active' in result.stderr
    assert list_json(cli)[0]["active"] is True


def test_activating_an_active_connector_says_so_and_succeeds(cli):
    add(cli, "My Twilio")
    result = cli("connector", "activate", "My Twilio")
    assert result.exit_code == 0
    assert "already active" in result.stderr


def test_remove_with_yes_removes_the_connector(cli):
    add(cli, "My Twilio")
    add(cli, "Other")
    result = cli("connector", "remove", "my twilio", "--yes")
    assert result.exit_code == 0, result.stderr
    assert 'Removed connector "My Twilio"' in result.stderr
    assert [r["name"] for r in list_json(cli)] == ["Other"]


def test_remove_without_yes_and_without_a_terminal_asks_for_yes(cli, config_path):
    add(cli, "My Twilio")
    before = read_bytes(config_path)
    assert_user_error(cli("connector", "remove", "My Twilio"), 2, "needs confirmation")
    assert read_bytes(config_path) == before


# --- every field's accepted values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0012345678987", "+12345678987"),
        ("+15005550006", "+15005550006"),
        ("12345", "12345"),
        ("SigningHub", "SigningHub"),
        ("MG0123456789abcdef0123456789abcdef", "MG0123456789abcdef0123456789abcdef"),
    ],
)
def test_every_kind_of_sender_is_stored_normalised_without_a_warning(cli, config_path, given, stored):
    result = add(cli, "A", from_=given)
    assert result.exit_code == 0
    assert "warning" not in result.stderr
    assert f'from = "{stored}"' in config_path.read_text()


def test_a_possible_but_unassigned_number_is_stored_with_a_warning_on_stderr(cli):
    result = add(cli, "A", from_="+15555550100")
    assert result.exit_code == 0
    assert "warning: +15555550100 is not in any assigned number range" in result.stderr
    assert result.stdout == ""
    assert list_json(cli)[0]["from"] == "+15555550100"


def test_https_to_another_host_warns_that_the_token_will_be_sent_there(cli):
    result = add(cli, "A", "--server-address", "https://proxy.example.com/2010-04-01/Accounts")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "auth token will be sent to proxy.example.com" in result.stderr
    assert show_json(cli, "A")["server_address"] == "https://proxy.example.com/2010-04-01/Accounts"


def test_plain_http_to_a_loopback_host_is_accepted_for_the_sandbox(cli):
    result = add(cli, "A", "--server-address", "http://127.0.0.1:8099/2010-04-01/Accounts")
    assert result.exit_code == 0, result.stderr
    assert show_json(cli, "A")["server_address"] == "http://127.0.0.1:8099/2010-04-01/Accounts"


def test_a_good_logo_is_copied_beside_the_config_and_stored_as_a_relative_path(cli, config_path, tmp_path):
    source = tmp_path / "brand.PNG"
    source.write_bytes(PNG)
    result = add(cli, "My Twilio", "--logo", str(source))
    assert result.exit_code == 0, result.stderr
    assert 'logo = "logos/connectors.toml/my-twilio.png"' in config_path.read_text()
    assert (config_path.parent / "logos" / "connectors.toml" / "my-twilio.png").read_bytes() == PNG
    assert show_json(cli, "My Twilio")["logo"] == "logos/connectors.toml/my-twilio.png"


def test_no_logo_removes_the_logo_and_its_file(cli, config_path, tmp_path):
    source = tmp_path / "brand.png"
    source.write_bytes(PNG)
    assert add(cli, "My Twilio", "--logo", str(source)).exit_code == 0
    result = cli("connector", "edit", "My Twilio", "--no-logo")
    assert result.exit_code == 0, result.stderr
    assert "logo" not in config_path.read_text()
    assert not (config_path.parent / "logos" / "connectors.toml" / "my-twilio.png").exists()
    both = cli("connector", "edit", "My Twilio", "--no-logo", "--logo", str(source))
    assert both.exit_code == 2


def test_two_connectors_with_the_same_logo_slug_get_two_files(cli, config_path, tmp_path):
    source = tmp_path / "a.gif"
    source.write_bytes(GIF)
    add(cli, "A b", "--logo", str(source))
    add(cli, "a-B", "--logo", str(source))
    assert sorted(p.name for p in (config_path.parent / "logos" / "connectors.toml").iterdir()) == ["a-b-2.gif", "a-b.gif"]


def test_removing_a_connector_removes_its_logo(cli, config_path, tmp_path):
    source = tmp_path / "a.png"
    source.write_bytes(PNG)
    add(cli, "A", "--logo", str(source))
    assert cli("connector", "remove", "A", "--yes").exit_code == 0
    assert not (config_path.parent / "logos" / "connectors.toml" / "a.png").exists()


def test_the_saved_file_has_mode_0600(cli, config_path):
    add(cli, "A")
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600


# --- every field's invalid values: exit 2, one error and one hint, nothing written -------------


def _logo(tmp_path: Path, spec: tuple[str, bytes] | str | None) -> list[str]:
    if spec is None:
        return []
    if spec == "missing":
        return ["--logo", str(tmp_path / "no-such-logo.png")]
    if spec == "folder":
        (tmp_path / "folder.png").mkdir()
        return ["--logo", str(tmp_path / "folder.png")]
    filename, data = spec
    (tmp_path / filename).write_bytes(data)
    return ["--logo", str(tmp_path / filename)]


INVALID = {
    "empty name": ({"name": ""}, "name is empty"),
    "blank name": ({"name": "   "}, "name is empty"),
    "name of 65 characters": ({"name": "n" * 65}, "65 characters"),
    "name with a control character": ({"name": "bad\x1bname"}, "control character"),
    "short account sid": ({"account_sid": "AC0123"}, "invalid Account SID"),
    "account sid of another kind": ({"account_sid": "MG0123456789abcdef0123456789abcdef"}, "invalid Account SID"),
    "short token": ({"tok": "0123456789abcdef"}, "invalid auth token"),
    "token that is not hex": ({"tok": "z" * 32}, "invalid auth token"),
    "empty token on stdin": ({"tok": ""}, "stdin is empty"),
    "impossible country code": ({"from_": "+999123456789"}, "invalid phone number"),
    "number too long for its country": ({"from_": "+1202555012345"}, "not a possible phone number"),
    "number too short": ({"from_": "+1555"}, "invalid phone number"),
    "sender of no known shape": ({"from_": "not valid!"}, "invalid From"),
    "alphanumeric id of 12 characters": ({"from_": "SigningHubXY"}, "invalid From"),
    "plain http to another host": ({"extra": ["--server-address", "http://api.example.com/x"]}, "plain http is refused"),
    "server address of another scheme": ({"extra": ["--server-address", "ftp://api.twilio.com"]}, "invalid server address"),
    "logo of the wrong extension": ({"logo": ("logo.svg", PNG)}, "not a jpeg, jpg, gif or png"),
    "logo whose content does not match": ({"logo": ("logo.png", GIF)}, "holds a gif image"),
    "logo that is no image": ({"logo": ("logo.png", b"<html></html>")}, "not an image"),
    "logo over one mebibyte": ({"logo": ("big.png", PNG + bytes(1024 * 1024))}, "bytes"),
    "logo that does not exist": ({"logo": "missing"}, "cannot read logo"),
    "logo that is a folder": ({"logo": "folder"}, "is not a regular file"),
}


@pytest.mark.parametrize("file_exists", [True, False], ids=["existing file", "no file yet"])
@pytest.mark.parametrize(("case", "fragment"), INVALID.values(), ids=INVALID.keys())
def test_add_refuses_an_invalid_value_with_exit_2_and_writes_nothing(cli, config_path, tmp_path, file_exists, case, fragment):
    if file_exists:
        add(cli, "Existing", account_sid=SID2, tok=TOKEN2)
    before_config, before_keyring = read_bytes(config_path), everything_under(tmp_path / "data")
    case = dict(case)
    extra = case.pop("extra", []) + _logo(tmp_path, case.pop("logo", None))
    result = add(cli, case.pop("name", "New"), *extra, **case)
    assert_user_error(result, 2, fragment)
    assert read_bytes(config_path) == before_config
    assert everything_under(tmp_path / "data") == before_keyring
    assert not (config_path.parent / "logos").exists()


@pytest.mark.parametrize("name", ["My Twilio", "my twilio", "  MY TWILIO  "])
def test_add_refuses_a_duplicate_name_ignoring_case(cli, config_path, name):
    add(cli, "My Twilio")
    before = read_bytes(config_path)
    assert_user_error(add(cli, name, account_sid=SID2, tok=TOKEN2), 2, 'a connector named "My Twilio" already exists')
    assert read_bytes(config_path) == before
    assert stored_token(SID2) is None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--name", ""], "name is empty"),
        (["--name", "x" * 65], "65 characters"),
        (["--name", "OTHER"], "already exists"),
        (["--account-sid", "AC12"], "invalid Account SID"),
        (["--from", "+999123456789"], "invalid phone number"),
        (["--server-address", "http://10.1.2.3/x"], "plain http is refused"),
        (["--auth-token-env", "1BAD"], "invalid environment variable name"),
    ],
)
def test_edit_refuses_an_invalid_value_with_exit_2_and_writes_nothing(cli, config_path, args, fragment):
    add(cli, "Mine")
    add(cli, "Other", account_sid=SID2, tok=TOKEN2)
    before = read_bytes(config_path)
    assert_user_error(cli("connector", "edit", "Mine", *args), 2, fragment)
    assert read_bytes(config_path) == before


def test_edit_refuses_a_bad_token_on_stdin_and_keeps_the_stored_one(cli, config_path):
    add(cli, "Mine")
    before = read_bytes(config_path)
    result = cli("connector", "edit", "Mine", "--auth-token-stdin", input="nothex\n")
    assert_user_error(result, 2, "invalid auth token")
    assert read_bytes(config_path) == before
    assert stored_token(SID) == TOKEN


def test_edit_refuses_a_bad_logo_and_writes_nothing(cli, config_path, tmp_path):
    add(cli, "Mine")
    before = read_bytes(config_path)
    (tmp_path / "x.jpg").write_bytes(PNG)
    assert_user_error(cli("connector", "edit", "Mine", "--logo", str(tmp_path / "x.jpg")), 2, "holds a png image")
    assert read_bytes(config_path) == before


def test_add_without_any_token_exits_4_naming_the_flags(cli, config_path):
    result = add(cli, "A", tok=None)
    assert_user_error(result, 4, "no auth token for account AC…cdef")
    assert "--auth-token-stdin" in result.stderr
    assert read_bytes(config_path) is None


@pytest.mark.parametrize("missing", ["--account-sid", "--from"])
def test_add_without_a_required_flag_names_it(cli, config_path, missing):
    args = {"--account-sid": SID, "--from": FROM}
    del args[missing]
    result = cli("connector", "add", "A", *[x for pair in args.items() for x in pair], "--auth-token-stdin", input=TOKEN)
    assert_user_error(result, 2, f"missing {missing}")
    assert read_bytes(config_path) is None


def test_a_token_from_stdin_and_from_a_variable_at_once_is_refused(cli, config_path):
    assert_user_error(add(cli, "A", "--auth-token-env", "MY_TOKEN"), 2, "not both")
    assert read_bytes(config_path) is None


# --- not found, inactive, in use: exit 3 ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["show", "Ghost"], ["edit", "Ghost", "--from", FROM], ["activate", "Ghost"], ["deactivate", "Ghost"], ["remove", "Ghost", "--yes"]],
)
def test_a_command_on_an_unknown_connector_exits_3_listing_the_known_ones(cli, config_path, command):
    add(cli, "Mine")
    before = read_bytes(config_path)
    result = cli("connector", *command)
    assert_user_error(result, 3, 'no connector named "Ghost"')
    assert '"Mine"' in result.stderr
    assert read_bytes(config_path) == before


@pytest.mark.parametrize("command", [["remove", "Mine", "--yes"], ["deactivate", "Mine"], ["edit", "Mine", "--inactive"]])
def test_taking_away_a_connector_in_use_exits_3_naming_its_uses(cli, config_path, command):
    add(cli, "Mine")
    with_plans(config_path, "Mine", {"Enterprise": "Mine", "Free": "Mine"})
    before = read_bytes(config_path)
    result = cli("connector", *command)
    assert_user_error(result, 3, "Global Settings", 'plan "Enterprise"', 'plan "Free"')
    assert "--force" in result.stderr
    assert read_bytes(config_path) == before
    assert stored_token(SID) == TOKEN


@pytest.mark.parametrize("command", [["remove", "Mine", "--yes", "--force"], ["deactivate", "Mine", "--force"]])
def test_force_clears_the_default_and_the_plans_that_used_the_connector(cli, config_path, command):
    add(cli, "Mine")
    add(cli, "Other", account_sid=SID2, tok=TOKEN2)
    with_plans(config_path, "Mine", {"Enterprise": "Mine", "Free": "Other"})
    result = cli("connector", *command)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: cleared Global Settings' default SMS connector (it was \"Mine\"); "
        'removed plan "Enterprise" (it used "Mine")\n'
    ) in result.stderr
    settings = json.loads(cli("settings", "show", "--json").stdout)
    assert settings["default_sms_connector"] is None
    assert settings["plans"] == {"Free": "Other"}


def test_list_and_show_report_the_default_and_the_plans_using_a_connector(cli, config_path):
    add(cli, "Mine")
    with_plans(config_path, "Mine", {"Enterprise": "Mine"})
    row = list_json(cli)[0]
    assert (row["default"], row["used_by"]) == (True, ["Global Settings (default SMS connector)", 'plan "Enterprise"'])
    assert row["plans"] == ["Enterprise"]
    assert show_json(cli, "Mine")["used_by"] == row["used_by"]


# --- the token ------------------------------------------------------------------------------------


def test_the_token_is_in_the_keyring_and_nowhere_in_the_config_folder_or_any_output(cli, config_path, tmp_path):
    (tmp_path / "logo.png").write_bytes(PNG)
    outputs = [
        add(cli, "Mine", "--logo", str(tmp_path / "logo.png")),
        cli("connector", "edit", "Mine", "--name", "Renamed", "--auth-token-stdin", input=TOKEN2 + "\n"),
        cli("connector", "list"),
        cli("connector", "list", "--json"),
        cli("connector", "show", "Renamed"),
        cli("connector", "show", "Renamed", "--json"),
        cli("settings", "show", "--json"),
    ]
    assert all(r.exit_code == 0 for r in outputs)
    assert stored_token(SID) == TOKEN2
    folder = everything_under(config_path.parent)
    for secret in (TOKEN, TOKEN2):
        assert secret.encode() not in folder
        assert all(secret not in r.stdout + r.stderr for r in outputs)


def test_add_never_replaces_another_token_of_the_account_and_names_its_users(cli, config_path):
    add(cli, "First")
    before = read_bytes(config_path)
    result = add(cli, "Second", tok=TOKEN2)
    assert_user_error(result, 2, "account AC…cdef already has a different auth token", "used by: First")
    assert "--replace-token" in result.stderr
    assert stored_token(SID) == TOKEN
    assert read_bytes(config_path) == before


def test_add_with_replace_token_replaces_it_for_every_connector_of_the_account(cli):
    add(cli, "First")
    result = add(cli, "Second", "--replace-token", tok=TOKEN2)
    assert result.exit_code == 0, result.stderr
    assert "replaced the stored auth token of account AC…cdef; it is also used by: First" in result.stderr
    assert stored_token(SID) == TOKEN2


def test_add_with_the_same_token_as_stored_is_fine(cli):
    add(cli, "First")
    assert add(cli, "Second", tok=TOKEN).exit_code == 0
    assert stored_token(SID) == TOKEN


def test_a_second_connector_of_an_account_can_use_the_stored_token(cli):
    add(cli, "First")
    result = add(cli, "Second", tok=None)
    assert result.exit_code == 0, result.stderr
    assert show_json(cli, "Second")["token_source"] == "keyring"


@pytest.mark.parametrize(
    ("env", "source"),
    [
        ({"HUBSMS_AUTH_TOKEN": "a" * 32, "MY_TOKEN": "b" * 32}, "env:HUBSMS_AUTH_TOKEN"),
        ({"MY_TOKEN": "b" * 32}, "env:MY_TOKEN"),
        ({}, "missing"),
    ],
)
def test_show_reports_where_the_token_of_a_connector_with_a_variable_comes_from(cli, env, source):
    result = add(cli, "Env", "--auth-token-env", "MY_TOKEN", tok=None)
    assert result.exit_code == 0, result.stderr
    assert stored_token(SID) is None
    record = show_json(cli, "Env", env=env)
    assert (record["auth_token_env"], record["token_source"]) == ("MY_TOKEN", source)


def test_show_reports_a_missing_token_when_the_keyring_has_none(cli):
    add(cli, "Mine")
    keyring.delete_password("hubsms", SID)
    assert show_json(cli, "Mine")["token_source"] == "missing"


def test_a_rename_keeps_the_token_and_repoints_the_default_and_the_plans(cli, config_path):
    add(cli, "Old")
    add(cli, "Bystander", account_sid=SID2, tok=TOKEN2)
    with_plans(config_path, "Old", {"Enterprise": "Old", "Free": "Bystander"})
    result = cli("connector", "edit", "old", "--name", "New")
    assert result.exit_code == 0, result.stderr
    assert stored_token(SID) == TOKEN
    assert show_json(cli, "New")["token_source"] == "keyring"
    settings = json.loads(cli("settings", "show", "--json").stdout)
    assert settings["default_sms_connector"] == "New"
    assert settings["plans"] == {"Enterprise": "New", "Free": "Bystander"}
    assert [r["name"] for r in list_json(cli)] == ["New", "Bystander"]


def test_a_rename_that_changes_only_the_case_is_allowed(cli):
    add(cli, "my twilio")
    assert cli("connector", "edit", "my twilio", "--name", "My Twilio").exit_code == 0
    assert [r["name"] for r in list_json(cli)] == ["My Twilio"]


def test_a_changed_account_sid_moves_the_token_and_deletes_the_old_entry(cli):
    add(cli, "Mine")
    result = cli("connector", "edit", "Mine", "--account-sid", SID2)
    assert result.exit_code == 0, result.stderr
    assert "moved the auth token" in result.stderr
    assert (stored_token(SID2), stored_token(SID)) == (TOKEN, None)


def test_a_changed_account_sid_keeps_the_old_entry_while_another_connector_uses_it(cli):
    add(cli, "Mine")
    add(cli, "Sibling", tok=None)
    assert cli("connector", "edit", "Mine", "--account-sid", SID2).exit_code == 0
    assert (stored_token(SID2), stored_token(SID)) == (TOKEN, TOKEN)


def test_a_changed_account_sid_with_a_new_token_stores_that_token(cli):
    add(cli, "Mine")
    result = cli("connector", "edit", "Mine", "--account-sid", SID2, "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.stderr
    assert (stored_token(SID2), stored_token(SID)) == (TOKEN2, None)


def test_a_changed_account_sid_without_any_token_is_refused_and_nothing_written(cli, config_path):
    add(cli, "Mine")
    keyring.delete_password("hubsms", SID)
    before = read_bytes(config_path)
    result = cli("connector", "edit", "Mine", "--account-sid", SID2)
    assert_user_error(result, 4, "no auth token for account")
    assert "--auth-token-stdin" in result.stderr
    assert read_bytes(config_path) == before


def test_removing_the_last_connector_of_an_account_deletes_its_token(cli):
    add(cli, "Mine")
    result = cli("connector", "remove", "Mine", "--yes")
    assert result.exit_code == 0
    assert "deleted the stored auth token of account AC…cdef" in result.stderr
    assert stored_token(SID) is None


def test_removing_one_of_two_connectors_of_an_account_keeps_the_token(cli):
    add(cli, "Mine")
    add(cli, "Sibling", tok=None)
    assert cli("connector", "remove", "Mine", "--yes").exit_code == 0
    assert stored_token(SID) == TOKEN
    assert cli("connector", "remove", "Sibling", "--yes").exit_code == 0
    assert stored_token(SID) is None


# --- the keyring failing: exit 4, the file as it was ---------------------------------------------


def test_a_failed_keyring_write_leaves_the_file_as_it_was_and_exits_4(cli, config_path):
    add(cli, "Existing", account_sid=SID2, tok=TOKEN2)
    before = read_bytes(config_path)
    keyring.set_keyring(ReadOnlyKeyring())
    result = add(cli, "New")
    assert_user_error(result, 4, "failed to store the auth token")
    assert read_bytes(config_path) == before


def test_a_failed_keyring_write_on_a_new_file_leaves_no_file(cli, config_path):
    keyring.set_keyring(ReadOnlyKeyring())
    assert_user_error(add(cli, "New"), 4)
    assert read_bytes(config_path) is None


def test_a_failed_keyring_write_on_edit_keeps_the_old_token_and_file(cli, config_path):
    add(cli, "Mine")
    before = read_bytes(config_path)
    keyring.set_keyring(ReadOnlyKeyring({("hubsms", SID): TOKEN}))
    result = cli("connector", "edit", "Mine", "--name", "Renamed", "--auth-token-stdin", input=TOKEN2 + "\n")
    assert_user_error(result, 4)
    assert read_bytes(config_path) == before


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_an_unusable_keyring_backend_exits_4_with_the_ways_out(cli, config_path, backend):
    keyring.set_keyring(backend())
    result = add(cli, "New")
    assert_user_error(result, 4, "no usable keyring backend (cannot store the auth token)")
    for way in ("unlock the keyring", "PYTHON_KEYRING_BACKEND", "--auth-token-env VAR"):
        assert way in result.stderr
    assert read_bytes(config_path) is None


def test_the_fail_backend_chosen_by_environment_exits_4_in_a_real_process(config_path):
    result = run_hubsms(
        "connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin",
        input=TOKEN, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    assert result.returncode == 4, result.stderr
    assert result.stderr.startswith("error: no usable keyring backend")
    assert "Traceback" not in result.stderr
    assert read_bytes(config_path) is None


def test_a_keyring_that_never_answers_exits_4_within_seconds_naming_the_timeout(config_path):
    started = time.monotonic()
    result = run_hubsms(
        "connector", "add", "New", "--account-sid", SID, "--from", FROM, "--auth-token-stdin",
        input=TOKEN, timeout=15,
        PYTHON_KEYRING_BACKEND="keyring_backends.BlockingKeyring", HUBSMS_KEYRING_TIMEOUT="0.5",
    )
    assert time.monotonic() - started < 5
    assert result.returncode == 4, result.stderr
    assert "did not answer within 0.5 s" in result.stderr
    assert "HUBSMS_KEYRING_TIMEOUT" in result.stderr
    assert read_bytes(config_path) is None


# --- the file ------------------------------------------------------------------------------------


def test_a_file_that_does_not_parse_exits_3_naming_file_line_and_column_and_is_never_overwritten(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text('schema_version = 1\n\n[connectors."A"\naccount_sid = "x"\n')
    before = read_bytes(config_path)
    result = cli("connector", "list")
    assert_user_error(result, 3, str(config_path), "line 3, column")
    assert_user_error(add(cli, "New"), 3, "line 3")
    assert read_bytes(config_path) == before
    assert stored_token(SID) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("schema_version = 1\nunknown = true\n", "unknown key 'unknown'"),
        ("schema_version = 99\n", "schema_version 99 is newer"),
        ('schema_version = 1\n[settings]\ndefault_sms_connector = "Ghost"\n', '"Ghost", which is not a connector'),
    ],
)
def test_a_file_breaking_the_format_exits_3_and_is_left_alone(cli, config_path, text, fragment):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(text)
    assert_user_error(cli("connector", "list", "--json"), 3, fragment)
    assert_user_error(add(cli, "New"), 3, fragment)
    assert config_path.read_text() == text


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_config_option_works_before_and_after_the_command(cli, tmp_path, config_path, where):
    other = tmp_path / "elsewhere" / "other.toml"
    option = ["--config", str(other)]
    args = ["connector", "add", "A", "--account-sid", SID, "--from", FROM, "--auth-token-stdin"]
    result = cli(*(option + args if where == "before" else args + option), input=TOKEN)
    assert result.exit_code == 0, result.stderr
    assert other.exists() and not config_path.exists()
    listed = cli(*(option + ["connector", "list", "--json"] if where == "before" else ["connector", "list", "--json"] + option))
    assert [r["name"] for r in json.loads(listed.stdout)] == ["A"]


# --- the console entry point: fast path, version, module, internal errors -------------------------


def _populate(cli, config_path) -> None:
    add(cli, "My Twilio")
    add(cli, "Backup", "--inactive", account_sid=SID2, from_="SigningHub", tok=TOKEN2)
    add(cli, "Short", from_="12345")
    with_plans(config_path, "My Twilio", {"Enterprise": "Short"})


@pytest.mark.parametrize("flags", [[], ["--json", "--active"]], ids=["table", "json active"])
def test_the_fast_path_prints_exactly_what_the_typer_command_prints(cli, config_path, flags):
    _populate(cli, config_path)
    typer_result = cli("connector", "list", *flags)
    fast_result = run_hubsms("connector", "list", *flags)
    assert (typer_result.exit_code, fast_result.returncode) == (0, 0)
    assert fast_result.stdout == typer_result.stdout
    assert "Backup" not in fast_result.stdout if flags else "Backup" in fast_result.stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_fast_path_honours_the_config_option_before_and_after_the_command(cli, tmp_path, where):
    other = tmp_path / "other.toml"
    assert cli("--config", str(other), "connector", "add", "A", "--account-sid", SID, "--from", FROM, "--auth-token-stdin", input=TOKEN).exit_code == 0
    args = ["--config", str(other), "connector", "list", "--json"] if where == "before" else ["connector", "list", "--json", f"--config={other}"]
    result = run_hubsms(*args)
    assert result.returncode == 0, result.stderr
    assert [r["name"] for r in json.loads(result.stdout)] == ["A"]


def test_the_fast_path_reports_a_broken_file_like_the_typer_command(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("schema_version = \n")
    typer_result = cli("connector", "list")
    fast_result = run_hubsms("connector", "list")
    assert (fast_result.returncode, fast_result.stderr) == (typer_result.exit_code, typer_result.stderr)
    assert fast_result.returncode == 3


def test_version_and_python_m_hubsms_print_the_version():
    assert run_hubsms("--version").stdout == f"hubsms {__version__}\n"
    module = run_module("--version")
    assert (module.returncode, module.stdout) == (0, f"hubsms {__version__}\n")


# hubsms's entry point with a bug put into a use case (a keyring backend's failure is exit 4).
BUGGY_HUBSMS = (
    "import hubsms.service.views\n"
    "def bug(*args, **kwargs): raise LookupError('a bug')\n"
    "hubsms.service.views.show_connector = bug\n"
    "import sys\n"
    "from hubsms.cli.main import main\n"
    "sys.exit(main())\n"
)


def test_an_internal_error_is_one_line_without_debug_and_a_traceback_with_it(cli):
    add(cli, "Mine")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", BUGGY_HUBSMS, *args], capture_output=True, text=True, timeout=20, env=subprocess_env()
        )

    result = run("connector", "show", "Mine")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: internal error: LookupError: a bug",
        "hint: run again with --debug for the traceback, and report it",
    ]
    debug = run("--debug", "connector", "show", "Mine")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr and "LookupError: a bug" in debug.stderr


def test_a_folder_given_as_config_is_refused_alike_by_the_fast_path_and_typer(cli, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    typer_result = cli("connector", "list", "--config", str(folder))
    fast_result = run_hubsms("connector", "list", "--config", str(folder))
    assert typer_result.exit_code == fast_result.returncode == 2  # as with HUBSMS_CONFIG
    assert typer_result.stderr == fast_result.stderr
    assert f"{folder} is a folder, not a regular file" in fast_result.stderr
    from_env = run_hubsms("connector", "list", HUBSMS_CONFIG=str(folder))
    assert (from_env.returncode, from_env.stderr) == (2, fast_result.stderr)


def test_a_bad_keyring_timeout_is_a_usage_error(cli, config_path):
    result = add(cli, "A", env={"HUBSMS_KEYRING_TIMEOUT": "soon"})
    assert_user_error(result, 2, "HUBSMS_KEYRING_TIMEOUT must be seconds", "'soon'")
    assert read_bytes(config_path) is None


def test_show_with_an_unusable_keyring_reports_a_missing_token_and_warns_with_the_ways_out(cli):
    add(cli, "Mine")
    keyring.set_keyring(fail.Keyring())
    result = cli("connector", "show", "Mine", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["token_source"] == "missing"
    assert "warning: no usable keyring backend" in result.stderr and "PYTHON_KEYRING_BACKEND" in result.stderr


def test_a_new_logo_of_another_type_replaces_the_old_file(cli, config_path, tmp_path):
    (tmp_path / "a.png").write_bytes(PNG)
    (tmp_path / "a.gif").write_bytes(GIF)
    add(cli, "A", "--logo", str(tmp_path / "a.png"))
    assert cli("connector", "edit", "A", "--logo", str(tmp_path / "a.gif")).exit_code == 0
    assert sorted(p.name for p in (config_path.parent / "logos" / "connectors.toml").iterdir()) == ["a.gif"]
    assert show_json(cli, "A")["logo"] == "logos/connectors.toml/a.gif"


def test_a_new_logo_of_the_same_type_replaces_the_old_bytes(cli, config_path, tmp_path):
    (tmp_path / "a.png").write_bytes(PNG)
    (tmp_path / "b.png").write_bytes(PNG + b"new")
    add(cli, "A", "--logo", str(tmp_path / "a.png"))
    assert cli("connector", "edit", "A", "--logo", str(tmp_path / "b.png")).exit_code == 0
    logo = show_json(cli, "A")["logo"]
    assert (config_path.parent / logo).read_bytes() == PNG + b"new"
    assert [p.name for p in (config_path.parent / logo).parent.iterdir()] == [logo.rsplit("/", 1)[1]]


def test_a_bad_lock_timeout_is_a_usage_error_not_an_internal_error(cli, config_path):
    assert_user_error(add(cli, "A", env={"HUBSMS_LOCK_TIMEOUT": "soon"}), 2, "HUBSMS_LOCK_TIMEOUT")
    assert read_bytes(config_path) is None


# --- logo paths of a hand-edited file ----------------------------------------------------------


def test_a_hand_edited_logo_outside_logos_is_refused_and_remove_deletes_nothing(cli, config_path):
    add(cli, "A")
    victim = config_path.parent.parent / "victim.txt"
    victim.write_text("keep me")
    text = config_path.read_text().replace('provider = "twilio"', 'provider = "twilio"\nlogo = "../victim.txt"')
    config_path.write_text(text)
    result = cli("connector", "remove", "A", "--yes")
    assert_user_error(result, 3, '[connectors."A"] logo', "../victim.txt")
    assert victim.read_text() == "keep me"
    assert config_path.read_text() == text


def test_only_a_file_inside_logos_is_ever_deleted_as_an_unused_logo(config_path):
    from hubsms.model import Config
    from hubsms.service.transaction import delete_unused_logo

    victim = config_path.parent.parent / "victim.png"
    victim.write_bytes(PNG)
    config_path.parent.mkdir(parents=True, exist_ok=True)
    for logo in ("../victim.png", str(victim), "logos/../../victim.png"):
        delete_unused_logo(config_path, Config(), logo)
    assert victim.read_bytes() == PNG


def test_a_hand_edited_name_with_spaces_around_it_is_refused_on_load(cli, config_path):
    add(cli, "B")
    config_path.write_text(config_path.read_text().replace('[connectors.B]', '[connectors." B "]'))
    result = cli("connector", "show", " B ")
    assert_user_error(result, 3, '[connectors." B "]', "spaces around it")
    assert "names are trimmed" in result.stderr


def test_edit_refuses_a_token_from_stdin_and_from_a_variable_at_once_like_add(cli, config_path):
    add(cli, "A")
    before = read_bytes(config_path)
    result = cli("connector", "edit", "A", "--auth-token-stdin", "--auth-token-env", "MY_TOKEN", input=TOKEN2 + "\n")
    assert_user_error(result, 2, "give either --auth-token-stdin or --auth-token-env, not both")
    assert "--auth-token-env VAR reads it from VAR" in result.stderr
    assert read_bytes(config_path) == before
    assert stored_token(SID) == TOKEN


def test_edit_takes_a_new_token_on_stdin_while_dropping_the_variable(cli, config_path):
    add(cli, "A", "--auth-token-env", "MY_TOKEN", tok=None)
    result = cli("connector", "edit", "A", "--auth-token-stdin", "--auth-token-env", "", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.stderr
    assert show_json(cli, "A")["token_source"] == "keyring"
    assert stored_token(SID) == TOKEN2


# --- a connector is saved only with its token ------------------------------------------------------


def test_clearing_the_variable_of_a_connector_with_no_stored_token_is_refused(cli, config_path):
    add(cli, "A", "--auth-token-env", "NOPE", tok=None)
    before = read_bytes(config_path)
    result = cli("connector", "edit", "A", "--auth-token-env", "")
    assert_user_error(result, 4, '"A" would have no auth token', "AC…cdef")
    assert "--auth-token-stdin" in result.stderr
    assert read_bytes(config_path) == before
    assert show_json(cli, "A", env={"NOPE": TOKEN})["token_source"] == "env:NOPE"


def test_clearing_the_variable_keeps_the_connector_on_the_stored_token(cli):
    add(cli, "A")
    add(cli, "B", "--auth-token-env", "NOPE", tok=None)
    result = cli("connector", "edit", "B", "--auth-token-env", "")
    assert result.exit_code == 0, result.stderr
    assert show_json(cli, "B")["token_source"] == "keyring"


def test_dropping_the_variable_with_nothing_stored_asks_for_a_token(cli, config_path):
    add(cli, "A", "--auth-token-env", "MY_TOKEN", tok=None)
    before = read_bytes(config_path)
    assert_user_error(cli("connector", "edit", "A", "--auth-token-env", ""), 4, "would have no auth token")
    assert read_bytes(config_path) == before
    result = cli("connector", "edit", "A", "--auth-token-env", "", "--auth-token-stdin", input=TOKEN + "\n")
    assert result.exit_code == 0, result.stderr
    assert stored_token(SID) == TOKEN


def test_an_unrelated_edit_needs_no_stored_token(cli, monkeypatch):
    # The token may come from HUBSMS_AUTH_TOKEN; a new From does not touch the keyring.
    add(cli, "A")
    keyring.delete_password("hubsms", SID)
    monkeypatch.setenv("HUBSMS_AUTH_TOKEN", TOKEN)
    result = cli("connector", "edit", "A", "--from", "+12345678988")
    assert result.exit_code == 0, result.stderr


def test_add_with_an_unset_variable_warns_that_it_will_be_needed(cli):
    result = add(cli, "A", "--auth-token-env", "NOPE", tok=None)
    assert result.exit_code == 0, result.stderr
    assert "warning: NOPE is not set: hubsms will need it when it sends" in result.stderr
    result = add(cli, "B", "--auth-token-env", "NOPE", tok=None, env={"NOPE": TOKEN})
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_edit_naming_an_unset_variable_warns_that_it_will_be_needed(cli):
    add(cli, "A")
    result = cli("connector", "edit", "A", "--auth-token-env", "LATER")
    assert result.exit_code == 0, result.stderr
    assert "warning: LATER is not set: hubsms will need it when it sends" in result.stderr
    assert "warning" not in cli("connector", "edit", "A", "--from", "+12345678988").stderr


# --- what is said about the stored token ---------------------------------------------------------


def test_a_new_token_on_edit_names_only_the_other_connectors_of_the_account(cli):
    add(cli, "First")
    add(cli, "Second", tok=None)
    result = cli("connector", "edit", "Second", "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.stderr
    assert "replaced the stored auth token of account AC…cdef; it is also used by: First\n" in result.stderr
    assert "warning:" not in result.stderr  # asked for: a message, not a warning
    assert stored_token(SID) == TOKEN2


def test_a_new_token_of_the_only_connector_of_an_account_names_no_users(cli):
    add(cli, "Only")
    result = cli("connector", "edit", "Only", "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.stderr
    assert "replaced the stored auth token of account AC…cdef\n" in result.stderr


def test_removing_a_connector_whose_token_is_not_stored_says_nothing_of_deleting_it(cli):
    add(cli, "Env", "--auth-token-env", "MY_TOKEN", tok=None)
    result = cli("connector", "remove", "Env", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "deleted the stored auth token" not in result.stderr


# --- remove's confirmation -------------------------------------------------------------------------


def assert_said_at_a_terminal(status: int, shown: str, code: int, message: str) -> None:
    """Exit ``code``, the ``error:`` line and its ``hint:``, and no question asked."""
    assert status == code, shown
    assert f"error: {message}" in shown and "\nhint: " in shown
    assert "Remove connector" not in shown and "Traceback" not in shown


@terminal.POSIX_ONLY
def test_remove_of_an_unknown_connector_exits_3_before_asking(cli):
    add(cli, "Mine")
    result = cli("connector", "remove", "Ghost", input="y\n")  # no terminal
    assert_user_error(result, 3, 'no connector named "Ghost"')
    assert "Remove connector" not in result.output
    assert_said_at_a_terminal(*terminal.run("connector", "remove", "Ghost"), 3, 'no connector named "Ghost"')


@terminal.POSIX_ONLY
def test_remove_asks_with_the_connector_spelling_and_removes_on_yes(cli, tmp_path):
    add(cli, "My Twilio")
    term = terminal.Terminal("connector", "remove", "my twilio", stdout=tmp_path / "stdout")
    term.expect('Remove connector "My Twilio"? [y/N]:')
    term.child.sendline("y")
    assert term.end() == 0, term.shown
    assert "Remove connector" not in (tmp_path / "stdout").read_text()  # the prompt is on stderr
    assert list_json(cli) == []


@terminal.POSIX_ONLY
@pytest.mark.parametrize("answer", ["n", ""], ids=["no", "enter"])
def test_remove_declined_at_the_prompt_keeps_the_connector(cli, config_path, answer):
    add(cli, "Mine")
    before = read_bytes(config_path)
    status, shown = terminal.run("connector", "remove", "Mine", answers=[("Remove connector", answer)])
    assert status == 130
    assert "cancelled, nothing" in shown
    assert read_bytes(config_path) == before


@terminal.POSIX_ONLY
def test_remove_with_no_input_never_asks_and_needs_yes(cli, config_path):
    add(cli, "Mine")
    before = read_bytes(config_path)
    status, shown = terminal.run("connector", "remove", "Mine", "--no-input")
    assert_said_at_a_terminal(status, shown, 2, 'removing "Mine" needs confirmation')
    assert "--yes" in shown
    assert read_bytes(config_path) == before
    assert cli("connector", "remove", "Mine", "--no-input", "--yes").exit_code == 0
