"""connector add takes the token from HUBSMS_AUTH_TOKEN (second in the order of token
sources, as README lists them) when no --auth-token-stdin or --auth-token-env is given:
through the real app and a real file keyring."""

from __future__ import annotations

import json

import keyring
from helpers import assert_user_error, read_bytes

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "1234abcd" * 4
ADD = ("connector", "add", "Env", "--no-input", "--account-sid", SID, "--from", "+14155552671")


def test_add_stores_the_token_of_hubsms_auth_token_in_the_keyring(cli, config_path):
    result = cli(*ADD, env={"HUBSMS_AUTH_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert keyring.get_password("hubsms", SID) == TOKEN
    assert TOKEN not in result.output and TOKEN not in config_path.read_text()
    show = json.loads(cli("connector", "show", "Env", "--json").stdout)
    assert show["token_source"] == "keyring"


def test_a_token_on_stdin_comes_before_hubsms_auth_token(cli):
    other = "f" * 32
    result = cli(*ADD, "--auth-token-stdin", input=other + "\n", env={"HUBSMS_AUTH_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert keyring.get_password("hubsms", SID) == other


def test_a_connector_reading_its_own_variable_stores_nothing(cli):
    result = cli(*ADD, "--auth-token-env", "MY_TOKEN", env={"HUBSMS_AUTH_TOKEN": TOKEN, "MY_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert keyring.get_password("hubsms", SID) is None


def test_an_invalid_hubsms_auth_token_is_refused_naming_the_variable_not_the_value(cli, config_path):
    result = cli(*ADD, env={"HUBSMS_AUTH_TOKEN": "not-a-token-123"})
    assert_user_error(result, 2, "HUBSMS_AUTH_TOKEN does not hold a valid auth token")
    assert "not-a-token-123" not in result.output
    assert read_bytes(config_path) is None and keyring.get_password("hubsms", SID) is None


def test_hubsms_auth_token_does_not_replace_a_different_stored_token_by_the_way(cli, config_path):
    keyring.set_password("hubsms", SID, "e" * 32)
    result = cli(*ADD, env={"HUBSMS_AUTH_TOKEN": TOKEN})
    assert_user_error(result, 2, "already has a different auth token")
    assert keyring.get_password("hubsms", SID) == "e" * 32 and read_bytes(config_path) is None
