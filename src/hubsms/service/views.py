"""What the read-only commands show: connector and plan rows, one connector, Global
Settings. Rows have the same keys for tables and for ``--json``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubsms import store
from hubsms.errors import HubsmsError
from hubsms.model import Config
from hubsms.service.lookup import (
    plans_by_connector,
    require_connector,
    uses_by_connector,
)

if TYPE_CHECKING:  # the keyring is imported only by the commands that use it
    from hubsms.credentials import Keyring


def connector_rows(config: Config, active: bool | None = None) -> list[dict[str, Any]]:
    """One row per connector (the same keys for the table and for --json); linear in the
    size of the config: the plans are grouped by connector once."""
    plans = plans_by_connector(config)
    uses = uses_by_connector(config)
    rows = []
    for c in config.connectors.values():
        if active is not None and c.active != active:
            continue
        rows.append({
            "name": c.name,
            "provider": c.provider_info.label,
            "purpose": c.purpose,
            "from": c.from_,
            "account_sid": c.account_sid,
            "active": c.active,
            "default": config.default_sms_connector == c.name,
            "used_by": uses.get(c.name, []),
            "plans": plans.get(c.name, []),
        })
    return rows


def list_connectors(path: Path, active: bool | None = None) -> list[dict[str, Any]]:
    return connector_rows(store.load(path), active)


def show_connector(
    path: Path, name: str, keyring: Keyring, environ: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every field, the purpose and where the token would come from (never the token)."""
    from hubsms.credentials import find_token

    config = store.load(path)
    c = require_connector(config, name)
    warnings: list[str] = []
    try:
        found = find_token(c, keyring, environ=os.environ if environ is None else environ)
        source = found.source if found else "missing"
    except HubsmsError as exc:
        source = "missing"
        warnings.append(f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    return {
        "name": c.name,
        "provider": c.provider_info.label,
        "purpose": c.purpose,
        "logo": c.logo,
        "server_address": c.server_address,
        "account_sid": c.account_sid,
        "from": c.from_,
        "active": c.active,
        "auth_token_env": c.auth_token_env,
        "token_source": source,
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
