"""Finding connectors and plans by name, and the rules of their use: a name is unique, only an
active connector can be used, and one in use is not taken away without ``force``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from hubsms import model
from hubsms.errors import (
    ConnectorInactive,
    ConnectorInUse,
    ConnectorNotFound,
    InvalidValue,
    PlanNotFound,
)
from hubsms.model import Config, Connector
from hubsms.names import name_key

if TYPE_CHECKING:  # listing needs none of the transaction's imports
    from hubsms.service.transaction import Outcome


# The most names a "not found" hint suggests: a config of thousands must not print them all.
MAX_SUGGESTIONS: Final = 5


def close_names(name: str, names: Iterable[str]) -> list[str]:
    """Up to MAX_SUGGESTIONS of ``names`` closest to ``name`` (difflib's ratio of at least 0.6, compared
    as names are: ignoring case and Unicode normalisation), closest first."""
    import difflib

    by_key: dict[str, str] = {}
    for known in names:
        by_key.setdefault(name_key(known), known)
    return [by_key[key] for key in difflib.get_close_matches(name_key(name), by_key, n=MAX_SUGGESTIONS)]


def not_found_hint(name: str, names: Iterable[str], kind: str, list_command: str, add_command: str) -> str:
    """Where to look when no ``kind`` has that name: up to five close names and the command
    that lists them all; every name when there are five at most and none is close; how to
    add the first when there is none."""
    names = list(names)
    if not names:
        return f"there are no {kind}s yet; add one: {add_command}"
    close = close_names(name, names)
    if not close and len(names) <= MAX_SUGGESTIONS:  # a few: name them all
        return f"{kind}s: " + ", ".join(f'"{n}"' for n in names)
    every = f"{list_command} lists all {len(names)}" if len(names) > 1 else f"{list_command} lists it"
    if not close:
        return f"no {kind} has a name close to it; {every}"
    return "did you mean " + ", ".join(f'"{n}"' for n in close) + f"? {every}"


def require_connector(config: Config, name: str) -> Connector:
    connector = config.find(name)
    if connector is None:
        raise ConnectorNotFound(f'no connector named "{name.strip()}"', not_found_hint(
            name, config.connectors, "connector", "hubsms connector list",
            "hubsms connector add NAME --account-sid AC... --from +1... --auth-token-stdin"))
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
        raise PlanNotFound(f'no service plan named "{name.strip()}"', not_found_hint(
            name, config.plans, "service plan", "hubsms plan list", "hubsms plan set PLAN --sms-connector NAME"))
    return plan


def resolve_plan_connector(config: Config, plan_name: str) -> Connector:
    """The SMS connector of a service plan (name compared ignoring case). It must be active:
    a hand-edited file could assign an inactive one."""
    plan = require_plan(config, plan_name)
    connector = require_connector(config, plan.sms_connector)
    if not connector.active:
        raise ConnectorInactive(
            f'plan "{plan.name}" uses connector "{connector.name}", which is inactive',
            f'activate it (hubsms connector activate "{connector.name}") or assign another: '
            f'hubsms plan set "{plan.name}" --sms-connector NAME',
        )
    return connector


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
