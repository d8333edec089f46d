"""What the read-only commands show: connector and plan rows, one connector, Global
Settings. Rows have the same keys for tables and for ``--json``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms import fields, store
from hubsms.errors import HubsmsError
from hubsms.model import Config, Connector
from hubsms.service.lookup import require_connector

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring


NOT_CHECKED = "keyring?"  # the token would come from the keyring, which was not asked


def connector_rows(
    config: Config, connectors: Iterable[Connector], sources: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per connector of ``config`` given (the same keys for the table and for
    --json: the name and the listed fields of ``hubsms.fields``, then what uses it); linear
    in the size of the config: the plans are grouped by connector once. ``sources`` gives
    each connector's token source (by name), else ``keyring?``."""
    plans = config.plans_by_connector()
    sources = sources or {}
    default = config.default_sms_connector
    rows = []
    for c in connectors:
        used = plans.get(c.name, [])
        uses = (default == c.name, config.uses_of(c.name, used), used, sources.get(c.name, NOT_CHECKED))
        rows.append(dict(zip(_ROW_KEYS, (*fields.listed_values(c), *uses))))
    return rows


_ROW_KEYS: Final = (*fields.LISTED_KEYS, "default", "used_by", "plans", "token_source")


class Listing(NamedTuple):
    """What ``connector list`` shows: the rows, the file they come from (and whether it
    exists: a missing file reads as an empty config) and warnings about the keyring."""

    rows: list[dict[str, Any]]
    path: Path
    file_exists: bool
    warnings: list[str]


def connector_listing(
    path: Path,
    active: bool | None = None,
    keyring: Keyring | None = None,
    environ: Mapping[str, str] | None = None,
) -> Listing:
    """The rows of ``connector list`` with each connector's token source (never the token).
    Without ``keyring`` the keyring is not asked (importing it costs more than the whole
    listing): a token it would give shows as ``keyring?``. With it, each distinct account
    is looked up once; after a failure it is not asked again (each call may wait for the
    timeout) and the failure becomes one warning."""
    config = store.load(path)
    env = os.environ if environ is None else environ
    tokens = _AccountTokens(keyring)
    shown = [c for c in config.connectors.values() if active in (None, c.active)]
    tokens.read_ahead(shown, env)
    sources = {c.name: tokens.source(c, env) for c in shown}
    rows = connector_rows(config, shown, sources)
    exists = bool(config.connectors) or path.is_file()
    return Listing(rows, path, exists, tokens.warnings)


_NOT_ASKED = "<not asked>"  # what the keyring "holds" when it is not asked: never a token


class _AccountTokens:
    """The keyring (or, without one, a stand-in that is never asked) looked up at most once
    per account, in front of ``find_token``, which keeps the rules of where a token comes from."""

    __slots__ = ("keyring", "warnings")

    def __init__(self, keyring: Keyring | None) -> None:
        self.keyring = keyring
        self.warnings: list[str] = []

    def source(self, connector: Connector, environ: Mapping[str, str]) -> str:
        from hubsms.credentials import find_token

        found = find_token(connector, self, environ=environ)  # type: ignore[arg-type]
        if found is None:
            return "missing"
        return NOT_CHECKED if found.value is _NOT_ASKED else found.source

    def read_ahead(self, connectors: list[Connector], environ: Mapping[str, str]) -> None:
        """Every entry the rows will need, in one keyring call."""
        from hubsms.credentials import keyring_accounts

        if self.keyring is not None:
            try:
                self.keyring.get_many(keyring_accounts(connectors, environ))
            except HubsmsError as exc:
                self.warnings.append(_said(exc))

    def get(self, account_sid: str) -> str | None:
        """Read ahead already (one keyring call): the Keyring's cache, or after a failure no
        answer (the failure is one warning)."""
        return _NOT_ASKED if self.keyring is None or self.warnings else self.keyring.get(account_sid)


def _said(exc: HubsmsError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def show_connector(
    path: Path, name: str, keyring: Keyring, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every field, the purpose, where the token would come from (never the token) and
    the keyring backend in use."""
    from hubsms.credentials import find_token
    from hubsms.keyring_choice import backend_name

    config = store.load(path)
    c = require_connector(config, name)
    warnings: list[str] = []
    try:
        found = find_token(c, keyring, environ=os.environ if environ is None else environ)
        source = found.source if found else "missing"
    except HubsmsError as exc:
        source = "missing"
        warnings.append(_said(exc))
    return {
        **fields.record(c),
        "token_source": source,
        "keyring_backend": backend_name(),
        "default": config.default_sms_connector == c.name,
        "used_by": config.uses_of(c.name),
    }, warnings


def show_settings(path: Path) -> dict[str, Any]:
    config = store.load(path)
    return {
        "config_path": str(path),
        "default_sms_connector": config.default_sms_connector,
        "plans": {p.name: p.sms_connector for p in config.plans.values()},
    }


def list_plans(path: Path) -> list[dict[str, Any]]:
    """One row per plan: its name, its SMS connector and whether that connector is active."""
    config = store.load(path)
    rows = []
    for plan in config.plans.values():
        connector = config.find(plan.sms_connector)
        rows.append({
            "name": plan.name,
            "sms_connector": plan.sms_connector,
            "connector_active": bool(connector and connector.active),
        })
    return rows
