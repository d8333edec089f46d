"""Sending an OTP from the command line: shared by the Typer command (``hubsms.cli.otp``) and
the fast path (``hubsms.cli.fast``), so neither Typer nor rich is imported to send one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NamedTuple, Optional

from hubsms.cli.common import note, print_json, report


class SendOptions(NamedTuple):
    """The options of ``hubsms otp send``, as parsed."""

    to: str
    config: Path
    connector: Optional[str] = None
    plan: Optional[str] = None
    length: int = 6
    code: Optional[str] = None
    message: Optional[str] = None
    validity: Optional[int] = None
    dry_run: bool = False
    wait: bool = False
    timeout: float = 60.0
    json: bool = False
    auth_token_stdin: bool = False
    connect_timeout: Optional[float] = None
    read_timeout: Optional[float] = None


def run_send(options: SendOptions) -> None:
    """Resolve, check and send (or show, for a dry run); with ``wait``, follow the message
    to a final status. Raises HubsmsError for anything the user can fix."""
    from hubsms import service
    from hubsms.credentials import Keyring

    if options.connector is not None and options.plan is not None:
        from hubsms.errors import UsageError

        raise UsageError("give --connector or --plan, not both", "--connector names a connector; --plan uses a plan's connector")
    prepared = service.prepare_otp(
        options.config, Keyring(), to=options.to, connector=options.connector, plan=options.plan,
        length=options.length, code=options.code, template=options.message, validity=options.validity,
        stdin_token=stdin_token(options.auth_token_stdin),
    )
    report(prepared.warnings)
    if options.dry_run:
        _show_dry_run(prepared, options.json)
        return
    limits = service.choose_timeouts(options.connect_timeout, options.read_timeout)
    wait_for = service.check_seconds(options.timeout, "--timeout", service.MAX_WAIT_SECONDS) if options.wait else None
    with service.make_client(prepared.connector, prepared.token, limits, on_retry=note) as client:
        sent = service.send_otp(prepared, client)
        final = _follow(client, prepared, sent, wait_for, options.json) if wait_for else sent
    _show_sent(prepared, final, options.json)
    if wait_for:
        service.check_final(final, wait_for)


def _follow(client: Any, prepared: Any, sent: dict[str, Any], timeout: float, quiet: bool) -> dict[str, Any]:
    """Wait for a final status. If following fails, the message was still sent: show it,
    and say so in the error, so that nobody sends a second OTP to find out."""
    from hubsms.errors import HubsmsError

    try:
        return _wait(client, sent, timeout, quiet)
    except HubsmsError as err:
        _show_sent(prepared, sent, quiet)
        err.message = f"message {sent.get('sid')} was sent ({sent.get('status')}), but following it failed: {err.message}"
        raise
    except KeyboardInterrupt:
        _show_sent(prepared, sent, quiet)
        sys.stderr.write(f"\nmessage {sent.get('sid')} was sent; stopped waiting for its delivery\n")
        raise


def stdin_token(flag: bool) -> Optional[str]:
    from hubsms.credentials import read_token_stream

    return read_token_stream(sys.stdin) if flag else None


def _show_dry_run(prepared: Any, as_json: bool) -> None:
    auth = f"{prepared.connector.account_sid}:<hidden>"
    record = {
        "dry_run": True,
        "connector": prepared.connector.name,
        "method": "POST",
        "url": prepared.url,
        "auth": auth,
        "token_source": prepared.token.source,
        "form": prepared.form(),
        "to": prepared.to,
        "code": prepared.code,
    }
    if as_json:
        print_json(record)
        return
    from urllib.parse import urlencode

    print(f"POST {prepared.url}")
    print(f"Authorization: Basic {auth}  (token from {prepared.token.source})")
    print("Content-Type: application/x-www-form-urlencoded")
    print()
    print(urlencode(prepared.form()))
    note(f'Dry run: nothing sent (connector "{prepared.connector.name}", code {prepared.code}).')


def _wait(client: Any, sent: dict[str, Any], timeout: float, quiet: bool) -> dict[str, Any]:
    """Poll until a final status, with a spinner on a terminal."""
    from hubsms import service

    if quiet or not sys.stderr.isatty():
        return service.follow_message(client, sent["sid"], timeout)
    from rich.console import Console

    console = Console(stderr=True, emoji=False)
    with console.status(f"waiting for delivery of {sent['sid']} ({sent.get('status')})") as status:
        return service.follow_message(
            client, sent["sid"], timeout,
            on_status=lambda value, _m: status.update(f"waiting for delivery of {sent['sid']} ({value})"),
        )


def _show_sent(prepared: Any, message: dict[str, Any], as_json: bool) -> None:
    record = {
        "sid": message.get("sid"),
        "status": message.get("status"),
        "connector": prepared.connector.name,
        "to": prepared.to,
        "code": prepared.code,
    }
    if message.get("error_code") is not None:
        record["error_code"] = message["error_code"]
    if as_json:
        print_json(record)
        return
    from hubsms.cli.render import print_record

    print_record(record, False, labels={"sid": "message"})


