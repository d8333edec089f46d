"""hubsms sandbox: commands (being built)."""

from __future__ import annotations

import typer

from hubsms.cli.options import command_group

app = command_group("sandbox commands.")
