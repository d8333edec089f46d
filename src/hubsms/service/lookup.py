"""Finding connectors and plans by name, and the rules of their use: a name is unique, only an
active connector can be used, and one in use is not taken away without ``force``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubsms import model
from hubsms.errors import (
    ConnectorInactive,
    ConnectorInUse,
    ConnectorNotFound,
    InvalidValue,
    PlanNotFound,
)
from hubsms.model import Config, Connector

if TYPE_CHECKING:  # listing needs none of the transaction's imports
    from hubsms.service.transaction import Outcome


def require_connector(config: Config, name: str) -> Connector:
    connector = config.find(name)
    if connector is None:
        known = ", ".join(f'"{n}"' for n in config.connectors) or "none yet"
        raise ConnectorNotFound(f'no connector named "{name.strip()}"', f"connectors: {known}")
    return connector


def require_active(config: Config, name: str, purpose: str) -> Connector:
    """The connector called ``name``; an inactive one cannot ``purpose``."""
    connector = require_connector(config, name)
    if not connector.active:
        raise ConnectorInactive(
            f'"{connector.name}" is inactive and cannot {purpose}',
            f'activate it first: hubsms connector activate "{connector.name}"',
        )
    return connector


def require_plan(config: Config, name: str) -> model.Plan:
    plan = config.find_plan(name)
    if plan is None:
        known = ", ".join(f'"{p}"' for p in config.plans) or "none yet"
        raise PlanNotFound(f'no service plan named "{name.strip()}"', f"plans: {known}")
    return plan


def check_unique(config: Config, name: str, ignore: str | None = None) -> None:
    existing = config.find(name)
    if existing is not None and existing.name != ignore:
        raise InvalidValue(
            "name",
            f'a connector named "{existing.name}" already exists (names are unique, ignoring case)',
            "choose another name, or change that one with 'hubsms connector edit'",
        )


def release_uses(config: Config, name: str, force: bool, action: str, outcome: Outcome) -> None:
    """Refuse to take a connector from the default and plans that use it, unless ``force``,
    which clears the default, removes those plans, and says so."""
    uses = config.uses_of(name)
    if not uses:
        return
    if not force:
        raise ConnectorInUse(
            f'cannot {action} "{name}": it is used by {", ".join(uses)}',
            "choose another connector there first, or give --force to clear the default and remove those plans",
        )
    done = []
    if config.default_sms_connector == name:
        config.default_sms_connector = None
        done.append(f"cleared Global Settings' default SMS connector (it was \"{name}\")")
    for plan_name, plan in list(config.plans.items()):
        if plan.sms_connector == name:
            del config.plans[plan_name]
            done.append(f'removed plan "{plan.name}" (it used "{name}")')
    outcome.warnings.append("; ".join(done))
