"""``connector list``, shared by the Typer command and the fast path (neither Typer nor rich
is imported to list, unless the table is drawn at a terminal)."""

from __future__ import annotations

from pathlib import Path

from hubsms.errors import UsageError


def run_list(config: Path, *, active: bool = False, inactive: bool = False, json: bool = False) -> None:
    """List the connectors (all, or only the active or the inactive ones)."""
    from hubsms.cli.render import print_connector_list
    from hubsms.service.views import list_connectors

    if active and inactive:
        raise UsageError("give --active or --inactive, not both", "leave both out to list every connector")
    only = True if active else False if inactive else None
    print_connector_list(list_connectors(config, only), json)
