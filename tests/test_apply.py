"""hubsms apply and hubsms export: desired state from a file, through the real Typer app and
a real file keyring."""

from __future__ import annotations

import base64
import json
import textwrap
import tomllib
from pathlib import Path

import keyring
import keyring.errors
import pytest
from helpers import GIF, PNG, assert_user_error, everything_under, read_bytes
from keyrings.alt.file import PlaintextKeyring

from hubsms import store

REPO = Path(__file__).resolve().parent.parent
SID1 = "AC11111111111111111111111111111111"
SID2 = "AC22222222222222222222222222222222"
SID3 = "AC33333333333333333333333333333333"
TOKEN1 = "1111aaaa1111aaaa1111aaaa1111aaaa"
TOKEN2 = "2222bbbb2222bbbb2222bbbb2222bbbb"
TOKEN3 = "3333cccc3333cccc3333cccc3333cccc"
SIDS = (SID1, SID2, SID3)

DESIRED = textwrap.dedent(
    f"""\
    schema_version = 1

    [settings]
    default_sms_connector = "Prod"

    [plans."Enterprise"]
    sms_connector = "Prod"

    [plans."Trial"]
    sms_connector = "Marketing"

    [connectors."Prod"]
    account_sid = "{SID1}"
    from = "+14155552671"
    auth_token_env = "PROD_TOKEN"

    [connectors."Marketing"]
    account_sid = "{SID2}"
    from = "MG0123456789abcdef0123456789abcdef"
    auth_token_env = "MARKETING_TOKEN"

    [connectors."Spare"]
    account_sid = "{SID3}"
    from = "HubSMS"
    active = false
    auth_token_env = "SPARE_TOKEN"
    """
)


class FailsOnSecondSet(PlaintextKeyring):
    """The file keyring, but its second password write fails (a keyring that breaks midway)."""

    def __init__(self) -> None:
        super().__init__()
        self.sets = 0

    def set_password(self, service: str, username: str, password: str) -> None:
        self.sets += 1
        if self.sets == 2:
            raise keyring.errors.PasswordSetError("refused by the test backend")
        super().set_password(service, username, password)


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROD_TOKEN", TOKEN1)
    monkeypatch.setenv("MARKETING_TOKEN", TOKEN2)
    monkeypatch.setenv("SPARE_TOKEN", TOKEN3)


@pytest.fixture
def desired(tmp_path: Path) -> Path:
    path = tmp_path / "desired" / "hubsms.toml"
    path.parent.mkdir()
    path.write_text(DESIRED)
    return path


def stored(sid: str) -> str | None:
    return keyring.get_password("hubsms", sid)


def state(config_path: Path) -> tuple[bytes | None, dict[str, str | None]]:
    """The config file's bytes and every test account's token: what 'nothing changed' means."""
    return read_bytes(config_path), {sid: stored(sid) for sid in SIDS}


