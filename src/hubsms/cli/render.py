"""Rendering of data for people (rich) and scripts (JSON). No typer here: the fast path
of ``hubsms.cli.fast`` uses it too."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from hubsms.cli.common import note, print_json, stdout_console, write_out
from hubsms.fields import LISTED_FIRST, LISTED_LATER

if TYPE_CHECKING:
    from datetime import date, datetime

# The columns of `connector list` (key, title). The default view is made for 80 columns, what
# matters first coming first (Provider and Purpose are the same for every connector today);
# --wide has every field (hubsms.fields). At a narrow terminal the default view leaves columns out from the
# right, the name never: it wraps instead.
_VIEW = (("name", "Name"), ("active", "Active"), ("from", "From"), ("used_by", "Used by"), ("token_source", "Token"))
_WIDE = (
    ("name", "Name"), *LISTED_FIRST, ("used_by", "Used by"), ("token_source", "Token"),
    # a field added since comes last, so that scripts' cut -f finds the columns above where they were
    *((field.key, field.label) for field in LISTED_LATER),
)
_FOLDED_MIN = {"name": 8, "used_by": 10}  # columns that wrap rather than lose text: their least width
_SHORT = {"provider", "purpose", "active", "token_source"}  # kept on one line, in --wide too
_GAP = 2  # the space between two columns of a table
_TOKEN_STYLE = {"missing": "red", "keyring?": "dim"}


def _cell(value: Any) -> Any:
    from rich.text import Text

    if isinstance(value, Text):
        return value
    if isinstance(value, bool):
        return Text("yes" if value else "no", style="green" if value else "dim")
    return Text("" if value is None or value == [] else _plain(value))  # user text: never markup


def print_connector_table(rows: list[dict[str, Any]], wide: bool) -> None:
    """The rows in the columns of the view. At a terminal, the default view leaves out what
    does not fit (and says so); --wide, when its table does not fit, shows one block of
    lines per connector instead of a table whose every cell would wrap."""
    view = _WIDE if wide else _VIEW
    cells = [[shown(row, key, wide) for key, _ in view] for row in rows]
    keep = list(range(len(view)))
    if sys.stdout.isatty():
        width = stdout_console().width
        if wide and table_width(_widths(view, cells, least=False)) > width:
            _print_blocks(view, cells)
            return
        keep = _fitting(view, cells, width)
    if len(keep) < len(view):
        left_out = ", ".join(view[i][1] for i in range(len(view)) if i not in keep)
        note(f"Left out at this width: {left_out} (--wide or --json shows every field).")
    columns = [_list_column(*view[i], wide) for i in keep]
    print_table(columns, [[row[i] for i in keep] for row in cells])


def _print_blocks(view: tuple[tuple[str, str], ...], cells: list[list[Any]]) -> None:
    for number, row in enumerate(cells):
        if number:
            write_out("\n")
        print_record({title: value for (_, title), value in zip(view, row)}, as_json=False)


def _list_column(key: str, title: str, wide: bool) -> Column:
    if key in _SHORT or not (wide or key in _FOLDED_MIN):
        return Column(title, no_wrap=True)
    return Column(title, overflow="fold", min_width=_FOLDED_MIN.get(key))  # wraps, never cut short


def _fitting(view: tuple[tuple[str, str], ...], cells: list[list[Any]], width: int) -> list[int]:
    """The columns of ``view`` whose least widths fit ``width``: the last ones are left out
    first; the name stays (it wraps)."""
    least = _widths(view, cells, least=True)
    keep = list(range(len(view)))
    while len(keep) > 1 and table_width([least[i] for i in keep]) > width:
        keep.pop()
    return keep


def _widths(view: tuple[tuple[str, str], ...], cells: list[list[Any]], least: bool) -> list[int]:
    """Each column's width on one line, or (``least``) the least it can have: a column that
    wraps can be narrower, down to its minimum."""
    from rich.cells import cell_len

    widths = []
    for i, (key, title) in enumerate(view):
        natural = max([cell_len(title)] + [cell_len(_plain(row[i])) for row in cells])
        widths.append(min(natural, _FOLDED_MIN[key]) if least and key in _FOLDED_MIN else natural)
    return widths


def table_width(widths: list[int]) -> int:
    """The width of a table whose columns have these widths, with the gaps between them."""
    return sum(widths) + _GAP * (len(widths) - 1)


def shown(row: dict[str, Any], key: str, wide: bool = False) -> Any:
    """A connector row's value as a table shows it. The default view shows a Messaging
    Service SID sender masked (MG…cdef: 34 characters would crowd out the rest) and the
    default and plans in one cell (:func:`uses`); --wide shows each field whole."""
    if key == "used_by":
        return uses(row)
    value = row[key]
    if key == "from" and not wide and value.startswith("MG") and len(value) == 34:
        from hubsms.model import mask_sid

        return mask_sid(value)
    if key == "token_source" and sys.stdout.isatty():  # rich is imported for a terminal only
        from rich.text import Text

        return Text(value, style=_TOKEN_STYLE.get(value, ""))
    return value


def uses(row: dict[str, Any]) -> str:
    """``default, plan Gold`` or ``plans Gold, Silver``: what uses the connector, in short
    (from the row's ``default`` and ``plans``)."""
    parts = ["default"] if row["default"] else []
    if row["plans"]:
        parts.append(("plan " if len(row["plans"]) == 1 else "plans ") + ", ".join(row["plans"]))
    return ", ".join(parts)


def short_time(moment: datetime, today: date | None = None) -> str:
    """``HH:MM:SS`` for a moment of ``today`` (default: today, UTC), else ``MM-DD HH:MM``:
    the time column of a table that fits 80 columns."""
    if today is None:
        from datetime import datetime, timezone

        today = datetime.now(timezone.utc).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%m-%d %H:%M")


class Column:
    """A table column: its title and how rich lays it out on a terminal (a class, not a
    NamedTuple: it takes rich's layout as free keyword arguments)."""

    __slots__ = ("title", "layout")

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

    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, collapse_padding=True, show_edge=False)
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
