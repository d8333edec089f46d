"""Declared Twilio accounts: what a sandbox account owns and may do, read from a TOML file
(``hubsms sandbox serve --accounts FILE``) or the own API (``POST /api/accounts``).

A declared account behaves like the real one (see ``hubsms.sandbox.rules``); an account that
was not declared keeps the permissive behaviour. The auth token is read from the variable
named by ``auth_token_env`` (never from the file); through the JSON API it may also be given
as ``auth_token``. It is never shown again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from hubsms.sandbox.twilio import (
    ACCOUNT_SID_RE,
    E164_RE,
    SERVICE_SID_RE,
    SHORT_CODE_RE,
    is_alpha_sender,
)

ACCOUNT_TYPES: Final = ("Full", "Trial")
ACCOUNT_STATUSES: Final = ("active", "suspended", "closed")
_LISTS: Final = ("numbers", "voice_only_numbers", "short_codes", "verified_numbers", "opted_out")
# Resources whose reading a declared account's credentials may be denied (403, 70051), as a
# key with restricted rights is: ``forbidden = ["account"]``.
FORBIDDABLE: Final = ("account", "numbers", "short_codes", "caller_ids", "balance", "service")
_FILE_KEYS: Final = frozenset({"auth_token_env", "friendly_name", "type", "status", "balance",
                               "messaging_services", "forbidden", *_LISTS})
_JSON_KEYS: Final = _FILE_KEYS | {"sid", "auth_token"}
DEFAULT_BALANCE: Final = "20.00"


class AccountError(ValueError):
    """A declared account breaks the format; the message names the key."""


class DeclaredAccount(NamedTuple):
    """An account as declared; ``auth_token`` None means the server-wide rule applies. Its
    repr hides the token."""

    sid: str
    auth_token: str | None = None
    token_source: str = "none"
    friendly_name: str = "hubsms sandbox"
    type: str = "Full"
    status: str = "active"
    numbers: tuple[str, ...] = ()
    voice_only_numbers: tuple[str, ...] = ()
    short_codes: tuple[str, ...] = ()
    verified_numbers: tuple[str, ...] = ()
    opted_out: tuple[str, ...] = ()
    messaging_services: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    balance: str = DEFAULT_BALANCE
    forbidden: tuple[str, ...] = ()  # of FORBIDDABLE: answered 403, 70051

    def __repr__(self) -> str:
        fields = (f"{name}=<hidden>" if name == "auth_token" and value is not None else f"{name}={value!r}"
                  for name, value in self._asdict().items())
        return f"DeclaredAccount({', '.join(fields)})"

    def sms_senders(self) -> set[str]:
        """Numbers and short codes this account can send SMS from."""
        return {*self.numbers, *self.short_codes}

    def owns(self, sender: str) -> bool:
        return sender in self.sms_senders() or sender in self.voice_only_numbers

    def public(self) -> dict[str, Any]:
        """What the own API shows: everything but the token (only where it came from)."""
        shown: dict[str, Any] = {"sid": self.sid, "token_source": self.token_source,
                                 "friendly_name": self.friendly_name, "type": self.type,
                                 "status": self.status, "balance": self.balance,
                                 "forbidden": list(self.forbidden)}
        shown.update({name: list(getattr(self, name)) for name in _LISTS})
        shown["messaging_services"] = {sid: list(pool) for sid, pool in self.messaging_services.items()}
        return shown


# --- parsing ------------------------------------------------------------------------------


def _choice(data: Mapping[str, Any], key: str, where: str, choices: tuple[str, ...]) -> str:
    value = data.get(key, choices[0])
    if value not in choices:
        raise AccountError(f"{where}.{key}: {value!r} is not one of {', '.join(choices)}")
    return value


def _text(data: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = data.get(key, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "balance":
        value = f"{value:.2f}"
    if not isinstance(value, str) or not value.strip():
        raise AccountError(f"{where}.{key}: must be a non-empty string")
    return value.strip()


def _forbidden(data: Mapping[str, Any], where: str) -> tuple[str, ...]:
    values = data.get("forbidden", [])
    if not isinstance(values, list) or not all(value in FORBIDDABLE for value in values):
        raise AccountError(f"{where}.forbidden: must be a list of {', '.join(FORBIDDABLE)}")
    return tuple(values)


def _senders(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = data.get(key, [])
    pattern = SHORT_CODE_RE if key == "short_codes" else E164_RE
    shape = "a short code (5-6 digits)" if key == "short_codes" else "an E.164 number (+ and 8-15 digits)"
    if not isinstance(values, list):
        raise AccountError(f"{where}.{key}: must be a list of strings")
    for index, value in enumerate(values):
        if not isinstance(value, str) or not pattern.match(value):
            raise AccountError(f"{where}.{key}[{index}]: {value!r} is not {shape}")
    return tuple(values)


def _services(data: Mapping[str, Any], where: str, owned: set[str]) -> dict[str, tuple[str, ...]]:
    """``{MG...: [sender, ...]}``: each pool holds the account's SMS-capable numbers and short
    codes, or alphanumeric sender IDs (a Messaging Service's pool only takes those)."""
    services = data.get("messaging_services", {})
    if not isinstance(services, Mapping):
        raise AccountError(f"{where}.messaging_services: must be a table of MG... = [senders]")
    parsed: dict[str, tuple[str, ...]] = {}
    for sid, pool in services.items():
        here = f"{where}.messaging_services.{sid}"
        if not SERVICE_SID_RE.match(sid):
            raise AccountError(f"{here}: not a Messaging Service SID (MG + 32 hex digits)")
        if not isinstance(pool, list) or not all(isinstance(s, str) for s in pool):
            raise AccountError(f"{here}: must be a list of senders")
        for sender in pool:
            if sender not in owned and not is_alpha_sender(sender):
                raise AccountError(f"{here}: {sender!r} is not an SMS-capable number or short code "
                                   "of this account, nor an alphanumeric sender ID")
        parsed[sid] = tuple(pool)
    return parsed


def _token(data: Mapping[str, Any], where: str, environ: Mapping[str, str],
           from_json: bool) -> tuple[str | None, str]:
    if from_json and "auth_token" in data:
        token = data["auth_token"]
        if not isinstance(token, str) or not token.strip():
            raise AccountError(f"{where}.auth_token: must be a non-empty string")
        return token.strip(), "given"
    name = data.get("auth_token_env")
    if name is None:
        return None, "none"
    if not isinstance(name, str) or not name.strip():
        raise AccountError(f"{where}.auth_token_env: must be a variable name")
    token = environ.get(name, "").strip()
    if not token:
        raise AccountError(f"{where}.auth_token_env: ${name} is not set or empty")
    return token, f"env:{name}"


def parse_account(sid: str, data: Any, *, environ: Mapping[str, str] | None = None,
                  from_json: bool = False, where: str | None = None) -> DeclaredAccount:
    """One account's table (TOML) or object (JSON) -> DeclaredAccount; unknown keys refused."""
    where = where or f"accounts.{sid}"
    if not isinstance(sid, str) or not ACCOUNT_SID_RE.match(sid):
        raise AccountError(f"{where}: {sid!r} is not an Account SID (AC + 32 hex digits)")
    if not isinstance(data, Mapping):
        raise AccountError(f"{where}: must be a table")
    unknown = sorted(set(data) - (_JSON_KEYS if from_json else _FILE_KEYS))
    if unknown:
        raise AccountError(f"{where}: unknown key {unknown[0]!r}")
    lists = {name: _senders(data, name, where) for name in _LISTS}
    owned = {*lists["numbers"], *lists["short_codes"]}
    token, source = _token(data, where, os.environ if environ is None else environ, from_json)
    return DeclaredAccount(
        sid=sid, auth_token=token, token_source=source,
        friendly_name=_text(data, "friendly_name", where, "hubsms sandbox"),
        type=_choice(data, "type", where, ACCOUNT_TYPES),
        status=_choice(data, "status", where, ACCOUNT_STATUSES),
        messaging_services=_services(data, where, owned),
        balance=_text(data, "balance", where, DEFAULT_BALANCE), forbidden=_forbidden(data, where), **lists,
    )


def parse_accounts_document(document: Mapping[str, Any],
                            environ: Mapping[str, str] | None = None) -> list[DeclaredAccount]:
    """A whole accounts file: ``[accounts.AC...]`` tables and nothing else."""
    unknown = sorted(set(document) - {"accounts"})
    if unknown:
        raise AccountError(f"unknown key {unknown[0]!r} (the file holds [accounts.AC...] tables only)")
    tables = document.get("accounts", {})
    if not isinstance(tables, Mapping) or not tables:
        raise AccountError("no [accounts.AC...] table")
    return [parse_account(sid, data, environ=environ) for sid, data in tables.items()]


def load_accounts_file(path: Path, environ: Mapping[str, str] | None = None) -> list[DeclaredAccount]:
    """Read and check one accounts file; AccountError says the file and the line or key."""
    import tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AccountError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise AccountError(f"{path}: nested too deeply to be an accounts file "
                           "(its values are strings, lists of strings and one table of services)") from None
    try:
        return parse_accounts_document(document, environ)
    except AccountError as exc:
        raise AccountError(f"{path}: {exc}") from None


# --- the registry ---------------------------------------------------------------------------


def load_accounts_files(paths: list[Path], environ: Mapping[str, str] | None = None) -> list[DeclaredAccount]:
    """Every ``--accounts`` file, each checked whole; an SID declared twice (in one file or
    two) is an AccountError."""
    accounts: dict[str, DeclaredAccount] = {}
    for path in paths:
        for account in load_accounts_file(path, environ):
            if account.sid in accounts:
                raise AccountError(f"{path}: accounts.{account.sid} is declared twice (declare each account in one file only)")
            accounts[account.sid] = account
    return list(accounts.values())


class AccountRegistry:
    """The declared accounts of a running sandbox, by SID (handlers run in many threads)."""

    __slots__ = ("_lock", "_by_sid")

    def __init__(self, accounts: Iterable[DeclaredAccount] = ()) -> None:
        self._lock = threading.Lock()
        self._by_sid = {a.sid: a for a in accounts}

    def put(self, account: DeclaredAccount) -> bool:
        """Declare (or replace) an account; True when it replaced one."""
        with self._lock:
            replaced = account.sid in self._by_sid
            self._by_sid[account.sid] = account
            return replaced

    def get(self, sid: str) -> DeclaredAccount | None:
        with self._lock:
            return self._by_sid.get(sid)

    def remove(self, sid: str) -> bool:
        with self._lock:
            return self._by_sid.pop(sid, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._by_sid.clear()

    def all(self) -> list[DeclaredAccount]:
        with self._lock:
            return sorted(self._by_sid.values(), key=lambda a: a.sid)

    def owner_of(self, sender: str) -> DeclaredAccount | None:
        """A declared account that owns this number or short code, if any."""
        return next((a for a in self.all() if a.owns(sender)), None)
