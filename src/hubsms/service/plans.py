"""Service plans (each names its SMS connector) and Global Settings' default SMS connector:
assigning them. Only an active connector can be assigned; which connector a plan sends with is
:func:`hubsms.service.lookup.resolve_plan_connector`."""

from __future__ import annotations

from pathlib import Path

from hubsms import model, store
from hubsms.service.lookup import require_active, require_plan
from hubsms.service.transaction import Outcome, save


def plan_set(path: Path, name: str, sms_connector: str) -> tuple[model.Plan, Outcome]:
    """Assign an SMS connector to a service plan, creating the plan if it is new (an existing
    plan matched ignoring case keeps its spelling). Only an active connector can be assigned."""
    plan_name = model.validate_plan_name(name)
    with store.locked(path) as config:
        connector = require_active(config, sms_connector, "be assigned to a service plan")
        outcome = Outcome(connector=connector)
        existing = config.find_plan(plan_name)
        plan = model.Plan(existing.name if existing else plan_name, connector.name)
        if existing == plan:
            outcome.notes.append(f'plan "{plan.name}" already uses "{connector.name}"')
            return plan, outcome
        config.plans[plan.name] = plan
        save(path, config)
    return plan, outcome


def plan_remove(path: Path, name: str) -> model.Plan:
    """Remove a service plan (PlanNotFound when there is none of that name)."""
    with store.locked(path) as config:
        plan = require_plan(config, name)
        del config.plans[plan.name]
        save(path, config)
    return plan


def set_default_sms(path: Path, name: str) -> Outcome:
    """Global Settings' Default SMS Gateway: an active connector only."""
    with store.locked(path) as config:
        connector = require_active(config, name, "be the default SMS connector")
        config.default_sms_connector = connector.name
        save(path, config)
    return Outcome(connector=connector)


def clear_default_sms(path: Path) -> str | None:
    """Clear Global Settings' Default SMS Gateway; the name it had, or None when there was
    none (then nothing is written)."""
    with store.locked(path) as config:
        previous = config.default_sms_connector
        if previous is not None:
            config.default_sms_connector = None
            save(path, config)
    return previous
