"""Rendering of data for people (rich) and scripts (JSON). No typer here: the fast path
of ``hubsms.cli.fast`` uses it too."""

from __future__ import annotations

import sys
from typing import Any

from hubsms.cli.common import note, print_json, stdout_console

_LIST_COLUMNS = (
    ("name", "Name"),
    ("provider", "Provider"),
    ("purpose", "Purpose"),
    ("from", "From"),
    ("account_sid", "Account SID"),
    ("active", "Active"),
    ("default", "Default"),
    ("plans", "Plans"),
)

_MIN_WIDTH = {"name": 8, "plans": 5}
_NO_WRAP = {"from", "account_sid", "active", "default"}


def _cell(value: Any) -> Any:
    from rich.text import Text

    if isinstance(value, bool):
        return Text("yes" if value else "no", style="green" if value else "dim")
    if isinstance(value, list):
        return Text(", ".join(value))
    if isinstance(value, dict):
        return Text(", ".join(f"{key} → {item}" for key, item in value.items()))
    return Text("" if value is None else str(value))


def print_connector_list(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    if not rows:
        note("No connectors. Add one: hubsms connector add NAME --account-sid AC... --from +1... --auth-token-stdin")
        return
    if not sys.stdout.isatty():
        _print_tab_separated(rows)
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True)
    for key, title in _LIST_COLUMNS:
        table.add_column(title, no_wrap=key in _NO_WRAP, min_width=_MIN_WIDTH.get(key))
    for row in rows:
        table.add_row(*(_cell(_shown(row, key)) for key, _ in _LIST_COLUMNS))
    stdout_console().print(table)


def _shown(row: dict[str, Any], key: str) -> Any:
    """A list row's value as the table shows it: the Account SID masked (JSON has it whole)."""
    if key == "account_sid":
        from hubsms.model import mask_sid

        return mask_sid(row[key])
    return row[key]


def _print_tab_separated(rows: list[dict[str, Any]]) -> None:
    """The table for a pipe or a file: a header line, then one connector a line, the columns
    separated by tabs (as gh does). Rich's table is for a person at a terminal."""

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(value)
        return "" if value is None else str(value).replace("\t", " ")

    lines = ["\t".join(title for _, title in _LIST_COLUMNS)]
    lines += ["\t".join(text(_shown(row, key)) for key, _ in _LIST_COLUMNS) for row in rows]
    sys.stdout.write("\n".join(lines) + "\n")


def print_record(record: dict[str, Any], as_json: bool, labels: dict[str, str] | None = None) -> None:
    """One object: JSON, or a two-column table of field and value."""
    if as_json:
        print_json(record)
        return
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in record.items():
        label = (labels or {}).get(key, key.replace("_", " "))
        table.add_row(label, _cell("—" if value is None or value == [] or value == {} else value))
    stdout_console().print(table)