def apply_json(cli, *args: str, input: str | None = None) -> list[dict]:
    result = cli("apply", *args, "--json", input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def actions(changes: list[dict]) -> dict[tuple[str, str], str]:
    return {(c["kind"], c["name"]): c["action"] for c in changes}


def assert_no_token_in(text: str) -> None:
    for token in (TOKEN1, TOKEN2, TOKEN3):
        assert token not in text


# --- create, then idempotence --------------------------------------------------------------


def test_apply_creates_connectors_plans_and_default_with_tokens_in_the_keyring(cli, tokens, desired, config_path):
    result = cli("apply", str(desired))
    assert result.exit_code == 0, result.output
    assert "applied: 5 created, 1 updated, 0 removed" in result.stderr
    assert_no_token_in(result.output)
    config = store.load(config_path)
    assert list(config.connectors) == ["Prod", "Marketing", "Spare"]
    assert all(c.auth_token_env is None for c in config.connectors.values())
    assert config.connectors["Spare"].active is False
    assert {p.name: p.sms_connector for p in config.plans.values()} == {"Enterprise": "Prod", "Trial": "Marketing"}
    assert config.default_sms_connector == "Prod"
    assert [stored(sid) for sid in SIDS] == [TOKEN1, TOKEN2, TOKEN3]
    assert_no_token_in(config_path.read_text())


def test_a_second_apply_changes_nothing_and_says_so(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    before = config_path.stat().st_mtime_ns, state(config_path)
    result = cli("apply", str(desired))
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.stderr
    assert result.stdout == ""
    assert (config_path.stat().st_mtime_ns, state(config_path)) == before
    assert set(actions(apply_json(cli, str(desired))).values()) == {"unchanged"}


def test_an_unset_variable_keeps_the_token_already_in_the_keyring(cli, tokens, desired, config_path, monkeypatch):
    assert cli("apply", str(desired)).exit_code == 0
    monkeypatch.delenv("PROD_TOKEN")
    result = cli("apply", str(desired))
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.stderr
    assert stored(SID1) == TOKEN1


def test_a_changed_token_is_an_update_of_that_connector_only(cli, tokens, desired, config_path, monkeypatch):
    assert cli("apply", str(desired)).exit_code == 0
    monkeypatch.setenv("PROD_TOKEN", TOKEN1.upper().replace("A", "D"))
    changes = apply_json(cli, str(desired))
    prod = next(c for c in changes if c["name"] == "Prod" and c["kind"] == "connector")
    assert prod == {
        "action": "update", "kind": "connector", "name": "Prod",
        "fields": {"auth_token": {"from": "keyring", "to": "env:PROD_TOKEN"}},
    }
    assert [c["action"] for c in changes].count("update") == 1
    assert stored(SID1) == TOKEN1.upper().replace("A", "D")


def test_a_changed_field_is_reported_with_its_old_and_new_value(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    desired.write_text(DESIRED.replace('from = "+14155552671"', 'from = "+442071838750"'))
    changes = apply_json(cli, str(desired))
    prod = next(c for c in changes if c["name"] == "Prod" and c["kind"] == "connector")
    assert prod["action"] == "update"
    assert prod["fields"] == {"from": {"from": "+14155552671", "to": "+442071838750"}}
    assert store.load(config_path).connectors["Prod"].from_ == "+442071838750"


def test_a_name_differing_only_in_case_is_a_rename_that_plans_follow(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    desired.write_text(DESIRED.replace('"Prod"', '"PROD"'))
    changes = apply_json(cli, str(desired))
    assert {"kind": "connector", "name": "PROD", "action": "update", "fields": {"name": {"from": "Prod", "to": "PROD"}}} in changes
    config = store.load(config_path)
    assert config.default_sms_connector == "PROD"
    assert config.plans["Enterprise"].sms_connector == "PROD"


def test_a_plan_renamed_in_case_keeps_its_place_in_the_file(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    desired.write_text(DESIRED.replace('"Enterprise"', '"ENTERPRISE"'))
    changes = apply_json(cli, str(desired))
    assert {"kind": "plan", "name": "ENTERPRISE", "action": "update", "fields": {"name": {"from": "Enterprise", "to": "ENTERPRISE"}}} in changes
    assert list(store.load(config_path).plans) == ["ENTERPRISE", "Trial"]


def test_a_desired_file_that_is_not_utf8_is_refused_naming_the_byte(cli, tokens, desired, config_path):
    desired.write_bytes(DESIRED.encode() + b"# caf\xe9\n")
    result = cli("apply", str(desired))
    assert_user_error(result, 3, f"cannot read {desired}: not UTF-8 text (byte 0xe9 at offset {len(DESIRED) + 5})")
    assert "re-save the file as UTF-8" in result.stderr
    assert read_bytes(config_path) is None


def test_apply_reads_the_desired_file_from_stdin(cli, tokens, config_path):
    result = cli("apply", "-", input=DESIRED)
    assert result.exit_code == 0, result.output
    assert list(store.load(config_path).connectors) == ["Prod", "Marketing", "Spare"]
    assert "nothing to do: the config already matches <stdin>" in cli("apply", "-", input=DESIRED).stderr


# --- --keep-env-refs -----------------------------------------------------------------------


def test_keep_env_refs_saves_the_references_and_writes_no_token(cli, tokens, desired, config_path):
    result = cli("apply", str(desired), "--keep-env-refs")
    assert result.exit_code == 0, result.output
    config = store.load(config_path)
    assert config.connectors["Prod"].auth_token_env == "PROD_TOKEN"
    assert [stored(sid) for sid in SIDS] == [None, None, None]
    show = json.loads(cli("connector", "show", "Prod", "--json").stdout)
    assert show["token_source"] == "env:PROD_TOKEN"
    assert "nothing to do" in cli("apply", str(desired), "--keep-env-refs").stderr


def test_a_connector_already_referring_to_the_variable_keeps_the_reference_by_default(cli, tokens, desired, config_path):
    assert cli("apply", str(desired), "--keep-env-refs").exit_code == 0
    result = cli("apply", str(desired))
    assert "nothing to do" in result.stderr
    assert store.load(config_path).connectors["Prod"].auth_token_env == "PROD_TOKEN"
    assert stored(SID1) is None


def test_keep_env_refs_with_an_unset_variable_applies_then_ends_with_exit_4_naming_it(cli, tokens, desired, config_path, monkeypatch):
    """A token in the keyring does not help: a connector naming a variable reads only it."""
    keyring.set_password("hubsms", SID3, TOKEN3)
    monkeypatch.delenv("SPARE_TOKEN")
    result = cli("apply", str(desired), "--keep-env-refs")
    assert result.exit_code == 4, result.output
    summary, error, hint = result.stderr.splitlines()
    assert summary == "applied: 5 created, 1 updated, 0 removed"
    assert error == 'error: no auth token here for 1 connector(s) reading a variable: "Spare" (SPARE_TOKEN is not set)'
    assert hint.startswith("hint: the config was applied as the file says; set SPARE_TOKEN")
    assert store.load(config_path).connectors["Spare"].auth_token_env == "SPARE_TOKEN"
    again = cli("apply", str(desired), "--keep-env-refs")
    assert again.exit_code == 0, again.output
    assert 'warning: SPARE_TOKEN is not set: connector "Spare" has no auth token until it is' in again.stderr
    assert "nothing to do" in again.stderr


# --- --dry-run -----------------------------------------------------------------------------


def test_dry_run_changes_nothing_and_lists_the_plan(cli, tokens, desired, config_path):
    result = cli("apply", str(desired), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: 5 to create, 1 to update, 0 to remove; nothing was changed" in result.stderr
    for word in ("create", "connector", "plan", "settings", "Prod", "Enterprise", "env:PROD_TOKEN"):
        assert word in result.stdout
    assert_no_token_in(result.output)
    assert state(config_path) == (None, {sid: None for sid in SIDS})
    assert not config_path.parent.exists()


def test_dry_run_json_lists_every_change_as_an_object(cli, tokens, desired, config_path):
    changes = apply_json(cli, str(desired), "--dry-run")
    assert all(set(c) == {"action", "kind", "name", "fields"} for c in changes)
    assert actions(changes) == {
        ("connector", "Prod"): "create", ("connector", "Marketing"): "create", ("connector", "Spare"): "create",
        ("plan", "Enterprise"): "create", ("plan", "Trial"): "create", ("settings", "settings"): "update",
    }
    prod = changes[0]["fields"]
    assert prod["account_sid"] == {"from": None, "to": SID1}
    assert prod["auth_token"] == {"from": None, "to": "env:PROD_TOKEN"}
    assert not config_path.exists()


def test_dry_run_of_an_update_leaves_the_file_and_keyring_as_they_were(cli, tokens, desired, config_path, monkeypatch):
    assert cli("apply", str(desired)).exit_code == 0
    before = state(config_path)
    monkeypatch.setenv("PROD_TOKEN", "f" * 32)
    desired.write_text(DESIRED.replace("active = false", "active = true"))
    changes = apply_json(cli, str(desired), "--dry-run", "--prune")
    assert sorted(c["name"] for c in changes if c["action"] == "update") == ["Prod", "Spare"]
    assert state(config_path) == before


# --- --prune -------------------------------------------------------------------------------


SMALL = textwrap.dedent(
    f"""\
    schema_version = 1

    [connectors."Prod"]
    account_sid = "{SID1}"
    from = "+14155552671"
    auth_token_env = "PROD_TOKEN"
    """
)


def test_without_prune_what_the_file_lacks_stays(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    desired.write_text(SMALL)
    result = cli("apply", str(desired))
    assert "nothing to do" in result.stderr
    config = store.load(config_path)
    assert len(config.connectors) == 3 and len(config.plans) == 2 and config.default_sms_connector == "Prod"


def test_prune_removes_connectors_plans_and_the_default_the_file_lacks(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    desired.write_text(SMALL)
    changes = apply_json(cli, str(desired), "--prune")
    assert actions(changes) == {
        ("connector", "Prod"): "unchanged", ("connector", "Marketing"): "remove", ("connector", "Spare"): "remove",
        ("plan", "Enterprise"): "remove", ("plan", "Trial"): "remove", ("settings", "settings"): "update",
    }
    config = store.load(config_path)
    assert list(config.connectors) == ["Prod"] and config.plans == {} and config.default_sms_connector is None
    # the removed accounts' tokens go too, as with connector remove
    assert [stored(sid) for sid in SIDS] == [TOKEN1, None, None]
    assert "nothing to do" in cli("apply", str(desired), "--prune").stderr


# --- the rules -----------------------------------------------------------------------------


def test_deactivating_a_connector_a_remaining_plan_uses_is_refused_naming_it(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    assert cli("plan", "set", "Gold", "--sms-connector", "Marketing").exit_code == 0
    before = state(config_path)
    text = DESIRED.replace('sms_connector = "Marketing"', 'sms_connector = "Prod"')
    desired.write_text(text.replace('from = "MG', 'active = false\nfrom = "MG'))
    result = cli("apply", str(desired))
    assert_user_error(result, 3, 'cannot deactivate "Marketing"', 'plan "Gold"')
    assert "--prune" in result.stderr
    assert state(config_path) == before
    assert cli("apply", str(desired), "--prune").exit_code == 0
    assert "Gold" not in store.load(config_path).plans


def test_a_file_assigning_an_inactive_connector_is_refused(cli, tokens, desired, config_path):
    desired.write_text(DESIRED.replace('default_sms_connector = "Prod"', 'default_sms_connector = "Spare"'))
    result = cli("apply", str(desired))
    assert_user_error(result, 3, '"Spare" is inactive and cannot be used by Global Settings')
    assert not config_path.exists()


# --- errors leave everything as it was --------------------------------------------------------


def test_an_invalid_value_in_the_third_connector_changes_nothing(cli, tokens, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    before = state(config_path)
    third = DESIRED.replace('from = "HubSMS"', 'from = "+1"').replace(SID2, "AC" + "9" * 32)
    desired.write_text(third.replace("MARKETING_TOKEN", "OTHER_TOKEN"))
    result = cli("apply", str(desired), env={"OTHER_TOKEN": "e" * 32})
    assert_user_error(result, 3, '[connectors."Spare"] from')
    assert state(config_path) == before
    assert stored("AC" + "9" * 32) is None


def test_a_keyring_write_failing_midway_restores_the_keyring_and_writes_no_file(cli, tokens, desired, config_path):
    keyring.set_password("hubsms", SID1, "0" * 32)  # a token the failed apply must give back
    keyring.set_keyring(FailsOnSecondSet())
    result = cli("apply", str(desired))
    assert_user_error(result, 4, "failed to store the auth token")
    assert state(config_path) == (None, {SID1: "0" * 32, SID2: None, SID3: None})


def test_an_unset_variable_without_a_stored_token_is_an_error_naming_it(cli, tokens, desired, config_path, monkeypatch):
    monkeypatch.delenv("MARKETING_TOKEN")
    result = cli("apply", str(desired))
    assert_user_error(result, 4, "MARKETING_TOKEN is not set", 'connector "Marketing"')
    assert state(config_path) == (None, {sid: None for sid in SIDS})


def test_an_invalid_token_in_a_variable_is_refused_without_showing_it(cli, tokens, desired, config_path, monkeypatch):
    monkeypatch.setenv("PROD_TOKEN", "not-a-token-123")
    result = cli("apply", str(desired))
    assert_user_error(result, 2, "PROD_TOKEN", "does not hold a valid auth token")
    assert "not-a-token-123" not in result.output
    assert state(config_path) == (None, {sid: None for sid in SIDS})


def test_two_connectors_of_one_account_with_different_tokens_are_refused(cli, tokens, desired, config_path):
    desired.write_text(DESIRED.replace(SID2, SID1))
    result = cli("apply", str(desired))
    assert_user_error(result, 2, "PROD_TOKEN and MARKETING_TOKEN hold different auth tokens")
    assert state(config_path) == (None, {sid: None for sid in SIDS})


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('[settings]', '[apply]\nforce = true\n[settings]'), "unknown key 'force' in [apply]"),
        (('[settings]', '[apply]\nallow_empty = "yes"\n[settings]'), "[apply] allow_empty must be true or false"),
        (('auth_token_env = "SPARE_TOKEN"', 'auth_token_env = "SPARE_TOKEN"\nlogo = "x.png"\nlogo_base64 = "@@"'),
         '[connectors."Spare"] logo_base64 is not base64'),
        (('[settings]', 'colour = "red"\n[settings]'), "unknown key 'colour'"),
        (('sms_connector = "Marketing"', 'sms_connector = "Nobody"'), '"Nobody", which is not a connector'),
        (('[connectors."Spare"]', '[plans."trial"]\nsms_connector = "Prod"\n[connectors."Spare"]'), "plan names must be unique"),
    ],
)
def test_a_desired_file_breaking_the_format_is_refused_naming_the_file(cli, tokens, desired, config_path, change, fragment):
    desired.write_text(DESIRED.replace(*change))
    result = cli("apply", str(desired))
    assert_user_error(result, 3, str(desired), fragment)
    assert not config_path.exists()


def test_a_missing_desired_file_is_an_error(cli, tmp_path):
    assert_user_error(cli("apply", str(tmp_path / "nope.toml")), 3, "cannot read")


# --- logos ---------------------------------------------------------------------------------


def test_a_logo_relative_to_the_file_is_copied_once_and_replaced_when_it_changes(cli, tokens, desired, config_path):
    (desired.parent / "prod.png").write_bytes(PNG)
    desired.write_text(DESIRED.replace('auth_token_env = "PROD_TOKEN"', 'auth_token_env = "PROD_TOKEN"\nlogo = "prod.png"'))
    assert cli("apply", str(desired)).exit_code == 0
    assert store.load(config_path).connectors["Prod"].logo == "logos/connectors.toml/prod.png"
    assert (config_path.parent / "logos" / "connectors.toml" / "prod.png").read_bytes() == PNG
    assert "nothing to do" in cli("apply", str(desired)).stderr
    (desired.parent / "prod.png").write_bytes(PNG + b"v2")
    changes = apply_json(cli, str(desired))
    assert set(changes[0]["fields"]) == {"logo"}
    logo = store.load(config_path).connectors["Prod"].logo
    assert (config_path.parent / logo).read_bytes() == PNG + b"v2"
    assert [p.name for p in (config_path.parent / logo).parent.iterdir()] == [logo.rsplit("/", 1)[1]]  # the old one deleted


def test_a_logo_that_is_not_an_image_is_refused_before_anything_is_written(cli, tokens, desired, config_path):
    (desired.parent / "prod.png").write_bytes(GIF)
    desired.write_text(DESIRED.replace('auth_token_env = "SPARE_TOKEN"', 'auth_token_env = "SPARE_TOKEN"\nlogo = "prod.png"'))
    assert_user_error(cli("apply", str(desired)), 3, '[connectors."Spare"] logo')
    assert state(config_path) == (None, {sid: None for sid in SIDS})


def test_prune_never_deletes_a_logo_through_a_symlinked_logos_folder(cli, tokens, desired, config_path, tmp_path):
    """A logos/ that is a symlink may point at anyone's folder: pruning a connector leaves
    the file behind it, as connector remove does."""
    (desired.parent / "prod.png").write_bytes(PNG)
    desired.write_text(DESIRED.replace('auth_token_env = "PROD_TOKEN"', 'auth_token_env = "PROD_TOKEN"\nlogo = "prod.png"'))
    assert cli("apply", str(desired)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    (config_path.parent / "logos").rename(elsewhere)
    (config_path.parent / "logos").symlink_to(elsewhere)
    desired.write_text(SMALL.replace('"Prod"', '"Other"').replace(SID1, SID2).replace("PROD_TOKEN", "MARKETING_TOKEN"))
    changes = apply_json(cli, str(desired), "--prune")
    assert actions(changes)[("connector", "Prod")] == "remove"
    assert list(store.load(config_path).connectors) == ["Other"]
    assert (elsewhere / "connectors.toml" / "prod.png").read_bytes() == PNG


def test_prune_deletes_the_logo_of_a_removed_connector(cli, tokens, desired, config_path):
    (desired.parent / "prod.png").write_bytes(PNG)
    desired.write_text(DESIRED.replace('auth_token_env = "PROD_TOKEN"', 'auth_token_env = "PROD_TOKEN"\nlogo = "prod.png"'))
    assert cli("apply", str(desired)).exit_code == 0
    assert (config_path.parent / "logos" / "connectors.toml" / "prod.png").exists()
    desired.write_text(SMALL.replace('"Prod"', '"Other"').replace(SID1, SID2).replace("PROD_TOKEN", "MARKETING_TOKEN"))
    assert cli("apply", str(desired), "--prune").exit_code == 0
    assert not (config_path.parent / "logos" / "connectors.toml" / "prod.png").exists()


# --- export --------------------------------------------------------------------------------


@pytest.fixture
def mixed(cli, tokens, desired, config_path, monkeypatch) -> None:
    """A config with a logo, a connector reading its token from a variable, plans and a default."""
    (desired.parent / "prod.png").write_bytes(PNG)
    desired.write_text(DESIRED.replace('auth_token_env = "PROD_TOKEN"', 'auth_token_env = "PROD_TOKEN"\nlogo = "prod.png"'))
    assert cli("apply", str(desired)).exit_code == 0
    assert cli("connector", "edit", "Spare", "--auth-token-env", "SPARE_TOKEN").exit_code == 0
    for name in ("PROD_TOKEN", "MARKETING_TOKEN"):
        monkeypatch.delenv(name)


def test_export_applies_back_to_the_same_state(cli, mixed, config_path):
    exported = cli("export")
    assert exported.exit_code == 0, exported.output
    before = config_path.stat().st_mtime_ns, state(config_path)
    result = cli("apply", "-", input=exported.stdout)
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.stderr
    assert (config_path.stat().st_mtime_ns, state(config_path)) == before


def test_export_keeps_the_variables_the_config_names_invents_none_and_embeds_logos(cli, mixed, config_path):
    exported = cli("export")
    assert_no_token_in(exported.output)
    data = tomllib.loads(exported.stdout)
    envs = {name: table.get("auth_token_env") for name, table in data["connectors"].items()}
    assert envs == {"Prod": None, "Marketing": None, "Spare": "SPARE_TOKEN"}
    prod = data["connectors"]["Prod"]
    assert prod["logo"] == store.load(config_path).connectors["Prod"].logo
    assert base64.b64decode(prod["logo_base64"]) == PNG
    assert data["apply"] == {"keep_env_refs": True}
    assert data["plans"] == {"Enterprise": {"sms_connector": "Prod"}, "Trial": {"sms_connector": "Marketing"}}


def test_export_json_is_the_same_structure(cli, mixed):
    as_toml = tomllib.loads(cli("export").stdout)
    assert json.loads(cli("export", "--json").stdout) == as_toml


def test_export_of_an_empty_config_applies_to_nothing_to_do(cli, config_path):
    exported = cli("export")
    assert exported.exit_code == 0
    assert "nothing to do" in cli("apply", "-", input=exported.stdout).stderr
    assert not config_path.exists()


def test_the_account_variable_that_is_set_replaces_the_stored_token(cli, mixed, config_path, monkeypatch):
    monkeypatch.setenv("HUBSMS_TOKEN_" + SID1.upper(), "abcdef" + "0" * 26)
    changes = apply_json(cli, "-", input=cli("export").stdout)
    assert [c["name"] for c in changes if c["action"] != "unchanged"] == ["Prod"]
    assert stored(SID1) == "abcdef" + "0" * 26


# --- the example file ----------------------------------------------------------------------


EXAMPLE = REPO / "connectors.example.toml"


def test_the_example_file_loads_as_a_config():
    config = store.load(EXAMPLE)
    assert config.connectors and all(c.auth_token_env for c in config.connectors.values())


def test_applying_the_example_twice_creates_then_has_nothing_to_do(cli, config_path, monkeypatch, tmp_path):
    config = store.load(EXAMPLE)
    for number, connector in enumerate(config.connectors.values()):
        monkeypatch.setenv(connector.auth_token_env, f"{number + 0xA1:032x}")
    first = cli("apply", str(EXAMPLE))
    assert first.exit_code == 0, first.output
    assert f"applied: {len(config.connectors) + len(config.plans)} created" in first.stderr
    assert list(store.load(config_path).connectors) == list(config.connectors)
    second = cli("apply", str(EXAMPLE))
    assert second.exit_code == 0
    assert "nothing to do" in second.stderr
    assert b"0000000000a1" not in everything_under(config_path.parent)


def test_export_piped_into_apply_in_real_processes_has_nothing_to_do(cli, mixed, config_path):
    import subprocess

    from helpers import HUBSMS, subprocess_env

    before = config_path.stat().st_mtime_ns, state(config_path)
    pipeline = subprocess.run(
        f"'{HUBSMS}' export | '{HUBSMS}' apply -", shell=True, capture_output=True, text=True,
        env=subprocess_env(), timeout=60,
    )
    assert pipeline.returncode == 0, pipeline.stderr
    assert "nothing to do: the config already matches <stdin>" in pipeline.stderr
    assert (config_path.stat().st_mtime_ns, state(config_path)) == before


def test_apply_names_every_missing_token_variable_at_once(cli, tmp_path):
    example = Path(__file__).resolve().parents[1] / "connectors.example.toml"
    result = cli("apply", str(example), "--dry-run")
    assert result.exit_code == 4, result.output
    hint = [line for line in result.stderr.splitlines() if line.startswith("hint:")][0]
    for variable in ("TWILIO_AUTH_TOKEN", "TWILIO_MARKETING_AUTH_TOKEN", "HUBSMS_SANDBOX_AUTH_TOKEN"):
        assert variable in hint
