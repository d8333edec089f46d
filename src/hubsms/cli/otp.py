"""hubsms otp send, and hubsms connector test (registered on the connector group)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hubsms.cli.common import note, resolve_config_path
from hubsms.cli import params
from hubsms.cli.options import ConfigOption, JsonOption, command_group, typer_annotation, typer_params

app = command_group("Send one-time passwords by SMS.")

TokenStdinOption = typer_annotation(params.TOKEN_STDIN)
ConnectTimeoutOption = typer_annotation(params.CONNECT_TIMEOUT)
ReadTimeoutOption = typer_annotation(params.READ_TIMEOUT)


@app.command("send")
@typer_params(params.SEND)
def send(ctx: typer.Context, config: ConfigOption = None, **options: Any) -> None:
    """Send a one-time password by SMS, as SigningHub does."""
    from hubsms.cli.sending import run_send

    run_send(resolve_config_path(config, ctx), **options)


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
    from hubsms.cli.render import print_record
    from hubsms.cli.sending import stdin_token
    from hubsms.credentials import Keyring
    from hubsms.service import checks
    from hubsms.service.sending import Limits

    result = checks.check_connector(
        resolve_config_path(config, ctx), name, Keyring(),
        stdin_token=stdin_token(auth_token_stdin), limits=Limits(connect_timeout, read_timeout),
    )
    print_record(result, json_)
    if result["test_credentials"] and not json_:
        note("These are Twilio test credentials: they are valid, but they can only send "
             "(Twilio answers 20008 to anything else). Try: hubsms otp send --to +15005550006")
    elif not json_:
        note(f'Credentials of "{result["connector"]}" accepted.')
