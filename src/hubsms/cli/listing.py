"""``connector list``, shared by the Typer command and the fast path (neither Typer nor rich
is imported to list, unless the table is drawn at a terminal)."""

from __future__ import annotations

from pathlib import Path

from hubsms.cli.common import active_choice, missing_config, note, print_json, warn


def run_list(config: Path, *, active: bool = False, inactive: bool = False, wide: bool = False, json: bool = False) -> None:
    """List the connectors (all, or only the active or the inactive ones). Only --wide asks
    the keyring (importing it costs more than the whole listing); else ``keyring?``."""
    from hubsms.service import views

    only = active_choice(active, inactive, "leave both out to list every connector")
    keyring = None
    if wide:
        from hubsms.credentials import Keyring

        keyring = Keyring()
    listing = views.connector_listing(config, only, keyring)
    for text in listing.warnings:
        warn(text)
    if json:
        print_json(listing.rows)
    elif not listing.rows:
        note(_nothing_to_list(listing.path, listing.file_exists, only))
    else:
        from hubsms.cli.render import print_connector_table

        print_connector_table(listing.rows, wide)


def _nothing_to_list(path: Path, file_exists: bool, active: bool | None) -> str:
    """Which file was read (and, when it does not exist, what chose it), so that a mistyped
    HUBSMS_CONFIG or --config shows."""
    if active is not None and file_exists:
        return f"No {'active' if active else 'inactive'} connectors in {path}."
    where = f" in {path}" if file_exists else f": {missing_config(path)}"
    return f"No connectors{where}. Add one: hubsms connector add NAME --account-sid AC... --from +1... --auth-token-stdin"
