"""hubsms otp send."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from hubsms.cli.common import resolve_config_path
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
    from hubsms.cli.sending import SendOptions, run_send

    run_send(SendOptions(
        to=to, connector=connector, plan=plan, length=length, code=code, message=message,
        validity=validity, dry_run=dry_run, wait=wait, timeout=timeout, json=json_,
        auth_token_stdin=auth_token_stdin, connect_timeout=connect_timeout,
        read_timeout=read_timeout, config=resolve_config_path(config, ctx),
    ))
