"""The auth token: precedence, and the keyring behind a timeout with clear errors."""

from __future__ import annotations

import time

import keyring
import pytest
from helpers import SID, SID2, TOKEN, TOKEN2
from keyring.backends import fail, null
from keyring_backends import (
    BlockingKeyring,
    ForgetfulKeyring,
    LeakyFileKeyring,
    LeakyKeyring,
    MemoryKeyring,
    ReadOnlyKeyring,
    StickyKeyring,
)
from keyrings.alt.file import PlaintextKeyring

from hubsms import credentials, keyring_choice
from hubsms.credentials import Keyring, resolve_token
from hubsms.errors import (
    CredentialsError,
    ExitCode,
    InvalidValue,
    KeyringUnavailable,
    TokenMissing,
)
from hubsms.keyring_file import AtomicPlaintextKeyring
from hubsms.paths import keyring_lock_path
from hubsms.model import Connector

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
        (TOKEN2, {}, TOKEN2, "stdin"),
        (None, ALL_ENV, ENV_TOKEN, "env:HUBSMS_AUTH_TOKEN"),
        (None, {"HUBSMS_AUTH_TOKEN": ENV_TOKEN}, ENV_TOKEN, "env:HUBSMS_AUTH_TOKEN"),
        (None, {"MY_TWILIO_TOKEN": VAR_TOKEN}, VAR_TOKEN, "env:MY_TWILIO_TOKEN"),
    ],
)
def test_the_token_comes_from_stdin_then_hubsms_env_then_the_connectors_variable(
    connector, stored, stdin, environ, value, source
):
    found = resolve_token(connector, stored, stdin_token=stdin, environ=environ)
    assert (found.value, found.source) == (value, source)


def test_a_connector_without_a_variable_reads_the_keyring_after_hubsms_env(stored):
    plain = Connector(name="Plain", account_sid=SID, from_="+15005550006")
    assert resolve_token(plain, stored, environ={"MY_TWILIO_TOKEN": VAR_TOKEN}) == (TOKEN, "keyring")
    assert resolve_token(plain, stored, environ={"HUBSMS_AUTH_TOKEN": ""}) == (TOKEN, "keyring")
    assert resolve_token(plain, stored, environ={"HUBSMS_AUTH_TOKEN": ENV_TOKEN}).source == "env:HUBSMS_AUTH_TOKEN"


@pytest.mark.parametrize("environ", [{}, {"MY_TWILIO_TOKEN": ""}, {"HUBSMS_AUTH_TOKEN": "", "MY_TWILIO_TOKEN": ""}])
def test_a_connector_naming_an_unset_variable_never_falls_back_to_the_keyring(connector, stored, environ):
    """The keyring holds a token for the account (stored through another config file, say):
    this connector said where its token is, so that one is never used instead."""
    assert credentials.find_token(connector, stored, environ=environ) is None
    with pytest.raises(TokenMissing) as info:
        resolve_token(connector, stored, environ=environ)
    assert info.value.exit_code == ExitCode.CREDENTIALS
    assert "$MY_TWILIO_TOKEN is not set" in info.value.message and '"Main"' in info.value.message
    assert "export MY_TWILIO_TOKEN" in info.value.hint
    assert "hubsms connector edit \"Main\" --auth-token-env ''" in info.value.hint


def test_no_token_for_a_connector_without_a_variable_names_the_ways_to_give_one():
    plain = Connector(name="Plain", account_sid=SID, from_="+15005550006")
    with pytest.raises(TokenMissing) as info:
        resolve_token(plain, Keyring(), environ={})
    assert '"Plain"' in info.value.message and "AC…cdef" in info.value.message
    for way in ("--auth-token-stdin", "HUBSMS_AUTH_TOKEN"):
        assert way in info.value.hint


