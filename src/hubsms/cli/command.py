"""The Click command tree of the Typer app: what runs, and what shell completion completes.
Above the app (it imports every command group), below the entry point and completion."""

from __future__ import annotations

from typing import Any

import typer.main

from hubsms.cli.app import app
from hubsms.cli.common import add_quiet_option


def build_command() -> Any:
    """The Click command of the Typer app, with ``--quiet`` on every command."""
    command = typer.main.get_command(app)
    add_quiet_option(command)
    return command
