"""The hubsms command: wires the command groups together."""


from pathlib import Path
from typing import Annotated, Optional

import typer

from hubsms import __version__
from hubsms.cli import (
    check,
    connector,
    declarative,
    doctor,
    messages,
    otp,
    params,
    plan,
    sandbox,
    settings,
    shell_scripts,
)
from hubsms.cli.common import examples
from hubsms.cli.options import command_group, option

app = command_group("Manage SigningHub's Twilio SMS-gateway connectors and send one-time passwords.")
connector.app.command("test", epilog=examples(
    'hubsms connector test "My Twilio" --to +14155552671', "hubsms connector test --all --active --json",
    "hubsms connector test --all --junit hubsms-connectors.xml",
    "hubsms connector test --all --format prometheus --output /var/lib/prometheus/node-exporter/hubsms.prom",
))(check.test_connector)
app.add_typer(connector.app, name="connector")
app.add_typer(settings.app, name="settings")
app.add_typer(plan.app, name="plan")
app.add_typer(otp.app, name="otp")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(messages.app, name="messages")
app.command("apply", epilog=declarative.APPLY_EXAMPLES)(declarative.apply)
app.command("export", epilog=declarative.EXPORT_EXAMPLES)(declarative.export)
app.command("completion", epilog=examples('eval "$(hubsms completion bash)"', "hubsms completion fish > ~/.config/fish/completions/hubsms.fish"))(
    shell_scripts.show_script
)
app.command("doctor", epilog=examples("hubsms doctor", "hubsms doctor --fix --json"))(doctor.doctor)


def _show_version(value: bool) -> None:
    if value:
        print(f"hubsms {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[Optional[Path], option(params.CONFIG, help="Config file for every command (or $HUBSMS_CONFIG).")] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback for an internal error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """hubsms: SigningHub's Twilio SMS-gateway connectors from the command line."""
    ctx.obj = {"config": config}
