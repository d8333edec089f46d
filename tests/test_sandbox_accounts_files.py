"""Several --accounts files are one set of accounts: an account declared twice is refused."""

from __future__ import annotations

import pytest

from hubsms.sandbox.accounts import AccountError, load_accounts_files

SID = "AC" + "1" * 32
OTHER = "AC" + "2" * 32


def write(path, *sids: str):
    path.write_text("".join(f'[accounts.{sid}]\nnumbers = ["+14155552671"]\n' for sid in sids))
    return path


def test_accounts_of_several_files_are_loaded_together(tmp_path):
    loaded = load_accounts_files([write(tmp_path / "a.toml", SID), write(tmp_path / "b.toml", OTHER)], environ={})
    assert [account.sid for account in loaded] == [SID, OTHER]


def test_an_account_declared_in_two_files_is_refused_naming_it(tmp_path):
    first, second = write(tmp_path / "a.toml", SID), write(tmp_path / "b.toml", OTHER, SID)
    with pytest.raises(AccountError) as info:
        load_accounts_files([first, second], environ={})
    assert f"{second}: accounts.{SID} is declared twice" in str(info.value)
