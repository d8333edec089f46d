"""What the entry point, the command tree and shell completion all need of Click, in a module
below them all: the name of the completion variable, and Click's own modules. Imports nothing
of hubsms, and nothing heavy."""

from __future__ import annotations

from importlib import import_module
from typing import Any

COMPLETE_ENV = "_HUBSMS_COMPLETE"  # set by the shell completion scripts: see hubsms.cli.completion


def click_module(name: str) -> Any:
    """Click's module ``name`` (exceptions, shell_completion…): Typer 0.28 carries its own
    copy of Click; earlier versions use Click itself."""
    try:
        return import_module(f"typer._click.{name}")
    except ImportError:  # pragma: no cover - depends on the installed Typer
        return import_module(f"click.{name}")
