"""Rendering of data for people (rich) and scripts (JSON). No typer here: the fast path
of ``hubsms.cli.fast`` uses it too."""

from __future__ import annotations

import sys
from typing import Any

from hubsms.cli.common import note, print_json, stdout_console, write_out

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

    if isinstance(value, Text):
        return value
    if isinstance(value, bool):
        return Text("yes" if value else "no", style="green" if value else "dim")
    return Text("" if value is None or value == [] else _plain(value))  # user text: never markup


def print_connector_list(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    if not rows:
        note("No connectors. Add one: hubsms connector add NAME --account-sid AC... --from +1... --auth-token-stdin")
        return
    columns = [Column(title, no_wrap=key in _NO_WRAP, min_width=_MIN_WIDTH.get(key)) for key, title in _LIST_COLUMNS]
    print_table(columns, [[_shown(row, key) for key, _ in _LIST_COLUMNS] for row in rows])


def _shown(row: dict[str, Any], key: str) -> Any:
    """A list row's value as the table shows it: the Account SID masked (JSON has it whole)."""
    if key == "account_sid":
        from hubsms.model import mask_sid

        return mask_sid(row[key])
    return row[key]


class Column:
    """A table column: its title and how rich lays it out on a terminal."""

    def __init__(self, title: str, **layout: Any) -> None:
        self.title = title
        self.layout = {k: v for k, v in layout.items() if v is not None}


def print_table(columns: list[Column], rows: list[list[Any]]) -> None:
    """Rows for people: a rich table on a terminal; piped or in a file, a header line and one
    row a line, the columns separated by tabs (as gh does), for grep, cut and awk."""
    if not sys.stdout.isatty():
        _print_tab_separated(columns, rows)
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True)
    for column in columns:
        table.add_column(column.title, **column.layout)
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    stdout_console().print(table)


def _print_tab_separated(columns: list[Column], rows: list[list[Any]]) -> None:
    def text(value: Any) -> str:
        return "" if value is None or value == [] else " ".join(_plain(value).split("\t")).replace("\n", "; ")

    lines = ["\t".join(column.title for column in columns)]
    lines += ["\t".join(text(value) for value in row) for row in rows]
    write_out("\n".join(lines) + "\n")


def print_record(record: dict[str, Any], as_json: bool, labels: dict[str, str] | None = None) -> None:
    """One object: JSON, or one line per field, the values aligned."""
    if as_json:
        print_json(record)
        return
    names = {key: (labels or {}).get(key, key.replace("_", " ")) for key in record}
    width = max(len(name) for name in names.values())
    lines = [f"{names[key].ljust(width)}  {_plain(value)}".rstrip() for key, value in record.items()]
    write_out("\n".join(lines) + "\n")


def _plain(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    return str(value)