def test_a_stored_token_that_is_no_token_is_a_credentials_error_naming_its_source():
    Keyring().set(SID, "not-a-token")
    plain = Connector(name="Plain", account_sid=SID, from_="+15005550006")
    with pytest.raises(CredentialsError, match="the auth token from keyring is unusable") as info:
        resolve_token(plain, Keyring(), environ={})
    assert "not-a-token" not in info.value.message


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


def test_account_sids_differing_only_in_case_share_one_keyring_entry():
    """The keyring sees one spelling: AC, then the hex digits in lower case (a backend whose
    usernames are case-sensitive would otherwise hold two entries for one account)."""
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    upper, lower = "AC" + SID[2:].upper(), "ac" + SID[2:]
    Keyring().set(upper, TOKEN)
    assert memory.entries == {("hubsms", SID): TOKEN}
    for spelling in (SID, upper, lower):
        shouting = Connector(name="Shouting", account_sid=spelling, from_="+15005550006")
        assert resolve_token(shouting, Keyring(), environ={}) == (TOKEN, "keyring")
    Keyring().set(lower, TOKEN2)
    assert memory.entries == {("hubsms", SID): TOKEN2}
    Keyring().delete(upper)
    assert memory.entries == {}


ACTIONS = [("get", "read"), ("set", "store"), ("delete", "delete")]


def call(ring: Keyring, method: str) -> object:
    return getattr(ring, method)(SID, *([TOKEN] if method == "set" else []))


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
@pytest.mark.parametrize(("method", "action"), ACTIONS)
def test_keyrings_fail_and_null_backends_are_refused_saying_what_could_not_be_done(backend, method, action):
    keyring.set_keyring(backend())
    with pytest.raises(KeyringUnavailable) as info:
        call(Keyring(), method)
    assert info.value.message == f"no usable keyring backend (cannot {action} the auth token)"
    assert info.value.exit_code == ExitCode.CREDENTIALS
    for way in ("unlock", "PYTHON_KEYRING_BACKEND", "hubsms.keyring_file.AtomicPlaintextKeyring"):
        assert way in info.value.hint


def test_the_hint_of_a_failed_store_names_auth_token_env_not_hubsms_auth_token():
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().set(SID, TOKEN)
    assert "--auth-token-env VAR" in info.value.hint and "HUBSMS_AUTH_TOKEN" not in info.value.hint


def test_the_hint_of_a_failed_read_names_hubsms_auth_token():
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().get(SID)
    assert "HUBSMS_AUTH_TOKEN" in info.value.hint


