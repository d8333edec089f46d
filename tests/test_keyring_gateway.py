"""The keyring gateway (credentials.Keyring): each entry read at most once per command, the
reads a command needs made in one call, and a keyring that failed not asked again. Through the
real CLI, with real keyring backends that count what reaches them."""

from __future__ import annotations

import keyring
import pytest
from helpers import FROM, added, sid, token
from keyring_backends import CountingBlockingKeyring, CountingKeyring

from hubsms.credentials import SERVICE
from hubsms.keyring_file import AtomicPlaintextKeyring

ACCOUNTS = 4
PER_ACCOUNT = 3


@pytest.fixture
def counting() -> CountingKeyring:
    backend = CountingKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def fleet(cli, counting: CountingKeyring) -> CountingKeyring:
    """Twelve connectors over four accounts, every token in the keyring; the counts reset."""
    for n in range(ACCOUNTS * PER_ACCOUNT):
        account = n % ACCOUNTS
        added(cli, f"c{n}", account_sid=sid(account + 1), tok=token(account + 1), from_=FROM)
    counting.reads.clear()
    return counting


def assert_read_once_each(backend: CountingKeyring) -> None:
    assert backend.reads, "the command read no keyring entry"
    assert set(backend.reads.values()) == {1}, backend.reads
    assert len(backend.reads) == ACCOUNTS


def test_doctor_reads_each_account_once(cli, fleet):
    cli("doctor")
    assert_read_once_each(fleet)


def test_list_wide_reads_each_account_once(cli, fleet):
    assert cli("connector", "list", "--wide").exit_code == 0
    assert_read_once_each(fleet)


def desired_fleet(tmp_path, monkeypatch, shift: int = 0):
    """The fleet as a desired-state file, each account's token in TOKEN_<n> (``shift`` gives
    other tokens)."""
    lines = ["schema_version = 1"]
    for n in range(ACCOUNTS * PER_ACCOUNT):
        account = n % ACCOUNTS
        lines += [f'[connectors."c{n}"]', f'account_sid = "{sid(account + 1)}"', f'from = "{FROM}"',
                  f'auth_token_env = "TOKEN_{account}"']
        monkeypatch.setenv(f"TOKEN_{account}", token(account + 1 + shift))
    desired = tmp_path / "desired.toml"
    desired.write_text("\n".join(lines) + "\n")
    return desired


def test_a_no_change_apply_reads_each_account_once(cli, fleet, tmp_path, monkeypatch):
    result = cli("apply", str(desired_fleet(tmp_path, monkeypatch)))
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output
    assert_read_once_each(fleet)


def test_an_apply_that_stores_new_tokens_reads_each_account_once(cli, fleet, tmp_path, monkeypatch):
    """The plan's read is the one the undo of a failed write needs: not read again. The
    second read of each is the write's read-back (a backend that loses a write is an error)."""
    result = cli("apply", str(desired_fleet(tmp_path, monkeypatch, shift=100)))
    assert result.exit_code == 0, result.output
    assert fleet.reads == {sid(a + 1): 2 for a in range(ACCOUNTS)}
    assert {fleet.entries[(SERVICE, sid(a + 1))] for a in range(ACCOUNTS)} == {token(a + 101) for a in range(ACCOUNTS)}


def test_a_hung_keyring_costs_one_timeout_for_a_whole_sweep(cli, fleet, monkeypatch):
    """Four accounts, a keyring that never answers: one call reaches it, and every connector
    reports the same failure (before, each account waited its own timeout)."""
    CountingBlockingKeyring.calls = 0
    CountingBlockingKeyring.released.clear()
    keyring.set_keyring(CountingBlockingKeyring())
    monkeypatch.setenv("HUBSMS_KEYRING_TIMEOUT", "0.2")
    try:
        result = cli("connector", "test", "--all", "--json")
    finally:
        CountingBlockingKeyring.released.set()
    assert result.exit_code == 4, result.output
    assert CountingBlockingKeyring.calls == 1
    assert result.stdout.count("did not answer within 0.2 s") == ACCOUNTS * PER_ACCOUNT


def test_the_file_backend_reads_many_entries_as_keyrings_alt_reads_each(tmp_path):
    """get_passwords parses the file once; keyrings.alt's own PlaintextKeyring, reading the same
    file entry by entry, is the reference."""
    from keyrings.alt.file import PlaintextKeyring

    backend, reference = AtomicPlaintextKeyring(), PlaintextKeyring()
    backend.file_path = reference.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    for n in range(3):
        backend.set_password(SERVICE, sid(n), token(n))
    users = [sid(n) for n in range(4)]
    assert backend.get_passwords(SERVICE, users) == {u: reference.get_password(SERVICE, u) for u in users}
    assert backend.get_passwords(SERVICE, users) == {**{sid(n): token(n) for n in range(3)}, sid(3): None}


def test_what_was_read_before_a_change_takes_the_lock_is_read_again_under_it(counting, config_path):
    """The dialog reads the stored token before the change's lock (to say Enter keeps it); if
    another hubsms deletes it meanwhile, the add under the lock must see that, not the cache."""
    from helpers import SID, TOKEN

    from hubsms.credentials import Keyring
    from hubsms.errors import TokenMissing
    from hubsms.service.connectors import ConnectorInput, add_connector

    counting.entries[(SERVICE, SID)] = TOKEN
    gateway = Keyring()
    assert gateway.get(SID) == TOKEN
    del counting.entries[(SERVICE, SID)]  # another process's remove
    with pytest.raises(TokenMissing):
        add_connector(config_path, ConnectorInput(name="B", account_sid=SID, from_=FROM), gateway)
    assert not config_path.exists()
