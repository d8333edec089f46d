"""The hubsms command: wires the command groups together."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from hubsms import __version__
from hubsms.cli import connector, otp, sandbox, settings
from hubsms.cli.common import DEBUG_ENV

app = typer.Typer(
    name="hubsms",
    help="Manage SigningHub's Twilio SMS-gateway connectors and send one-time passwords.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(connector.app, name="connector")
app.add_typer(settings.app, name="settings")
app.add_typer(otp.app, name="otp")
app.add_typer(sandbox.app, name="sandbox")


def _show_version(value: bool) -> None:
    if value:
        print(f"hubsms {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            help="Config file for every command (or $HUBSMS_CONFIG).",
            show_default=False,
            dir_okay=False,
        ),
    ] = None,
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


def main(argv: list[str] | None = None) -> None:
    """Console entry point: the fast path for hot read-only commands, else the Typer app."""
    args = sys.argv[1:] if argv is None else argv
    from hubsms.cli import fast

    code = fast.try_run(args)
    if code is not None:
        sys.exit(code)
    try:
        app(args=args, prog_name="hubsms")
    except Exception as exc:  # a bug: one line unless --debug
        if "--debug" in args or os.environ.get(DEBUG_ENV):
            raise
        sys.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc}\n"
            "hint: run again with --debug for the traceback, and report it\n"
        )
        sys.exit(1)
