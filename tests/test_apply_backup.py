"""apply refuses what is not a desired state (an empty pipe), never empties the config by
accident, and export -> wipe -> apply is a restore: through the real app and a real file
keyring."""

from __future__ import annotations

import base64
import json
import shutil
import tomllib
from pathlib import Path

import keyring
import pytest
from helpers import GIF, PNG, assert_user_error
from test_apply import DESIRED, SID1, SID2, SID3, SIDS, SMALL, TOKEN1, TOKEN2, TOKEN3, assert_no_token_in, state, stored

from hubsms import store


@pytest.fixture
def applied(cli, config_path, tmp_path, monkeypatch) -> Path:
    """A config made by apply: three connectors (Prod with a logo; Spare reading its token
    from SPARE_TOKEN, set), two plans, a default; the other tokens in the keyring only."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "prod.png").write_bytes(PNG)
    (source / "spare.gif").write_bytes(GIF)
    text = DESIRED.replace('auth_token_env = "PROD_TOKEN"', 'auth_token_env = "PROD_TOKEN"\nlogo = "prod.png"')
    (source / "desired.toml").write_text(text.replace('auth_token_env = "SPARE_TOKEN"', 'auth_token_env = "SPARE_TOKEN"\nlogo = "spare.gif"'))
    env = {"PROD_TOKEN": TOKEN1, "MARKETING_TOKEN": TOKEN2, "SPARE_TOKEN": TOKEN3}
    result = cli("apply", str(source / "desired.toml"), env=env)
    assert result.exit_code == 0, result.output
    assert cli("connector", "edit", "Spare", "--auth-token-env", "SPARE_TOKEN", env=env).exit_code == 0
    monkeypatch.setenv("SPARE_TOKEN", TOKEN3)
    return config_path


def wipe(config_path: Path) -> None:
    """What a lost machine leaves: no config folder (file, logos) and no keyring entries."""
    shutil.rmtree(config_path.parent)
    for sid in SIDS:
        if stored(sid) is not None:
            keyring.delete_password("hubsms", sid)


def account_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's secret store gives each keyring account's token as HUBSMS_TOKEN_<SID>."""
    monkeypatch.setenv("HUBSMS_TOKEN_" + SID1.upper(), TOKEN1)
    monkeypatch.setenv("HUBSMS_TOKEN_" + SID2.upper(), TOKEN2)


def logo_files(config_path: Path) -> dict[str, bytes]:
    config = store.load(config_path)
    return {c.logo: (config_path.parent / c.logo).read_bytes() for c in config.connectors.values() if c.logo}


# --- (A) an empty or schema-less input is not a desired state ----------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("", "is empty"),
        ("  \n\t\n", "is empty"),
        ("# the deploy's connectors\n\n# (none yet)\n", "has no schema_version line"),
        ("<html><body>502 Bad Gateway</body></html>\n", "has no schema_version line"),
        ('[tool.x]\nschema_version = 1\n', "has no top-level schema_version"),
    ],
)
@pytest.mark.parametrize("prune", [True, False])
def test_an_input_without_schema_version_is_refused_with_exit_2_and_nothing_changes(cli, applied, text, what, prune):
    before = applied.stat().st_mtime_ns, state(applied), logo_files(applied)
    result = cli("apply", "-", *(["--prune"] if prune else []), input=text)
    assert_user_error(result, 2, f"<stdin> {what}", "nothing was changed")
    assert "schema_version = 1" in result.stderr
    assert (applied.stat().st_mtime_ns, state(applied), logo_files(applied)) == before


def test_stdin_over_the_size_of_a_file_is_refused_with_exit_2_and_nothing_changes(cli, applied):
    before = applied.stat().st_mtime_ns, state(applied), logo_files(applied)
    endless = "schema_version = 1\n" + "#" * store.MAX_FILE_BYTES + "\n"  # as `yes | hubsms apply -` would go on
    result = cli("apply", "-", "--prune", input=endless)
    assert_user_error(result, 2, "<stdin> holds more than 16 MiB", "nothing was changed")
    assert (applied.stat().st_mtime_ns, state(applied), logo_files(applied)) == before


