"""The Click command tree of the Typer app: what runs, and what shell completion completes.
Above the app (it imports every command group), below the entry point and completion."""

from __future__ import annotations

from typing import Any

import typer.main
from typer.core import TyperOption

from hubsms.cli.app import app
from hubsms.cli.common import QUIET_FLAGS, QUIET_HELP, set_quiet


def build_command() -> Any:
    """The Click command of the Typer app, with ``--quiet`` on every command."""
    command = typer.main.get_command(app)
    add_quiet_option(command)
    return command


def add_quiet_option(command: Any) -> None:
    """Give ``command`` (a Click group from Typer) and every command under it ``--quiet``/``-q``,
    accepted wherever the command's own options are."""

    def quiet(ctx: Any, param: Any, value: bool) -> None:
        if value:
            set_quiet()

    command.params.append(
        TyperOption(param_decls=list(QUIET_FLAGS), is_flag=True, expose_value=False, callback=quiet, help=QUIET_HELP)
    )
    for sub in getattr(command, "commands", {}).values():
        add_quiet_option(sub)
