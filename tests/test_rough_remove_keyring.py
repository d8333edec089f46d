"""``connector remove`` and the keyring: a warning only when a token may really be left there,
and the connector removed (exit 0) even when the keyring refuses the delete. Real backends:
the file keyring, keyring's own fail backend, and a read-only one (tests/keyring_backends.py)."""

from __future__ import annotations

import json

import keyring
from helpers import SID, TOKEN, add
from keyring.backends import fail
from keyring_backends import ReadOnlyKeyring


def names(cli) -> list[str]:
    result = cli("connector", "list", "--json")
    assert result.exit_code == 0, result.output
    return [row["name"] for row in json.loads(result.stdout)]


def test_an_env_only_connector_without_any_keyring_is_removed_without_a_warning(cli, config_path):
    assert add(cli, "EnvOnly", "--auth-token-env", "MY_TOKEN", tok=None, env={"MY_TOKEN": TOKEN}).exit_code == 0
    keyring.set_keyring(fail.Keyring())
    result = cli("connector", "remove", "EnvOnly", "--yes")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr and "keyring" not in result.stderr, result.stderr
    assert result.stderr == 'Removed connector "EnvOnly".\n'
    assert names(cli) == []


def test_an_env_only_connector_with_a_working_keyring_still_deletes_a_leftover_token(cli, config_path):
    add(cli, "Stored")  # stores TOKEN for SID
    add(cli, "EnvOnly", "--auth-token-env", "MY_TOKEN", tok=None, env={"MY_TOKEN": TOKEN})
    assert cli("connector", "remove", "Stored", "--yes").exit_code == 0
    assert keyring.get_password("hubsms", SID) == TOKEN  # EnvOnly's account still has a connector
    result = cli("connector", "remove", "EnvOnly", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted the stored auth token" in result.stderr
    assert keyring.get_password("hubsms", SID) is None


def test_a_keyring_connector_whose_token_cannot_be_deleted_is_removed_with_a_warning(cli, config_path):
    add(cli, "Main")
    keyring.set_keyring(ReadOnlyKeyring({("hubsms", SID): TOKEN}))
    result = cli("connector", "remove", "Main", "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("warning: the auth token of account AC…cdef was left in the keyring"), lines
    assert 'service "hubsms"' in lines[0]
    assert lines[-1] == 'Removed connector "Main".'
    assert "error" not in result.stderr
    assert names(cli) == []
    assert TOKEN not in result.output


def test_a_keyring_connector_and_an_unusable_keyring_is_removed_with_a_warning(cli, config_path):
    add(cli, "Main")
    keyring.set_keyring(fail.Keyring())
    result = cli("connector", "remove", "Main", "--yes")
    assert result.exit_code == 0, result.output
    assert "warning: the auth token of account AC…cdef may be left in the keyring" in result.stderr
    assert names(cli) == []
