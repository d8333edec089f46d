"""hubsms otp send."""


from typing import Annotated, Optional

import typer

from hubsms.cli.common import examples, read_config_path
from hubsms.cli.options import (
    ConfigOption,
    ConnectTimeoutOption,
    JsonOption,
    ReadTimeoutOption,
    TokenStdinOption,
    command_group,
    options_of,
)
from hubsms.cli.params import SEND

app = command_group("Send one-time passwords by SMS.")

# The options of params.SEND by flag (the fast path parses the same definitions).
OPTION = options_of(SEND)


@app.command("send", epilog=examples(
    "hubsms otp send --to +14155552671",
    "hubsms otp send --to +14155552671 --plan Enterprise --wait --json",
))
def send(
    ctx: typer.Context,
    to: Annotated[str, OPTION["--to"]],
    connector: Annotated[Optional[str], OPTION["--connector"]] = None,
    plan: Annotated[Optional[str], OPTION["--plan"]] = None,
    length: Annotated[int, OPTION["--length"]] = 6,
    code: Annotated[Optional[str], OPTION["--code"]] = None,
    message: Annotated[Optional[str], OPTION["--message"]] = None,
    validity: Annotated[Optional[int], OPTION["--validity"]] = None,
    dry_run: Annotated[bool, OPTION["--dry-run"]] = False,
    wait: Annotated[bool, OPTION["--wait"]] = False,
    timeout: Annotated[float, OPTION["--timeout"]] = 60.0,
    json_: JsonOption = False,
    auth_token_stdin: TokenStdinOption = False,
    connect_timeout: ConnectTimeoutOption = None,
    read_timeout: ReadTimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Send a one-time password by SMS, as SigningHub does."""
    from hubsms.cli.sending import run_send

    run_send(
        read_config_path(config, ctx), to=to, connector=connector, plan=plan, length=length, code=code,
        message=message, validity=validity, dry_run=dry_run, wait=wait, timeout=timeout, json=json_,
        auth_token_stdin=auth_token_stdin, connect_timeout=connect_timeout, read_timeout=read_timeout,
    )
