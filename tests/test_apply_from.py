"""apply checks a connector's From with phonenumbers only where the config does not already
hold it: a new or changed From is checked (refused, or warned about) as ``connector add``
does; an unchanged one is neither checked nor warned about again. A server address that is
not Twilio's is warned about the same way: when a connector gets it, not at every apply."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_user_error, read_bytes

from hubsms import store

SID = "AC44444444444444444444444444444444"
TOKEN = "4444dddd4444dddd4444dddd4444dddd"
FICTIONAL = "+447700900123"  # possible, but in no assigned range: a warning
WARNING = "is not in any assigned number range"


def write_desired(path: Path, sender: str) -> Path:
    path.write_text(
        f'schema_version = 1\n[connectors."Edge"]\naccount_sid = "{SID}"\nfrom = "{sender}"\nauth_token_env = "EDGE_TOKEN"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def desired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EDGE_TOKEN", TOKEN)
    return write_desired(tmp_path / "desired.toml", FICTIONAL)


def test_a_from_is_warned_about_when_set_and_not_on_every_later_apply(cli, desired, config_path):
    first = cli("apply", str(desired))
    assert first.exit_code == 0, first.output
    assert f'connector "Edge": {FICTIONAL} {WARNING}' in first.stderr
    again = cli("apply", str(desired))
    assert again.exit_code == 0, again.output
    assert "nothing to do" in again.stderr
    assert WARNING not in again.stderr


def test_a_changed_from_is_checked_and_warned_about(cli, desired, config_path):
    assert cli("apply", str(write_desired(desired, "+14155552671"))).exit_code == 0
    changed = cli("apply", str(write_desired(desired, FICTIONAL)))
    assert changed.exit_code == 0, changed.output
    assert WARNING in changed.stderr
    assert store.load(config_path).connectors["Edge"].from_ == FICTIONAL


def test_a_changed_from_that_is_no_possible_number_is_refused_and_nothing_written(cli, desired, config_path):
    assert cli("apply", str(desired)).exit_code == 0
    before = read_bytes(config_path)
    refused = cli("apply", str(write_desired(desired, "+99912345678")))
    assert_user_error(refused, 3, '[connectors."Edge"] from:', "+99912345678")
    assert read_bytes(config_path) == before


def test_a_dry_run_checks_a_new_from_too(cli, desired, config_path):
    result = cli("apply", str(desired), "--dry-run")
    assert result.exit_code == 0, result.output
    assert WARNING in result.stderr
    assert read_bytes(config_path) is None


# --- the same for the server address: warned about when set, not at every later apply ----------

LOCAL = "http://127.0.0.1:9/2010-04-01/Accounts"
NOT_TWILIOS = "is not Twilio's: messages go to a local server"


def write_fleet(path: Path, servers: list[str], active: bool = True) -> Path:
    path.write_text("schema_version = 1\n" + "".join(
        f'[connectors."Edge {i}"]\naccount_sid = "{SID}"\nfrom = "+14155552671"\nauth_token_env = "EDGE_TOKEN"\n'
        f'server_address = "{server}"\nactive = {str(active).lower()}\n' for i, server in enumerate(servers)),
        encoding="utf-8")
    return path


def test_a_foreign_server_address_is_warned_about_when_set_and_not_on_every_later_apply(cli, desired, config_path):
    write_fleet(desired, [LOCAL, LOCAL, LOCAL])
    first = cli("apply", str(desired))
    assert first.exit_code == 0, first.output
    assert first.stderr.count(NOT_TWILIOS) == 3
    again = cli("apply", str(desired))  # the fleet's half-hourly run: nothing changes, nothing to say
    assert again.exit_code == 0, again.output
    assert again.stderr.splitlines() == [f"nothing to do: the config already matches {desired}"]
    other = LOCAL.replace(":9/", ":8/")
    moved = cli("apply", str(write_fleet(desired, [other, LOCAL, LOCAL])), "--dry-run")
    assert [line for line in moved.stderr.splitlines() if NOT_TWILIOS in line] == [
        f'warning: connector "Edge 0": server address {other} {NOT_TWILIOS}']
    deactivated = cli("apply", str(write_fleet(desired, [LOCAL, LOCAL, LOCAL], active=False)))
    assert deactivated.exit_code == 0 and NOT_TWILIOS not in deactivated.stderr  # another field changed: not said again
