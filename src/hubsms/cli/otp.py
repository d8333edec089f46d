"""hubsms otp send, and hubsms connector test (registered on the connector group)."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer

from hubsms.cli.common import note, print_json, resolve_config_path, user_errors, warn
from hubsms.cli.options import ConfigOption, JsonOption, command_group

app = command_group("Send one-time passwords by SMS.")

TokenStdinOption = Annotated[
    bool, typer.Option("--auth-token-stdin", help="Read the auth token from stdin for this command only.")
]
ConnectTimeoutOption = Annotated[
    Optional[float],
    typer.Option("--connect-timeout", min=0.001, help="Seconds to wait for a connection (default 5, or $HUBSMS_TIMEOUT).", show_default=False),
]
ReadTimeoutOption = Annotated[
    Optional[float],
    typer.Option("--read-timeout", min=0.001, help="Seconds to wait for an answer (default 15, or $HUBSMS_TIMEOUT).", show_default=False),
]


def _timeouts(connect: Optional[float], read: Optional[float]) -> Optional[tuple[float, float]]:
    if connect is None and read is None:
        return None
    from hubsms.twilio_client import timeouts_from_env

    default_connect, default_read = timeouts_from_env()
    return (connect or default_connect, read or default_read)


def _stdin_token(flag: bool) -> Optional[str]:
    from hubsms.credentials import read_token_stream

    return read_token_stream(sys.stdin) if flag else None


@app.command("send")
def send(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="The phone number, E.164 (+ or 00 and the country code).", show_default=False)],
    connector: Annotated[Optional[str], typer.Option("--connector", help="Connector to send with (default: the plan's, else the default SMS connector).", show_default=False)] = None,
    plan: Annotated[Optional[str], typer.Option("--plan", help="Send with this service plan's SMS connector.", show_default=False)] = None,
    length: Annotated[int, typer.Option("--length", help="Digits in a generated code: 4, 6 or 9.")] = 6,
    code: Annotated[Optional[str], typer.Option("--code", help="Send this code instead of a generated one (4-10 digits).", show_default=False)] = None,
    message: Annotated[Optional[str], typer.Option("--message", metavar="TEMPLATE", help="Message text with {code} (and {minutes} or {validity}).", show_default=False)] = None,
    validity: Annotated[Optional[int], typer.Option("--validity", metavar="SECONDS", help="How long the code is valid; sent as Twilio's ValidityPeriod.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Resolve and check everything, show the request (token hidden), send nothing.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for a final status; exit 7 when it is failed or undelivered.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds --wait waits for a final status.")] = 60.0,
    json_: JsonOption = False,
    auth_token_stdin: TokenStdinOption = False,
    connect_timeout: ConnectTimeoutOption = None,
    read_timeout: ReadTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Send a one-time password by SMS, as SigningHub does."""
    from hubsms import service
    from hubsms.credentials import Keyring

    with user_errors():
        if connector is not None and plan is not None:
            from hubsms.errors import MissingValue

            raise MissingValue("give --connector or --plan, not both", "--connector names a connector; --plan uses a plan's connector")
        prepared = service.prepare_otp(
            resolve_config_path(config, ctx), Keyring(), to=to, connector=connector, plan=plan,
            length=length, code=code, template=message, validity=validity,
            stdin_token=_stdin_token(auth_token_stdin),
        )
        for text in prepared.warnings:
            warn(text)
        if dry_run:
            _show_dry_run(prepared, json_)
            return
        with service.make_client(prepared.connector, prepared.token, _timeouts(connect_timeout, read_timeout)) as client:
            sent = service.send_otp(prepared, client)
            final = _wait(client, sent, timeout, json_) if wait else sent
        _show_sent(prepared, final, json_)
        if wait:
            _check_final(final, timeout)


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
    if quiet or not sys.stderr.isatty():
        return client.wait_for_final_status(sent["sid"], timeout=timeout)
    from rich.console import Console

    console = Console(stderr=True, emoji=False)
    with console.status(f"waiting for delivery of {sent['sid']} ({sent.get('status')})") as status:
        return client.wait_for_final_status(
            sent["sid"], timeout=timeout,
            on_status=lambda value, _m: status.update(f"waiting for delivery of {sent['sid']} ({value})"),
        )


def _check_final(message: dict[str, Any], timeout: float) -> None:
    from hubsms.errors import NetworkError
    from hubsms.twilio_client import FINAL_STATUSES, check_delivery

    check_delivery(message)
    if message.get("status") not in FINAL_STATUSES:
        raise NetworkError(
            f"no final status within {timeout:g} s (last: {message.get('status')})",
            "the message may still arrive; wait longer with --timeout, or look it up by its SID",
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


def test_connector(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The connector to check.", show_default=False)],
    json_: JsonOption = False,
    auth_token_stdin: TokenStdinOption = False,
    connect_timeout: ConnectTimeoutOption = None,
    read_timeout: ReadTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Check a connector's credentials: fetch its Twilio account."""
    from hubsms import service
    from hubsms.cli.render import print_record
    from hubsms.credentials import Keyring

    with user_errors():
        result = service.check_connector(
            resolve_config_path(config, ctx), name, Keyring(),
            stdin_token=_stdin_token(auth_token_stdin), timeouts=_timeouts(connect_timeout, read_timeout),
        )
        print_record(result, json_)
        if result["test_credentials"] and not json_:
            note("These are Twilio test credentials: they are valid, but they can only send "
                 "(Twilio answers 20008 to anything else). Try: hubsms otp send --to +15005550006")
        elif not json_:
            note(f'Credentials of "{result["connector"]}" accepted.')
