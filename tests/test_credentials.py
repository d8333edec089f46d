"""The auth token: precedence, and the keyring behind a timeout with clear errors."""

from __future__ import annotations

import io
import time

import keyring
import pytest
from keyring.backends import fail, null

from helpers import SID, SID2, TOKEN, TOKEN2
from hubsms import credentials
from hubsms.credentials import Keyring, resolve_token
from hubsms.errors import ExitCode, InvalidValue, KeyringUnavailable, TokenMissing
from hubsms.model import Connector
from keyring_backends import BlockingKeyring, ReadOnlyKeyring

ENV_TOKEN = "a" * 32
VAR_TOKEN = "b" * 32


@pytest.fixture
def connector() -> Connector:
    return Connector(name="Main", account_sid=SID, from_="+15005550006", auth_token_env="MY_TWILIO_TOKEN")


@pytest.fixture
def stored(connector: Connector) -> Keyring:
    ring = Keyring()
    ring.set(connector.account_sid, TOKEN)
    return ring


@pytest.fixture
def blocking():
    BlockingKeyring.released.clear()
    keyring.set_keyring(BlockingKeyring())
    yield
    BlockingKeyring.released.set()


ALL_ENV = {"HUBSMS_AUTH_TOKEN": ENV_TOKEN, "MY_TWILIO_TOKEN": VAR_TOKEN}


@pytest.mark.parametrize(
    ("stdin", "environ", "value", "source"),
    [
        (TOKEN2, ALL_ENV, TOKEN2, "stdin"),
        (None, ALL_ENV, ENV_TOKEN, "env:HUBSMS_AUTH_TOKEN"),
        (None, {"MY_TWILIO_TOKEN": VAR_TOKEN}, VAR_TOKEN, "env:MY_TWILIO_TOKEN"),
        (None, {"HUBSMS_AUTH_TOKEN": "", "MY_TWILIO_TOKEN": ""}, TOKEN, "keyring"),
        (None, {}, TOKEN, "keyring"),
    ],
)
def test_the_token_comes_from_stdin_then_hubsms_env_then_the_connectors_variable_then_the_keyring(
    connector, stored, stdin, environ, value, source
):
    found = resolve_token(connector, stored, stdin_token=stdin, environ=environ)
    assert (found.value, found.source) == (value, source)


def test_the_connectors_variable_is_ignored_when_the_connector_names_none(stored):
    plain = Connector(name="Plain", account_sid=SID, from_="+15005550006")
    assert resolve_token(plain, stored, environ={"MY_TWILIO_TOKEN": VAR_TOKEN}).source == "keyring"


def test_no_token_anywhere_is_token_missing_naming_every_way_to_give_one(connector):
    with pytest.raises(TokenMissing) as info:
        resolve_token(connector, Keyring(), environ={})
    assert info.value.exit_code == ExitCode.CREDENTIALS
    assert '"Main"' in info.value.message and "AC…cdef" in info.value.message
    for way in ("--auth-token-stdin", "HUBSMS_AUTH_TOKEN", "MY_TWILIO_TOKEN"):
        assert way in info.value.hint


def test_a_token_never_shows_in_its_repr():
    token = credentials.Token(TOKEN, "keyring")
    assert TOKEN not in repr(token) and TOKEN not in str(token)


def test_the_keyring_entry_is_service_hubsms_and_the_account_sid():
    Keyring().set(SID, TOKEN)
    assert keyring.get_password("hubsms", SID) == TOKEN
    assert Keyring().get(SID2) is None


def test_deleting_a_token_removes_it_and_deleting_nothing_is_no_error():
    ring = Keyring()
    ring.set(SID, TOKEN)
    ring.delete(SID)
    ring.delete(SID)
    assert keyring.get_password("hubsms", SID) is None


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
@pytest.mark.parametrize("action", ["get", "set", "delete"])
def test_keyrings_fail_and_null_backends_are_refused_with_the_ways_out(backend, action):
    keyring.set_keyring(backend())
    ring = Keyring()
    with pytest.raises(KeyringUnavailable) as info:
        getattr(ring, action)(SID, *([TOKEN] if action == "set" else []))
    assert "no usable keyring backend" in info.value.message
    assert info.value.exit_code == ExitCode.CREDENTIALS
    for way in ("unlock", "PYTHON_KEYRING_BACKEND", "HUBSMS_AUTH_TOKEN"):
        assert way in info.value.hint


def test_a_refused_write_is_keyring_unavailable():
    keyring.set_keyring(ReadOnlyKeyring())
    with pytest.raises(KeyringUnavailable, match="failed to write"):
        Keyring().set(SID, TOKEN)


@pytest.mark.usefixtures("blocking")
def test_a_keyring_that_never_answers_times_out_naming_the_timeout(monkeypatch):
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().get(SID)
    assert time.monotonic() - started < 2
    assert "did not answer within 0.3 s" in info.value.message
    assert "HUBSMS_KEYRING_TIMEOUT" in info.value.hint


@pytest.mark.parametrize("raw", ["0", "-1", "soon"])
def test_a_bad_keyring_timeout_is_invalid(monkeypatch, raw):
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", raw)
    with pytest.raises(InvalidValue, match="HUBSMS_KEYRING_TIMEOUT"):
        credentials.keyring_timeout()


def test_the_keyring_timeout_defaults_to_five_seconds():
    assert credentials.keyring_timeout() == 5.0


def test_a_token_on_stdin_is_its_first_line_trimmed():
    assert credentials.read_token_stream(io.StringIO(f"  {TOKEN}  \nmore\n")) == TOKEN


def test_empty_stdin_is_an_error_naming_the_flag():
    with pytest.raises(InvalidValue, match="--auth-token-stdin"):
        credentials.read_token_stream(io.StringIO(""))
