"""Several config files on one host share the keyring (one entry per Twilio account): a token
is deleted only when no config file hubsms knows still uses it. Through the real CLI with a
real file keyring; each config file is a separate --config, as prod and staging are."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

import keyring
import pytest
from helpers import FROM, SID, SID2, TOKEN, TOKEN2, holding_keyring_lock, run_hubsms, sid, token
from test_completion import values

from hubsms.registry import known, real


def stored(account: str) -> str | None:
    return keyring.get_password("hubsms", account)


def on(cli, config: Path, *args: str, input: str | None = None):
    return cli("--config", str(config), *args, input=input)


def add_to(cli, config: Path, name: str, account: str = SID, tok: str = TOKEN) -> None:
    result = on(cli, config, "connector", "add", name, "--account-sid", account, "--from", FROM,
                "--auth-token-stdin", input=tok + "\n")
    assert result.exit_code == 0, result.output


@pytest.fixture
def two(cli, tmp_path) -> tuple[Path, Path]:
    """prod.toml and stage.toml in different folders, one Twilio account."""
    prod, stage = tmp_path / "prod" / "prod.toml", tmp_path / "stage" / "stage.toml"
    add_to(cli, prod, "prod")
    add_to(cli, stage, "stage")
    return prod, stage


def test_removing_a_connector_keeps_the_token_another_config_uses(cli, two):
    prod, stage = two
    result = on(cli, stage, "connector", "remove", "stage", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted the stored auth token" not in result.output
    assert f"kept the stored auth token of account AC…cdef: {prod} uses it" in result.output
    assert stored(SID) == TOKEN
    assert on(cli, prod, "otp", "send", "--connector", "prod", "--to", "+14155552671", "--dry-run").exit_code == 0
    result = on(cli, prod, "connector", "remove", "prod", "--yes")
    assert result.exit_code == 0 and "deleted the stored auth token of account AC…cdef" in result.output
    assert stored(SID) is None


def test_moving_a_connector_to_another_account_keeps_the_old_token_another_config_uses(cli, two):
    prod, stage = two
    result = on(cli, stage, "connector", "edit", "stage", "--account-sid", SID2, "--auth-token-stdin", input=TOKEN2 + "\n")
    assert result.exit_code == 0, result.output
    assert stored(SID) == TOKEN and stored(SID2) == TOKEN2


def test_apply_prune_keeps_the_token_another_config_uses(cli, two, tmp_path, monkeypatch):
    prod, stage = two
    desired = tmp_path / "desired.toml"
    desired.write_text(f'schema_version = 1\n[connectors."other"]\naccount_sid = "{SID2}"\nfrom = "{FROM}"\n'
                       'auth_token_env = "OTHER_TOKEN"\n')
    monkeypatch.setenv("OTHER_TOKEN", TOKEN2)
    result = on(cli, stage, "apply", "--prune", str(desired))
    assert result.exit_code == 0, result.output
    assert stored(SID) == TOKEN and stored(SID2) == TOKEN2


def test_a_config_file_moved_by_hand_keeps_its_tokens_until_doctor_fix(cli, two, tmp_path):
    prod, stage = two
    moved = tmp_path / "elsewhere.toml"
    shutil.move(prod, moved)
    result = on(cli, stage, "connector", "remove", "stage", "--yes")
    assert result.exit_code == 0, result.output
    assert f"{prod}, which used it, is gone (moved or deleted?)" in result.output
    assert stored(SID) == TOKEN
    report = on(cli, stage, "doctor")
    assert str(prod) in report.output and "gone" in report.output
    assert stored(SID) == TOKEN
    assert on(cli, moved, "connector", "list").exit_code == 0  # hubsms sees the file where it is now
    result = on(cli, stage, "doctor", "--fix")
    assert stored(SID) == TOKEN, result.output  # elsewhere.toml uses it
    moved.unlink()
    result = on(cli, stage, "doctor", "--fix")
    assert stored(SID) is None, result.output


def test_a_config_deleted_by_hand_no_longer_keeps_a_token(cli, two):
    prod, stage = two
    stage.unlink()
    assert on(cli, prod, "doctor", "--fix").exit_code == 0
    result = on(cli, prod, "connector", "remove", "prod", "--yes")
    assert result.exit_code == 0 and stored(SID) is None, result.output


@pytest.mark.parametrize("files", [2, 30])
def test_random_removes_across_many_config_files_lose_no_token(cli, tmp_path, files):
    """``files`` config files, one or two connectors each, over three accounts; removed in a
    random order. After every remove, each connector left still has its token; after the last,
    every token is gone."""
    rng = random.Random(files)
    connectors = []
    for n in range(files):
        config = tmp_path / f"c{n % 5}" / f"config{n}.toml"
        for k in range(1 + n % 2):
            account = rng.randrange(3)
            add_to(cli, config, f"x{n}-{k}", sid(account), token(account))
            connectors.append((config, f"x{n}-{k}", account))
    rng.shuffle(connectors)
    lost = 0
    while connectors:
        config, name, _ = connectors.pop()
        assert on(cli, config, "connector", "remove", name, "--yes").exit_code == 0
        lost += sum(stored(sid(account)) != token(account) for _, _, account in connectors)
    assert lost == 0
    assert [stored(sid(a)) for a in range(3)] == [None, None, None]


def test_a_damaged_record_keeps_every_token_and_doctor_says_the_way_out(cli, two):
    from hubsms.registry import record_path

    prod, stage = two
    record_path().write_text('{"configs": [')
    result = on(cli, stage, "connector", "remove", "stage", "--yes")
    assert result.exit_code == 0, result.output
    assert "cannot tell whether another config file uses it" in result.output and "is damaged" in result.output
    assert stored(SID) == TOKEN
    report = on(cli, prod, "doctor", "--fix")
    assert stored(SID) == TOKEN, report.output
    assert "move it away, then run any hubsms command with --config on each of your config files" in report.output
    record_path().unlink()
    assert on(cli, prod, "connector", "list").exit_code == 0  # recorded again
    assert str(prod.resolve()) in record_path().read_text()
    assert on(cli, prod, "connector", "remove", "prod", "--yes").exit_code == 0
    assert stored(SID) is None


def _hand_written(config: Path, name: str, account: str = SID) -> None:
    """A config file written by hand (or by an earlier hubsms): recorded, once hubsms is
    pointed at it, without the accounts it uses."""
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'schema_version = 1\n[connectors."{name}"]\nprovider = "twilio"\n'
                      f'account_sid = "{account}"\nfrom = "{FROM}"\nactive = true\n')


def test_doctor_fix_keeps_the_tokens_an_unreadable_config_of_unknown_accounts_may_use(cli, tmp_path):
    prod, stage = tmp_path / "prod" / "prod.toml", tmp_path / "stage" / "stage.toml"
    _hand_written(prod, "prod")
    assert on(cli, prod, "connector", "list").exit_code == 0  # recorded, its accounts not known
    add_to(cli, stage, "stage")
    assert on(cli, stage, "connector", "remove", "stage", "--yes").exit_code == 0
    assert stored(SID) == TOKEN
    with prod.open("a") as handle:
        handle.write("oops =\n")  # a hand edit half done
    result = on(cli, stage, "doctor", "--fix")
    assert stored(SID) == TOKEN, result.output
    assert str(prod) in result.output and "no keyring entry is deleted while it cannot be read" in result.output
    prod.write_text(prod.read_text().replace("oops =\n", ""))
    assert on(cli, stage, "doctor", "--fix").exit_code == 0
    assert stored(SID) == TOKEN  # prod uses it


@pytest.mark.parametrize("command", ["remove", "doctor --fix"])
def test_a_config_file_beside_a_known_one_keeps_its_token_before_hubsms_is_pointed_at_it(cli, tmp_path, command):
    """staging.toml beside connectors.toml, written before hubsms kept its record (or not
    used since): it was never recorded, yet it uses the account."""
    folder = tmp_path / "hubsms"
    staging = folder / "staging.toml"
    prod = folder / "connectors.toml"
    _hand_written(staging, "staging")
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no config: skipped
    if command == "remove":
        add_to(cli, prod, "prod")
        result = on(cli, prod, "connector", "remove", "prod", "--yes")
        assert f"kept the stored auth token of account AC…cdef: {staging} uses it" in result.output
    else:
        add_to(cli, prod, "prod", SID2, TOKEN2)
        keyring.set_password("hubsms", SID, TOKEN)  # stored when staging.toml was set up
        result = on(cli, prod, "doctor", "--fix")
    assert result.exit_code == 0, result.output
    assert stored(SID) == TOKEN, result.output


def test_a_file_only_pointed_at_is_recorded_without_waiting_for_the_keyring_lock(cli, tmp_path):
    """Another hubsms holds the keyring's lock (a long write): `connector list` and a shell's
    TAB on a file not recorded yet go on at once; the file is recorded by a later command."""
    config = tmp_path / "elsewhere" / "prod.toml"
    _hand_written(config, "prod")
    env = {"HUBSMS_CONFIG": str(config), "HUBSMS_LOCK_TIMEOUT": "10"}
    with holding_keyring_lock():
        started = time.monotonic()
        listed = run_hubsms("connector", "list", timeout=60, **env)
        tab = values("zsh", "hubsms connector show ", **env)
        elapsed = time.monotonic() - started
    assert listed.returncode == 0 and "prod" in listed.stdout, listed.stderr
    assert tab == ["prod"]
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert real(config) not in known()
    assert on(cli, config, "connector", "list").exit_code == 0  # the lock is free: recorded now
    assert real(config) in known()
