"""Options shared by many commands, declared once."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from hubsms.cli.params import JSON, Param

F = TypeVar("F", bound=Callable[..., Any])

ConfigOption = Annotated[
    Optional[Path],
    typer.Option(
        "--config",
        help="Config file. Default: $HUBSMS_CONFIG, else the per-user hubsms folder.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option(JSON.flag, help=JSON.help)]
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


def typer_params(params: tuple[Param, ...]) -> Callable[[F], F]:
    """Give a command the options ``params`` define (:mod:`hubsms.cli.params`): its signature
    gains one keyword parameter per option, annotated for Typer, and its body receives them
    as keyword arguments (``**options``). The fast path parses the same tuples."""

    def decorate(function: F) -> F:
        hints = typing.get_type_hints(function, include_extras=True)
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
            for p in inspect.signature(function).parameters.values()
            if p.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        added = [
            inspect.Parameter(
                p.name, inspect.Parameter.KEYWORD_ONLY, annotation=_typer_annotation(p),
                default=inspect.Parameter.empty if p.required else p.default,
            )
            for p in params
        ]
        # the command's own parameters, then the defined options, then --config (in --help too)
        first = [p for p in own if p.name != "config"]
        last = [p for p in own if p.name == "config"]
        signature = inspect.Signature([*first, *added, *last])
        function.__signature__ = signature  # type: ignore[attr-defined]
        function.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return function

    return decorate


def _typer_annotation(param: Param) -> Any:
    """``Annotated[type, typer.Option(...)]`` for one option's definition."""
    kind = param.kind if param.required or param.default is not None else Optional[param.kind]
    option = typer.Option(
        param.flag, help=param.help, min=param.lowest, max=param.highest, metavar=param.metavar,
        show_default=param.default is not None and not param.is_flag,
    )
    return Annotated[kind, option]