def test_prune_of_a_file_listing_no_connector_needs_allow_empty(cli, applied):
    before = state(applied)
    for args in ((), ("--dry-run",)):
        result = cli("apply", "-", "--prune", *args, input="schema_version = 1\n")
        assert_user_error(result, 2, "lists no connector: --prune would remove all 3 connector(s)")
        assert "--allow-empty" in result.stderr
        assert state(applied) == before
    result = cli("apply", "-", "--prune", "--allow-empty", input="schema_version = 1\n")
    assert result.exit_code == 0, result.output
    assert "applied: 0 created, 1 updated, 5 removed" in result.stderr
    assert store.load(applied).connectors == {} and stored(SID1) is None


def test_a_file_saying_allow_empty_may_empty_the_config(cli, applied):
    result = cli("apply", "-", "--prune", input="schema_version = 1\n[apply]\nallow_empty = true\n")
    assert result.exit_code == 0, result.output
    assert store.load(applied).connectors == {}


def test_prune_that_keeps_a_connector_needs_no_allow_empty(cli, applied):
    result = cli("apply", "-", "--prune", input=SMALL, env={"PROD_TOKEN": TOKEN1})
    assert result.exit_code == 0, result.output
    assert list(store.load(applied).connectors) == ["Prod"]


# --- (B) export is a backup: export -> wipe -> apply ---------------------------------------------


def test_export_wipe_apply_gives_back_the_same_config_byte_for_byte(cli, applied, tmp_path, monkeypatch):
    backup = tmp_path / "backup" / "hubsms.toml"
    backup.parent.mkdir()
    exported = cli("export")
    assert exported.exit_code == 0, exported.output
    backup.write_text(exported.stdout)
    assert_no_token_in(backup.read_text())
    before, logos = applied.read_bytes(), logo_files(applied)
    assert set(logos) == {"logos/connectors.toml/prod.png", "logos/connectors.toml/spare.gif"}
    wipe(applied)
    account_variables(monkeypatch)
    result = cli("apply", str(backup), "--prune")
    assert result.exit_code == 0, result.output
    assert applied.read_bytes() == before
    assert logo_files(applied) == logos
    assert [stored(sid) for sid in SIDS] == [TOKEN1, TOKEN2, None]  # Spare reads SPARE_TOKEN
    assert_no_token_in(result.output)
    assert "nothing to do" in cli("apply", str(backup), "--prune").stderr


def test_a_restored_logo_name_taken_by_another_connector_gets_a_free_one(cli, applied, monkeypatch):
    exported = cli("export").stdout
    wipe(applied)
    account_variables(monkeypatch)
    other = (
        f'schema_version = 1\n[connectors."Other"]\naccount_sid = "{SID1}"\nfrom = "+14155552671"\n'
        f'logo = "logos/connectors.toml/prod.png"\nlogo_base64 = "{base64.b64encode(PNG + b"other").decode()}"\n'
    )
    assert cli("apply", "-", input=other).exit_code == 0
    assert store.load(applied).connectors["Other"].logo == "logos/connectors.toml/prod.png"
    result = cli("apply", "-", input=exported)
    assert result.exit_code == 0, result.output
    assert store.load(applied).connectors["Prod"].logo == "logos/connectors.toml/prod-2.png"
    assert logo_files(applied) == {"logos/connectors.toml/prod.png": PNG + b"other",
                                   "logos/connectors.toml/prod-2.png": PNG, "logos/connectors.toml/spare.gif": GIF}


def test_a_restored_logo_of_another_config_file_goes_into_this_ones_folder(cli, applied, monkeypatch):
    """An export of prod.toml applied into connectors.toml: its logo names point into
    prod.toml's folder, and are never written there (nor into the shared logos/)."""
    account_variables(monkeypatch)
    for name in ("logos/prod.toml/brand.png", "logos/brand.png"):
        other = (
            f'schema_version = 1\n[connectors."Other"]\naccount_sid = "{SID1}"\nfrom = "+14155552671"\n'
            f'logo = "{name}"\nlogo_base64 = "{base64.b64encode(PNG).decode()}"\n'
        )
        assert cli("apply", "-", input=other).exit_code == 0
        assert store.load(applied).connectors["Other"].logo.startswith("logos/connectors.toml/")
    assert not (applied.parent / "logos" / "prod.toml").exists() and not (applied.parent / "logos" / "brand.png").exists()


