"""A fast path for the hot commands: ``connector list``, ``otp send``, and ``connector add``,
``edit`` and ``remove`` when they will ask nothing.

Scripts and CI jobs call these often, and importing Typer costs more than the whole command
(see benchmarks/). When the arguments are plainly one of them — options of the command's
definition (:mod:`hubsms.cli.params`, which the Typer command is built from too) with
well-formed values inside their bounds, and its NAME — it runs here, through the same
function as the Typer command. Anything else (``--help``, an unknown option, a missing or
malformed value, a command that would prompt at a terminal) goes to Typer, which parses,
asks and reports as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hubsms.cli import params
from hubsms.cli.common import QUIET_FLAGS, is_interactive, set_quiet
from hubsms.cli.params import Param

ROOT_FLAGS = ("--debug",)  # options of the root command that may stand before the words


def parse(
    args: list[str], words: list[str], spec: tuple[Param, ...], arguments: tuple[tuple[str, bool], ...] = (),
) -> dict[str, Any] | None:
    """``args`` as root flags, ``words``, then options of ``spec`` and the ``arguments`` (each
    a parameter name and whether it is required; the options before, between or after them),
    and ``--config`` and ``--quiet`` before or after the words; the options with their
    defaults filled in, or None when ``args`` are anything else."""
    by_flag = {flag: param for param in spec for flag in (param.flag, param.short) if flag}
    found: dict[str, Any] = {**params.defaults(spec), **dict.fromkeys(name for name, _ in arguments),
                             "config": None, "quiet": False}
    position = given = 0
    rest = iter(args)
    for arg in rest:
        flag, has_value, inline = arg.partition("=")
        param = by_flag.get(flag) if position == len(words) else None
        if arg in ROOT_FLAGS and position == 0:
            continue
        if arg in QUIET_FLAGS and position in (0, len(words)):  # the root's --quiet, before or after the command
            found["quiet"] = True
            continue
        if flag == "--config":
            if position not in (0, len(words)):
                return None  # between the group and its command: Typer refuses it
            value = inline if has_value else next(rest, None)
            if not value or value.startswith("-"):
                return None
            found["config"] = Path(value)
        elif param is not None and param.is_flag and not has_value:
            found[param.name] = True
        elif param is not None and not param.is_flag:
            value = _convert(inline if has_value else next(rest, None), param)
            if value is None:
                return None
            found[param.name] = value
        elif not arg.startswith("-") and position < len(words) and arg == words[position]:
            position += 1
        elif arg and not arg.startswith("-") and position == len(words) and given < len(arguments):
            found[arguments[given][0]] = arg
            given += 1
        else:
            return None
    complete = position == len(words) and all(found[p.name] is not None for p in spec if p.required)
    complete = complete and all(found[name] is not None for name, required in arguments if required)
    return found if complete else None


def _convert(value: str | None, param: Param) -> Any:
    """The value as the option's type within its bounds, else None (Typer will say why)."""
    if not value:
        return None
    if param.kind is str:
        return value
    try:
        number = param.kind(value)
    except ValueError:
        return None
    if number != number:  # nan
        return None
    if param.lowest is not None and number < param.lowest or param.highest is not None and number > param.highest:
        return None
    return number


def _runner(module: str, function: str, reads: bool) -> Callable[[dict[str, Any]], None]:
    """Runs ``module.function(config, **options)``, the module imported only when it runs
    (the Typer command calls the same function); a command that ``reads`` the config warns
    when it does not exist, as the Typer command does."""

    def run(options: dict[str, Any]) -> None:
        from importlib import import_module

        from hubsms.cli.common import read_config_path, resolve_config_path

        command = getattr(import_module(module), function)
        command((read_config_path if reads else resolve_config_path)(options.pop("config")), **options)

    return run


def _asks(spec: tuple[Param, ...], options: dict[str, Any]) -> bool:
    """Whether a command with these options may ask something (the dialog, a confirmation):
    one that can (add, edit and remove take ``--no-input``), at a terminal without
    ``--no-input`` (add: nor ``--exist-ok``)."""
    return params.NO_INPUT in spec and is_interactive(bool(options.get("no_input") or options.get("exist_ok")))


NAME = (("name", True),)  # the connector's NAME, required

# words, the options' definition, the arguments, what runs (a command that may ask something,
# ``_asks``, is left to Typer, whose prompts say a Ctrl-D as hubsms does); connector list says
# a missing file in its own words
COMMANDS: list[tuple[list[str], tuple[Param, ...], tuple[tuple[str, bool], ...], Callable[[dict[str, Any]], None]]] = [
    (["connector", "list"], params.LIST, (), _runner("hubsms.cli.listing", "run_list", reads=False)),
    (["otp", "send"], params.SEND, (), _runner("hubsms.cli.sending", "run_send", reads=True)),
    (["connector", "add"], params.ADD, (("name", False),), _runner("hubsms.cli.editing", "run_add", reads=False)),
    (["connector", "edit"], params.EDIT, NAME, _runner("hubsms.cli.editing", "run_edit", reads=True)),
    (["connector", "remove"], params.REMOVE, NAME, _runner("hubsms.cli.editing", "run_remove", reads=True)),
]


def try_run(args: list[str]) -> bool:
    """Run ``args`` without Typer when they are plainly a hot command (errors raised, as
    from the Typer command); False means 'not handled here'."""
    for words, spec, arguments, run in COMMANDS:
        options = parse(args, words, spec, arguments)
        if options is not None and not _asks(spec, options):
            if options.pop("quiet"):
                set_quiet()
            run(options)
            return True
    return False
