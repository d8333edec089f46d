"""Typer's side of the option definitions (:mod:`hubsms.cli.params`): an option built from a
definition, the options many commands take as typed parameters, and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from hubsms.cli import params
from hubsms.cli.params import Param


def option(param: Param, **changes: Any) -> Any:
    """``typer.Option`` for the definition ``param``, with what this command says differently
    (``help``, bounds: see :meth:`Param.but`). The command's signature gives the default."""
    if changes:
        param = param.but(**changes)
    flags = (param.flag, param.short) if param.short else (param.flag,)
    return typer.Option(
        *flags, help=param.help, min=param.lowest, max=param.highest, metavar=param.metavar,
        show_default=not param.is_flag and param.default is not None,
    )


def options_of(spec: tuple[Param, ...]) -> dict[str, Any]:
    """``option`` of each definition of a command's ``spec`` (cli/params.py), by flag."""
    return {param.flag: option(param) for param in spec}


ConfigOption = Annotated[Optional[Path], option(params.CONFIG)]
JsonOption = Annotated[bool, option(params.JSON)]
NoInputOption = Annotated[bool, option(params.NO_INPUT)]
YesOption = Annotated[bool, option(params.YES)]
ForceOption = Annotated[bool, option(params.FORCE)]
TokenStdinOption = Annotated[bool, option(params.TOKEN_STDIN)]
ConnectTimeoutOption = Annotated[Optional[float], option(params.CONNECT_TIMEOUT)]
ReadTimeoutOption = Annotated[Optional[float], option(params.READ_TIMEOUT)]
ShowBodyOption = Annotated[bool, option(params.SHOW_BODY)]
UrlOption = Annotated[Optional[str], option(params.SANDBOX_URL)]


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
