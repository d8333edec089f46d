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
        dir_okay=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (stable keys) on stdout for scripts.")
]
NoInputOption = Annotated[
    bool,
    typer.Option("--no-input", help="Never prompt; a missing value is an error naming its flag."),
]
