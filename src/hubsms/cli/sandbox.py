"""hubsms sandbox: run the local Twilio-compatible SMS sink and read what it captured."""


import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from hubsms.cli.common import examples, note, one_of, print_json, warn
from hubsms.cli.options import JsonOption, command_group
from hubsms.errors import InvalidValue, MissingValue, NetworkError
from hubsms.model import is_loopback

if TYPE_CHECKING:
    from hubsms.sandbox.server import SandboxServer

app = command_group("The local Twilio-compatible SMS sandbox: serve it, list messages, read OTP codes.")

TOKEN_ENV = "HUBSMS_SANDBOX_AUTH_TOKEN"

UrlOption = Annotated[
    Optional[str],
    typer.Option("--url", help="Sandbox address. Default: $HUBSMS_SANDBOX_URL, else http://127.0.0.1:8765.",
                 show_default=False),
]


def _resolve_token(env_name: str | None, from_stdin: bool) -> tuple[str | None, str]:
    """The token the server checks, and where it came from (never the token itself):
    ``--auth-token-stdin``, else ``--auth-token-env VAR``, else $HUBSMS_SANDBOX_AUTH_TOKEN, else none."""
    one_of("give the token one way only", auth_token_env=env_name, auth_token_stdin=from_stdin)
    if from_stdin:
        from hubsms.cli.common import read_token_from_stdin

        return read_token_from_stdin(), "stdin"  # at a terminal: asked without echo
    name = env_name or TOKEN_ENV
    token = os.environ.get(name, "").strip()
    if env_name and not token:
        raise MissingValue(f"${env_name} is not set or empty", f"export {env_name}=... first, or drop --auth-token-env")
    return (token, f"env:{name}") if token else (None, "none")


def _check_host(host: str, allow_remote: bool) -> None:
    if not is_loopback(host) and not allow_remote:
        raise InvalidValue(
            "host", f"{host} is not a loopback address: other machines could send to the sandbox",
            "add --allow-remote to bind it anyway, or use --host 127.0.0.1",
        )


def _load_accounts(paths: list[Path]) -> list[Any]:
    """Every ``--accounts`` file (hubsms.sandbox.accounts checks them); a bad one is exit 3."""
    from hubsms.errors import ConfigError
    from hubsms.sandbox.accounts import AccountError, load_accounts_files

    try:
        return load_accounts_files(paths)
    except AccountError as err:
        raise ConfigError(str(err), "see 'Declared accounts' in docs/sandbox.md for the format") from None


def _parse_outcomes(options: list[str]) -> dict[str, Any]:
    from hubsms.sandbox.state import BadRequest, parse_outcome_option

    outcomes = {}
    for text in options:
        try:
            number, outcome = parse_outcome_option(text)
        except BadRequest as err:
            raise InvalidValue("outcome", f"--outcome {err}", "e.g. --outcome +15557654321=undelivered:30007") from None
        outcomes[number] = outcome
    return outcomes


def _make_server(host: str, port: int, db: Optional[Path], *options: Any) -> "SandboxServer":
    import sqlite3

    from hubsms.sandbox.server import SandboxServer

    try:
        return SandboxServer(host, port, db, *options)
    except (sqlite3.Error, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InvalidValue("db", f"cannot open the message database {db}: {reason}", "give a file in a folder that exists and is writable") from None


def _bind(server: "SandboxServer", host: str, port: int) -> None:
    try:
        server.bind()
    except OSError as err:
        raise NetworkError(f"cannot listen on {host}:{port}: {err.strerror or err}",
                           "choose another --port, or --port 0 for a free one") from None


def _run(server: "SandboxServer") -> None:
    """Serve until Ctrl-C or SIGTERM; both end cleanly (exit 0)."""
    import signal

    signal.signal(signal.SIGTERM, lambda *_: server.request_stop())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    note("sandbox stopped")


@app.command(epilog=examples("hubsms sandbox serve", "hubsms sandbox serve --port 0 --accounts accounts.toml --auth-token-env SANDBOX_TOKEN"))
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 8765,
    db: Annotated[Optional[Path], typer.Option(help="SQLite file that keeps messages across restarts (default: in memory).", dir_okay=False)] = None,
    auth_token_env: Annotated[Optional[str], typer.Option("--auth-token-env", metavar="VAR", help=f"Check Basic-auth passwords against the token in this variable (default: ${TOKEN_ENV} if set; otherwise any password).")] = None,
    auth_token_stdin: Annotated[bool, typer.Option("--auth-token-stdin", help="Read the token to check from standard input.")] = False,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow a non-loopback --host.")] = False,
    status_delay: Annotated[float, typer.Option(min=0, max=3600, help="Seconds per status step queued -> sending -> sent -> delivered (0: at once).")] = 0.5,
    outcome: Annotated[Optional[list[str]], typer.Option(metavar="NUMBER=STATUS:CODE", help="Make messages to NUMBER end undelivered or failed, e.g. +15557654321=undelivered:30007. Repeatable.")] = None,
    test_account_sid: Annotated[Optional[list[str]], typer.Option("--test-account-sid", metavar="AC…", help="Treat this account's credentials as Twilio test credentials: sending works, anything else is 403 (20008). Repeatable.")] = None,
    accounts: Annotated[Optional[list[Path]], typer.Option("--accounts", metavar="FILE", dir_okay=False, help="TOML file of declared accounts that behave like real Twilio accounts (numbers, services, trial, status). Repeatable.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Log each request on stderr.")] = False,
) -> None:
    """Run the Twilio-compatible SMS sandbox until Ctrl-C or SIGTERM.

    The first line printed is 'listening on http://HOST:PORT'.
    """
    token, source = _resolve_token(auth_token_env, auth_token_stdin)
    _check_host(host, allow_remote)
    outcomes = _parse_outcomes(outcome or [])
    declared = _load_accounts(accounts or [])
    server = _make_server(host, port, db, token, status_delay, outcomes, verbose, test_account_sid or (),
                          declared, allow_remote)
    _bind(server, host, port)
    print(f"listening on {server.url}", flush=True)
    if not is_loopback(host):
        warn(f"the sandbox listens on {host}: other machines can reach it")
    note(f"Twilio API: {server.accounts_url}  page: {server.url}/  auth token: {source}"
         + (f"  declared accounts: {len(declared)}" if declared else ""))
    _run(server)


