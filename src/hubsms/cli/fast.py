"""A fast path for the hot commands: ``connector list`` and ``otp send``.

Scripts and CI jobs call these often, and importing Typer costs more than the whole command
(see benchmarks/). When the arguments are plainly one of them — known options with
well-formed values — it runs here, through the same functions as the Typer command. Anything
else (``--help``, an unknown option, a missing or malformed value) goes to Typer, which parses
and reports as usual. tests/test_fast_path.py checks that each table below matches its
Typer command's options.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


class Flag:
    """An option without a value: it sets its parameter to ``value``."""

    def __init__(self, value: object = True) -> None:
        self.value = value


FLAG = Flag()
# option -> (parameter, kind: Flag, str, int or float, lowest value allowed or None)
Spec = dict[str, tuple[str, Any, float | None]]

LIST_OPTIONS: Spec = {
    "--json": ("json", FLAG, None),
    "--active": ("active", Flag(True), None),
    "--inactive": ("active", Flag(False), None),
    "--wide": ("wide", FLAG, None),
}
SEND_OPTIONS: Spec = {
    "--to": ("to", str, None),
    "--connector": ("connector", str, None),
    "--plan": ("plan", str, None),
    "--length": ("length", int, None),
    "--code": ("code", str, None),
    "--message": ("message", str, None),
    "--validity": ("validity", int, None),
    "--dry-run": ("dry_run", FLAG, None),
    "--wait": ("wait", FLAG, None),
    "--timeout": ("timeout", float, 0.1),
    "--json": ("json", FLAG, None),
    "--auth-token-stdin": ("auth_token_stdin", FLAG, None),
    "--connect-timeout": ("connect_timeout", float, 0.001),
    "--read-timeout": ("read_timeout", float, 0.001),
}


def parse(args: list[str], words: list[str], spec: Spec) -> dict[str, Any] | None:
    """``args`` as ``words`` followed by options of ``spec`` (and ``--config`` before or after);
    None when they are anything else."""
    found: dict[str, Any] = {"config": None}
    position = 0
    rest = iter(args)
    for arg in rest:
        name, has_value, inline = arg.partition("=")
        takes_value = name in spec and not isinstance(spec[name][1], Flag)
        if name == "--config" and position not in (0, len(words)):
            return None  # between the group and its command: Typer refuses it
        if name == "--config" or (takes_value and position == len(words)):
            value = inline if has_value else next(rest, None)
            if value is None or value == "" or (name == "--config" and value.startswith("-")):
                return None
            key, kind, lowest = spec.get(name, ("config", str, None))
            converted = _convert(value, kind, lowest)
            if converted is None:
                return None
            found[key] = converted
        elif name in spec and not has_value and position == len(words):
            key, kind, _ = spec[name]
            found[key] = kind.value
        elif not arg.startswith("-") and position < len(words) and arg == words[position]:
            position += 1
        else:
            return None
    return found if position == len(words) else None


def _convert(value: str, kind: Any, lowest: float | None) -> Any:
    if kind is str:
        return value
    try:
        number = kind(value)
    except ValueError:
        return None
    if number != number or lowest is not None and number < lowest:  # nan, or below the minimum
        return None
    return number


def _run_list(options: dict[str, Any]) -> None:
    from hubsms.cli.common import resolve_config_path
    from hubsms.cli.render import run_connector_list

    path = resolve_config_path(options["config"])
    run_connector_list(path, options.get("active"), options.get("json", False), options.get("wide", False))


def _run_send(options: dict[str, Any]) -> None:
    from hubsms.cli.common import resolve_config_path
    from hubsms.cli.sending import SendOptions, run_send

    config = resolve_config_path(options.pop("config"))
    run_send(SendOptions(config=config, **options))


# words, options, the options that must be given (else Typer says so), what runs
COMMANDS: list[tuple[list[str], Spec, set[str], Callable[[dict[str, Any]], None]]] = [
    (["connector", "list"], LIST_OPTIONS, set(), _run_list),
    (["otp", "send"], SEND_OPTIONS, {"to"}, _run_send),
]


def try_run(args: list[str]) -> bool:
    """Run ``args`` without Typer when they are plainly a hot command (errors raised, as
    from the Typer command); False means 'not handled here'."""
    for words, spec, required, run in COMMANDS:
        options = parse(args, words, spec)
        if options is None or not required <= options.keys():
            continue
        if options["config"] is not None:
            options["config"] = Path(options["config"])
        run(options)
        return True
    return False
