"""hubsms otp send."""


from typing import Any

import typer

from hubsms.cli import params
from hubsms.cli.common import examples, resolve_config_path
from hubsms.cli.options import ConfigOption, command_group, typer_params

app = command_group("Send one-time passwords by SMS.")

@app.command("send", epilog=examples(
    "hubsms otp send --to +14155552671",
    "hubsms otp send --to +14155552671 --plan Enterprise --wait --json",
))
@typer_params(params.SEND)
def send(ctx: typer.Context, config: ConfigOption = None, **options: Any) -> None:
    """Send a one-time password by SMS, as SigningHub does."""
    from hubsms.cli.sending import run_send

    run_send(resolve_config_path(config, ctx), **options)
