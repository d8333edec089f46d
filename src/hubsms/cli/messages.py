"""hubsms messages: what a connector's account sent, and why a message was not delivered."""


import sys
from typing import TYPE_CHECKING, Annotated, Any, Final, Optional

import typer

from hubsms.cli import params
from hubsms.cli.common import (
    examples,
    note,
    print_json,
    report,
    read_config_path,
    twilio_access,
    write_out,
)
from hubsms.cli.options import (
    ConfigOption,
    ConnectTimeoutOption,
    JsonOption,
    ReadTimeoutOption,
    ShowBodyOption,
    TokenStdinOption,
    command_group,
    option,
)
from hubsms.twilio.limits import (
    DEFAULT_LIMIT,
    DEFAULT_PAGE_SIZE,
    MAX_LIMIT,
    MAX_PAGE_SIZE,
)

if TYPE_CHECKING:
    from hubsms.service.messages import MessageList

app = command_group("Look up sent messages and why one was not delivered.")

ConnectorOption = Annotated[Optional[str], option(
    params.CONNECTOR, help="Connector whose account to search, active or not (default: the default SMS connector).",
)]


@app.command("list", epilog=examples(
    "hubsms messages list --to +447700900123 --status failed,undelivered --since 24h",
    'hubsms messages list --connector "My Twilio" --limit 50 --json',
))
def list_(
    ctx: typer.Context,
    connector: ConnectorOption = None,
    to: Annotated[Optional[str], option(params.TO, help="Only messages to this number.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar="WHEN", help="Only messages sent since: 30m, 24h, 7d, or a UTC date or time (2024-05-01, 2024-05-01T09:30:00Z).", show_default=False)] = None,
    status: Annotated[Optional[str], typer.Option("--status", metavar="LIST", help="Only these statuses, comma-separated, e.g. failed,undelivered.", show_default=False)] = None,
    limit: Annotated[int, option(params.LIMIT, help=f"At most this many, newest first (1-{MAX_LIMIT}).", default=DEFAULT_LIMIT)] = DEFAULT_LIMIT,
    page_size: Annotated[int, typer.Option("--page-size", metavar="N", help=f"Messages asked of Twilio per request (1-{MAX_PAGE_SIZE}).")] = DEFAULT_PAGE_SIZE,
    show_body: ShowBodyOption = False,
    json_: JsonOption = False,
    auth_token_stdin: TokenStdinOption = False,
    connect_timeout: ConnectTimeoutOption = None,
    read_timeout: ReadTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """List a connector's sent messages, newest first; each failure's code in words."""
    from hubsms.credentials import Keyring
    from hubsms.service.messages import ListQuery, list_messages

    token, limits = twilio_access(auth_token_stdin, connect_timeout, read_timeout)
    query = ListQuery(connector, to, since, status, limit, page_size, show_body)
    found = list_messages(read_config_path(config, ctx), Keyring(), query, stdin_token=token, limits=limits)
    report(found.warnings)
    _show_list(found, json_)


@app.command("show", epilog=examples("hubsms messages show SM0123456789abcdef0123456789abcdef"))
def show(
    ctx: typer.Context,
    sid: Annotated[str, typer.Argument(metavar="SID", help="The message SID (SM... or MM...).", show_default=False)],
    connector: ConnectorOption = None,
    show_body: ShowBodyOption = False,
    json_: JsonOption = False,
    auth_token_stdin: TokenStdinOption = False,
    connect_timeout: ConnectTimeoutOption = None,
    read_timeout: ReadTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Show one message: every field Twilio keeps, its times, and a failure's code in words."""
    from hubsms.credentials import Keyring
    from hubsms.service.messages import show_message

    token, limits = twilio_access(auth_token_stdin, connect_timeout, read_timeout)
    message = show_message(
        read_config_path(config, ctx), Keyring(), sid, connector=connector, stdin_token=token, limits=limits,
        show_body=show_body,
    )
    if json_:
        print_json(message)
    else:
        _show_record(message)


def _show_list(found: "MessageList", as_json: bool) -> None:
    if as_json:
        print_json({
            "connector": found.connector.name, "messages": found.messages,
            "pages": found.pages, "scanned": found.scanned, "truncated": found.truncated,
        })
    elif found.messages:
        _print_messages(found.messages)
    else:
        note(f'no messages found (account of "{found.connector.name}")')
    if found.truncated and not as_json:
        note(f"stopped after {found.pages} pages ({found.scanned} messages read): older ones may match; "
             "narrow the search with --to or --since")


# The least width the Body column is shown with at a terminal; narrower, it is left out.
BODY_MIN: Final = 16


def _print_messages(rows: list[dict[str, Any]]) -> None:
    """At a terminal: a table that fits the width (80 columns and up), each SID whole, since
    ``messages show SID`` takes it; the Body column when there is room for it, else a line on
    stderr says it was left out. Then each error code explained once. Piped: one tab-separated
    line a message (UTC, To, Status, Body, SID, Explanation)."""
    from hubsms.cli.render import Column, print_table

    cells = [_row(row) for row in rows]
    if not sys.stdout.isatty():
        columns = [Column(title) for title in ("UTC", "To", "Status", "Body", "SID", "Explanation")]
        print_table(columns, [[*row, _explanation(message)] for row, message in zip(cells, rows)])
        return
    columns = [Column("UTC", no_wrap=True), Column("To", no_wrap=True), Column("Status", overflow="fold"),
               Column("SID", no_wrap=True, min_width=len(rows[0]["sid"] or ""))]
    shown = [[row[0], row[1], row[2], row[4]] for row in cells]
    if _room_for_body(shown):
        columns.append(Column("Body", overflow="fold", ratio=1))
        shown = [[*short, row[3]] for short, row in zip(shown, cells)]
    else:
        note("Left out at this width: Body (messages show SID or --json shows it).")
    print_table(columns, shown)
    _print_legend(rows)


def _room_for_body(shown: list[list[Any]]) -> bool:
    """Whether the terminal leaves BODY_MIN columns beside the others, at their natural width."""
    from rich.cells import cell_len

    from hubsms.cli.common import stdout_console
    from hubsms.cli.render import table_width

    widths = [max(cell_len(str(row[i] or "")) for row in shown) for i in range(len(shown[0]))]
    widths = [max(width, len(title)) for width, title in zip(widths, ("UTC", "To", "Status", "SID"))]
    return table_width([*widths, BODY_MIN]) <= stdout_console().width


def _row(row: dict[str, Any]) -> list[Any]:
    """UTC, To, Status (with the error code), Body and SID."""
    status = row["status"] + (f" {row['error_code']}" if row["error_code"] is not None else "")
    return [_short_time(row["date_sent"] or row["date_created"]), row["to"], status, row["body"], row["sid"]]


def _explanation(row: dict[str, Any]) -> str | None:
    if row["error_explained"] is None:
        return None
    return f"{row['error_explained']}; what to do: {row['advice']}"


def _print_legend(rows: list[dict[str, Any]]) -> None:
    seen: dict[Any, dict[str, Any]] = {}
    for row in rows:
        if row["error_explained"] is not None:
            seen.setdefault(row["error_code"], row)
    if not seen:
        return
    import shutil
    import textwrap

    width = min(shutil.get_terminal_size().columns, 100)
    lines = ["", "What the error codes mean:"]
    for row in seen.values():
        lines += textwrap.wrap(row["error_explained"], width, initial_indent="- ", subsequent_indent="  ")
        lines += textwrap.wrap(row["advice"], width, initial_indent="  what to do: ", subsequent_indent="  ")
    write_out("\n".join(lines) + "\n")


def _short_time(iso: str | None) -> str:
    """A message's UTC time (``2024-05-01T09:30:00Z``, as the service gives it) as the
    table's short time; as given when it is not one."""
    from datetime import datetime

    from hubsms.cli.render import short_time

    try:
        return short_time(datetime.strptime(iso or "", "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return iso or "—"


def _show_record(message: dict[str, Any]) -> None:
    from hubsms.cli.render import print_record

    shown = {key: message[key] for key in _RECORD_KEYS if message.get(key) is not None or key in _ALWAYS}
    print_record(shown, False, labels=_LABELS)
    steps = [f"  {step['at'] or '—'}  {step['event']}" for step in message["history"]]
    write_out("history (Twilio keeps these times and the final status, not each step):\n" + "\n".join(steps) + "\n")


_RECORD_KEYS = (
    "sid", "connector", "direction", "from", "messaging_service_sid", "to", "status", "error_code",
    "error_message", "error_explained", "advice", "date_created", "date_sent", "date_updated",
    "num_segments", "num_media", "price", "price_unit", "body",
)
_ALWAYS = frozenset({"sid", "to", "status", "date_created", "date_sent", "date_updated", "price", "body"})
_LABELS = {
    "sid": "message", "messaging_service_sid": "messaging service", "error_code": "error code",
    "error_message": "Twilio says", "error_explained": "meaning", "advice": "what to do",
    "date_created": "created at", "date_sent": "sent at", "date_updated": "last update",
    "num_segments": "segments", "num_media": "media", "price_unit": "currency",
}