def test_restore_without_a_keyring_accounts_token_is_exit_4_naming_its_variable_and_writes_nothing(cli, applied, monkeypatch):
    exported = cli("export").stdout
    wipe(applied)
    monkeypatch.setenv("HUBSMS_TOKEN_" + SID1.upper(), TOKEN1)
    result = cli("apply", "-", "--prune", input=exported)
    assert_user_error(result, 4, f"HUBSMS_TOKEN_{SID2.upper()} is not set", 'connector "Marketing"')
    assert not applied.exists() and [stored(sid) for sid in SIDS] == [None, None, None]


def test_restore_with_a_connectors_own_variable_unset_applies_then_exits_4_naming_it(cli, applied, monkeypatch):
    exported = cli("export").stdout
    before = applied.read_bytes()
    wipe(applied)
    account_variables(monkeypatch)
    monkeypatch.delenv("SPARE_TOKEN")
    result = cli("apply", "-", "--prune", "--json", input=exported)
    assert result.exit_code == 4, result.output
    assert '"Spare" (SPARE_TOKEN is not set)' in result.stderr.splitlines()[-2]
    changes = json.loads(result.stdout)  # the document printed; the error is on stderr only
    assert {c["action"] for c in changes} == {"create", "update"}
    assert applied.read_bytes() == before


def test_export_of_a_connector_whose_logo_file_is_gone_is_an_error(cli, applied):
    (applied.parent / "logos" / "connectors.toml" / "prod.png").unlink()
    result = cli("export")
    assert_user_error(result, 3, 'cannot export connector "Prod"')
    assert "--no-logo" in result.stderr and result.stdout == ""


def test_export_of_an_empty_config_says_allow_empty_and_restores_emptiness(cli, applied, tmp_path, config_path):
    empty = tmp_path / "empty" / "connectors.toml"
    empty.parent.mkdir()
    empty.write_text("schema_version = 1\n")  # what removing the last connector leaves
    exported = cli("export", "--config", str(empty))
    assert tomllib.loads(exported.stdout)["apply"] == {"keep_env_refs": True, "allow_empty": True}
    result = cli("apply", "-", "--prune", input=exported.stdout)
    assert result.exit_code == 0, result.output
    assert store.load(config_path).connectors == {}



def test_the_export_of_a_config_file_that_does_not_exist_never_empties_a_config(cli, applied, tmp_path):
    """A mistyped --config (or a cron job's other HUBSMS_CONFIG) must not make an empty backup
    saying allow_empty, which a restore with --prune would apply to the real config."""
    missing = tmp_path / "typo" / "conectors.toml"
    exported = cli("export", "--config", str(missing))
    assert exported.exit_code == 0
    assert exported.stderr.splitlines() == [  # said once, with what chose the path
        f"warning: the config file {missing} does not exist yet (given by --config): the export is empty, "
        "and apply --prune refuses it without --allow-empty"]
    assert "allow_empty" not in tomllib.loads(exported.stdout)["apply"] and not missing.parent.exists()
    before = state(applied), logo_files(applied)
    result = cli("apply", "-", "--prune", input=exported.stdout)
    assert_user_error(result, 2, "lists no connector", "nothing was changed")
    assert (state(applied), logo_files(applied)) == before

# --- (C) a kept reference whose variable is unset is said, keyring or not ------------------------


def test_an_unchanged_connector_whose_variable_is_unset_is_warned_of_though_the_keyring_has_a_token(cli, applied, monkeypatch):
    keyring.set_password("hubsms", SID3, TOKEN3)
    monkeypatch.delenv("SPARE_TOKEN")
    result = cli("apply", "-", "--keep-env-refs", input=cli("export").stdout)
    assert result.exit_code == 0, result.output
    assert 'warning: SPARE_TOKEN is not set: connector "Spare" has no auth token until it is' in result.stderr