def test_a_refused_write_is_keyring_unavailable_naming_the_backend():
    keyring.set_keyring(ReadOnlyKeyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().set(SID, TOKEN)
    assert info.value.message == (
        "the keyring (keyring_backends.ReadOnlyKeyring) failed to store the auth token "
        "(PasswordSetError: the keyring refused the write)"
    )


def test_a_refused_delete_of_a_stored_token_is_keyring_unavailable():
    keyring.set_keyring(ReadOnlyKeyring({("hubsms", SID): TOKEN}))
    with pytest.raises(KeyringUnavailable, match="failed to delete the auth token"):
        Keyring().delete(SID)


@pytest.mark.parametrize(("method", "action", "error"), [("get", "read", "RuntimeError"), ("set", "store", "KeyError"), ("delete", "delete", "RuntimeError")])
def test_a_backend_raising_what_no_keyring_documents_is_keyring_unavailable_without_the_token(method, action, error):
    keyring.set_keyring(LeakyKeyring())
    with pytest.raises(KeyringUnavailable) as info:
        call(Keyring(), method)
    message = info.value.message
    assert message.startswith(f"the keyring (keyring_backends.LeakyKeyring) failed to {action} the auth token ({error}: ")
    assert TOKEN not in message + info.value.hint
    if method == "set":  # the backend's own words said the token: it is replaced, the rest kept
        assert f"backend bug storing <hidden> for {SID}" in message


def test_a_token_that_is_not_hex_is_hidden_from_a_backends_message_too():
    keyring.set_keyring(LeakyKeyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().set(SID, "secret-of-another-shape")
    assert "secret-of-another-shape" not in info.value.message


@pytest.mark.parametrize(("method", "words"), [("set", "did not keep the auth token"), ("delete", "did not delete")])
def test_a_backend_that_says_yes_but_keeps_nothing_is_caught_by_reading_back(method, words):
    if method == "set":
        keyring.set_keyring(ForgetfulKeyring())
    else:
        keyring.set_keyring(StickyKeyring({("hubsms", SID): TOKEN}))
    with pytest.raises(KeyringUnavailable, match=words) as info:
        call(Keyring(), method)
    assert info.value.exit_code == ExitCode.CREDENTIALS


@pytest.mark.usefixtures("blocking")
@pytest.mark.parametrize(("method", "action"), ACTIONS)
def test_a_keyring_that_never_answers_times_out_naming_the_timeout(monkeypatch, method, action):
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(KeyringUnavailable) as info:
        call(Keyring(), method)
    assert time.monotonic() - started < 1.3
    assert info.value.message == f"the keyring (keyring_backends.BlockingKeyring) did not answer within 0.3 s ({action})"
    assert "HUBSMS_KEYRING_TIMEOUT" in info.value.hint


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "nan", "NaN", "inf", "-inf", "1e9"])
def test_a_bad_keyring_timeout_is_invalid_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", raw)
    with pytest.raises(InvalidValue) as info:
        credentials.keyring_timeout()
    assert info.value.message == f"HUBSMS_KEYRING_TIMEOUT must be seconds from 0.001 to 3600, got {raw!r}"
    assert info.value.exit_code == ExitCode.USAGE


def test_the_keyring_timeout_defaults_to_five_seconds_and_takes_fractions(monkeypatch):
    assert credentials.keyring_timeout() == 5.0
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", "0.25")
    assert credentials.keyring_timeout() == 0.25


# --- which backend, and a word when it keeps tokens in plaintext ----------------------------


def test_the_backend_name_says_a_file_backends_file(tmp_path):
    keyring.set_keyring(PlaintextKeyring())
    path = tmp_path / "data" / "python_keyring" / "keyring_pass.cfg"
    assert keyring_choice.backend_name() == (
        f"keyrings.alt.file.PlaintextKeyring (plaintext file {path}, written crash-safely by hubsms)")
    keyring.set_keyring(AtomicPlaintextKeyring())
    assert keyring_choice.backend_name() == f"hubsms.keyring_file.AtomicPlaintextKeyring (plaintext file {path})"


def test_the_backend_name_shortens_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    keyring.set_keyring(PlaintextKeyring())
    assert "(plaintext file ~/data/python_keyring/keyring_pass.cfg, " in keyring_choice.backend_name()


def test_the_backend_name_of_other_backends_and_of_none():
    keyring.set_keyring(ReadOnlyKeyring())
    assert keyring_choice.backend_name() == "keyring_backends.ReadOnlyKeyring"
    keyring.set_keyring(fail.Keyring())
    assert keyring_choice.backend_name() == "none usable: no usable keyring backend (cannot load its backend)"


@pytest.mark.parametrize("backend", [PlaintextKeyring, AtomicPlaintextKeyring])
def test_a_plaintext_keyring_chosen_by_priority_is_warned_of(monkeypatch, tmp_path, backend):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(backend())
    warning = keyring_choice.plaintext_warning()
    assert warning is not None
    assert f"stored unencrypted in {tmp_path}/data/python_keyring/keyring_pass.cfg" in warning
    assert "PYTHON_KEYRING_BACKEND=hubsms.keyring_file.AtomicPlaintextKeyring" in warning


def test_a_plaintext_keyring_chosen_with_python_keyring_backend_is_not_warned_of():
    keyring.set_keyring(PlaintextKeyring())
    assert keyring_choice.plaintext_warning() is None


