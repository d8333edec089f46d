"""``connector list``, shared by the Typer command and the fast path (neither Typer nor rich
is imported to list, unless the table is drawn at a terminal)."""

from __future__ import annotations

from pathlib import Path

from hubsms.cli.common import active_choice


def run_list(config: Path, *, active: bool = False, inactive: bool = False, wide: bool = False, json: bool = False) -> None:
    """List the connectors (all, or only the active or the inactive ones)."""
    from hubsms.cli.render import run_connector_list

    only = active_choice(active, inactive, "leave both out to list every connector")
    run_connector_list(config, only, json, wide)