def _short_time(rfc2822: str) -> str:
    """The sandbox's RFC 2822 date (Twilio's) as the table's short UTC time; as given when
    it cannot be read."""
    from datetime import timezone
    from email.utils import parsedate_to_datetime

    from hubsms.cli.render import short_time

    try:
        return short_time(parsedate_to_datetime(rfc2822).astimezone(timezone.utc))
    except (TypeError, ValueError):
        return rfc2822


def _body_cell(body: str, code: str | None) -> Any:
    """The body with its OTP code in bold: no column of its own, so that a row fits 80 columns."""
    from rich.text import Text

    text = Text(body)
    start = body.find(code) if code else -1
    if start >= 0:
        text.stylize("bold", start, start + len(code or ""))
    return text


def _render_messages(messages: list[dict[str, Any]]) -> None:
    from hubsms.cli.render import Column, print_table

    # Everything but the body is short and read whole; the body takes the rest and folds.
    columns = [Column(title, no_wrap=True) for title in ("UTC", "To", "From", "Status")]
    columns.append(Column("Body", overflow="fold", ratio=1))
    rows = []
    for m in messages:
        status = m["status"] + (f" {m['error_code']}" if m.get("error_code") else "")
        sender = m.get("from") or m.get("messaging_service_sid")
        rows.append([_short_time(m["date_created"]), m["to"], sender, status, _body_cell(m["body"], m.get("code"))])
    print_table(columns, rows)


@app.command(epilog=examples("hubsms sandbox messages", "hubsms sandbox messages --to +15005550006 --json"))
def messages(
    to: Annotated[Optional[str], typer.Option("--to", help="Only messages to this number.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many, newest first.")] = 100,
    json_output: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """List the messages the sandbox captured, newest first."""
    from hubsms.sandbox.client import list_messages, resolve_url

    found = list_messages(resolve_url(url), to, limit)
    if json_output:
        print_json({"messages": found})
    elif not found:
        note("no messages captured" + (f" for {to}" if to else ""))
    else:
        _render_messages(found)


@app.command(epilog=examples("hubsms sandbox otp --to +15005550006 --wait 10"))
def otp(
    to: Annotated[str, typer.Option("--to", help="The number the OTP was sent to.")],
    wait: Annotated[float, typer.Option(min=0, max=3600, help="Seconds to wait for one to arrive.")] = 0.0,
    after: Annotated[Optional[str], typer.Option("--after", metavar="SID", help="Only a code newer than this message (e.g. the one a previous run printed).")] = None,
    url: UrlOption = None,
) -> None:
    """Print the newest OTP code sent to a number (only the code, on stdout).

    Exit 3 when none arrived in time.
    """
    from hubsms.sandbox.client import checked_number, resolve_url, wait_for_otp

    found = wait_for_otp(resolve_url(url), checked_number(to), wait, after)
    sys.stdout.write(found["code"] + "\n")


@app.command(epilog=examples("hubsms sandbox clear", "hubsms sandbox clear --to +15005550006"))
def clear(
    to: Annotated[Optional[str], typer.Option("--to", help="Only the messages to this number.")] = None,
    json_output: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """Delete the messages the sandbox captured (all, or those to one number)."""
    from hubsms.sandbox.client import checked_number, clear_messages, resolve_url

    deleted = clear_messages(resolve_url(url), checked_number(to) if to else None)
    if json_output:
        print_json({"deleted": deleted})
    else:
        note(f"deleted {deleted} message{'' if deleted == 1 else 's'}" + (f" to {to}" if to else ""))