def test_a_plaintext_keyring_chosen_in_keyrings_config_file_is_not_warned_of(monkeypatch, tmp_path):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    keyring.set_keyring(PlaintextKeyring())
    assert keyring_choice.plaintext_warning() is not None
    (tmp_path / "xdg" / "python_keyring").mkdir(parents=True)
    (tmp_path / "xdg" / "python_keyring" / "keyringrc.cfg").write_text(
        "[backend]\ndefault-keyring = keyrings.alt.file.PlaintextKeyring\n"
    )
    assert keyring_choice.plaintext_warning() is None


@pytest.mark.parametrize("backend", [ReadOnlyKeyring, fail.Keyring])
def test_no_plaintext_warning_for_other_or_unusable_backends(monkeypatch, backend):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    keyring.set_keyring(backend())
    assert keyring_choice.plaintext_warning() is None


@pytest.mark.parametrize("purpose", ["store", "delete"])
def test_errors_say_the_commands_purpose_rather_than_the_calls_action(purpose):
    """``add`` reads the stored token before storing its own: with no keyring, what it
    cannot do is store the token, and the hint is that of storing."""
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring(purpose=purpose).get(SID)
    assert info.value.message == f"no usable keyring backend (cannot {purpose} the auth token)"
    assert info.value.hint == credentials.HINTS[purpose]


def test_a_token_a_backend_repeats_while_deleting_it_is_hidden_whatever_its_shape():
    Keyring().set(SID, "secret-of-another-shape")
    keyring.set_keyring(LeakyFileKeyring())
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().delete(SID)
    assert info.value.message == (
        "the keyring (keyring_backends.LeakyFileKeyring) failed to delete the auth token "
        "(RuntimeError: backend bug deleting <hidden>)"
    )


def test_a_lock_that_cannot_be_created_stops_writes_but_not_reads(monkeypatch, tmp_path):
    Keyring().set(SID, TOKEN)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # the keyring file stays where it was
    keyring.set_keyring(PlaintextKeyring())
    keyring.get_keyring().file_path = str(tmp_path / "data" / "python_keyring" / "keyring_pass.cfg")
    assert Keyring().get(SID) == TOKEN
    with pytest.raises(KeyringUnavailable, match=f"cannot create the keyring lock {blocker}/hubsms/keyring.lock"):
        Keyring().set(SID, TOKEN2)
    assert keyring.get_password("hubsms", SID) == TOKEN


def test_writes_take_the_per_user_lock_beside_hubsms_data(tmp_path, monkeypatch):
    from filelock import FileLock

    monkeypatch.setenv("HUBSMS_LOCK_TIMEOUT", "0.2")
    lock = FileLock(str(tmp_path / "data" / "hubsms" / "keyring.lock"))
    assert keyring_lock_path() == tmp_path / "data" / "hubsms" / "keyring.lock"
    with lock:  # another hubsms process writing
        with pytest.raises(KeyringUnavailable, match="being written by another hubsms process"):
            Keyring().set(SID, TOKEN)
    Keyring().set(SID, TOKEN)
    assert keyring.get_password("hubsms", SID) == TOKEN


def test_after_a_timeout_the_per_user_lock_stays_held_until_the_backend_call_ends(blocking, monkeypatch):
    from filelock import FileLock, Timeout

    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", "0.2")
    with pytest.raises(KeyringUnavailable, match="did not answer within 0.2 s"):
        Keyring().set(SID, TOKEN)
    lock = FileLock(str(keyring_lock_path()))
    with pytest.raises(Timeout):  # the backend may still be writing: no other writer yet
        lock.acquire(timeout=0.3)
    BlockingKeyring.released.set()
    lock.acquire(timeout=10)  # the call ended: the lock was let go
    lock.release()


def test_a_lock_folder_that_cannot_be_made_says_why(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    with pytest.raises(KeyringUnavailable) as info:
        Keyring().set(SID, TOKEN)
    assert info.value.message.startswith(f"cannot create the keyring lock {blocker}/hubsms/keyring.lock (")
    assert "not a directory" in info.value.message.lower()
