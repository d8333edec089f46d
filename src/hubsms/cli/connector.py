"""hubsms connector: commands (being built)."""

from __future__ import annotations

import typer

app = typer.Typer(help="connector commands.", no_args_is_help=True)
