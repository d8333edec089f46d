"""Options shared by many commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

ConfigOption = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        help="Config file. Default: $HUBSMS_CONFIG, else the per-user hubsms folder.",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (stable keys) on stdout for scripts.")
]
NoInputOption = Annotated[
    bool,
    typer.Option("--no-input", help="Never prompt; a missing value is an error naming its flag."),
]


def command_group(help: str) -> typer.Typer:
    """A Typer group with hubsms's settings: plain help and usage errors (fast, and one
    error line with a hint), -h as --help, no pretty tracebacks."""
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
