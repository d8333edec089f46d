"""The per-user record of the config files hubsms has used, and which accounts' keyring
entries each one reads.

Keyring entries are per user (service ``hubsms``, user the Account SID), shared by every config
file: prod and staging configs of one Twilio account read one entry. So a token may be deleted
only when no config file that reads it is left, and that needs to know the other files. This
record, ``configs.json`` in hubsms's per-user data folder, lists each config file by its real
path with the accounts it read from the keyring when last saved (``null``: not known yet). It is
written under the keyring's per-user lock, atomically, 0600.

The record is a list of places to look, not the truth: before a token is deleted each other
file is read again (``service.transaction.delete_unused_tokens``). A recorded file that is gone
(moved or deleted by hand) keeps the tokens it was recorded with until ``hubsms doctor --fix``,
after showing it, forgets it: a moved file is found again the next time hubsms is pointed at it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final, NamedTuple

from hubsms.errors import HubsmsError
from hubsms.paths import user_data_dir
from hubsms.store import ensure_folder, write_atomic
from hubsms.store import load as store_load

VERSION: Final = 1
# Far above any real number of config files; a larger record is refused as damaged.
MAX_BYTES: Final = 4 * 1024 * 1024


class RegistryUnreadable(Exception):
    """The record exists but cannot be read or is damaged: its reason."""


def record_path() -> Path:
    return user_data_dir() / "configs.json"


def real(path: Path) -> str:
    """The key of a config file: its absolute real path (a symlinked config is its target)."""
    return os.path.realpath(path)


def known() -> dict[str, list[str] | None]:
    """Every recorded config file (real path) and the accounts it reads from the keyring
    (None: not known yet). RegistryUnreadable for a damaged record; {} when there is none."""
    try:
        with open(record_path(), "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise RegistryUnreadable(f"cannot read {record_path()}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise RegistryUnreadable(f"{record_path()} is larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw)
        configs = data["configs"]
        return {str(k): (None if v is None else [str(s) for s in v]) for k, v in configs.items()}
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise RegistryUnreadable(f"{record_path()} is damaged (not the JSON hubsms writes)") from None


class OtherConfigs(NamedTuple):
    """What the config files hubsms knows, but the one in hand, use, each read afresh."""

    used: dict[str, str]  # account -> the first other config file that has a connector of it
    gone: dict[str, list[str] | None]  # recorded files that no longer exist: the accounts recorded
    unreadable: dict[str, list[str] | None]  # files that exist but cannot be read: the same


def other_configs(path: Path) -> OtherConfigs:
    """The other recorded config files and the unrecorded ones beside them
    (``unrecorded_accounts``): who uses which account, which are gone and which cannot be
    read. RegistryUnreadable when the record itself cannot be read. Each caller says what a
    gone or unreadable file means for it (a remove keeps every token; doctor --fix trusts the
    accounts recorded)."""
    own = real(path)
    recorded = known()
    used: dict[str, str] = {}
    gone: dict[str, list[str] | None] = {}
    unreadable: dict[str, list[str] | None] = {}
    for other, accounts in recorded.items():
        if other == own:
            continue
        if not os.path.exists(other):
            gone[other] = accounts
            continue
        try:
            connectors = store_load(Path(other)).connectors.values()
        except HubsmsError:
            unreadable[other] = accounts
            continue
        for connector in connectors:
            used.setdefault(connector.account_sid, other)
    for sid, other in unrecorded_accounts(path, recorded).items():
        used.setdefault(sid, other)
    return OtherConfigs(used, gone, unreadable)


def unrecorded_accounts(path: Path, recorded: Iterable[str]) -> dict[str, str]:
    """The accounts of the config files the record does not hold that sit beside ``path`` or
    a recorded file (the ``*.toml`` files of those folders that load as configs), each with
    the first file (real path) that has a connector of it: files used before hubsms kept the
    record (or not since), or copied by hand. Read before a token is deleted, so that
    prod.toml beside staging.toml keeps its token although hubsms was never pointed at it."""
    known = set(recorded) | {real(path)}
    used: dict[str, str] = {}
    for folder in sorted({os.path.dirname(p) for p in known}):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            candidate = real(Path(folder) / name)
            if not name.endswith(".toml") or candidate in known or not os.path.isfile(candidate):
                continue
            known.add(candidate)
            with contextlib.suppress(HubsmsError):  # no config (a pyproject.toml, an export)
                for connector in store_load(Path(candidate)).connectors.values():
                    used.setdefault(connector.account_sid, candidate)
    return used


def remember(path: Path, accounts: Iterable[str] | None = None) -> None:
    """Record ``path`` (with the accounts it reads from the keyring, when given). Best effort
    and cheap: one small read when nothing changes; a file only pointed at (no ``accounts``)
    is recorded only if the keyring's lock is free now, never waited for (a change being saved
    holds it already). A record that cannot be written (or is damaged) is not the command's
    failure. A file left unrecorded is recorded the next
    time hubsms is pointed at it; until then, a command on another file does not know it."""
    key = real(path)
    wanted = None if accounts is None else sorted(set(accounts))
    with contextlib.suppress(RegistryUnreadable):
        current = known()
        if key in current and (wanted is None or current[key] == wanted):
            return
    with contextlib.suppress(Exception):  # never a failure of the command that uses the file
        with _changing(wait=wanted is not None) as record:
            if wanted is not None or key not in record:
                record[key] = wanted


def forget(paths: Iterable[str]) -> None:
    """Take config files (real paths) out of the record (``doctor --fix``, for files gone)."""
    gone = set(paths)
    if gone:
        with _changing() as record:
            for key in gone:
                record.pop(key, None)


@contextlib.contextmanager
def _changing(*, wait: bool = True) -> Iterator[dict[str, list[str] | None]]:
    """The record, read and written back under the keyring's per-user lock (``wait``: as long
    as for any lock, else only if it is free now). A damaged record
    raises RegistryUnreadable here and is never started again empty, which would forget the
    other files: it stays as it is (no token is deleted while it cannot be read) until a
    person moves it away."""
    from hubsms.credentials import holding_user_lock  # only a change of the record needs it

    ensure_folder(record_path().parent)
    with holding_user_lock(deadline=None if wait else time.monotonic()):
        record = known()
        yield record
        data = json.dumps({"version": VERSION, "configs": dict(sorted(record.items()))}, indent=1)
        write_atomic(record_path(), (data + "\n").encode("utf-8"), 0o600)
