"""The commands' options: every option that more than one command takes is one definition
(hubsms.cli.params), commands take typed parameters, and --help speaks words a reader knows."""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from hubsms.cli import params
from hubsms.cli.command import build_command

# Options every command has that are not definitions of params: Click's own, and --quiet
# (hubsms.cli.command.add_quiet_option gives it to every command from one definition).
NOT_DEFINED_HERE = {"--help", "--quiet"}
# The same flag for two different things; one definition cannot say both. otp send's --wait
# is a flag (how long: --timeout SECONDS); sandbox otp's --wait SECONDS is how long to wait.
DIFFERENT = {"--wait"}


def commands(command: Any = None, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command and group of the Click tree hubsms runs, with the words that name it."""
    command = build_command() if command is None else command
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += commands(sub, (*path, name))
    return found


def options_by_flag() -> dict[str, list[tuple[tuple[str, ...], Any]]]:
    found = defaultdict(list)
    for path, command in commands():
        for param in command.params:
            if param.param_type_name == "option":
                found[max(param.opts, key=len)].append((path, param))
    return found


def definitions() -> list[params.Param]:
    """Every definition in cli/params.py: each on its own, and each in a command's tuple (a
    Param is a tuple too: not taken apart)."""
    found = []
    for value in vars(params).values():
        for param in value if isinstance(value, tuple) and not isinstance(value, params.Param) else (value,):
            if isinstance(param, params.Param):
                found.append(param)
    return found


def kind_of(option: Any) -> type:
    if option.is_flag:
        return bool
    return {"str": str, "text": str, "int": int, "integer": int, "int range": int, "integer range": int, "float": float, "float range": float,
            "path": Path, "file": Path}[option.type.name.lower()]


def test_every_option_that_commands_share_is_built_from_its_one_definition():
    shared = {flag: uses for flag, uses in options_by_flag().items() if len(uses) > 1}
    assert {"--auth-token-stdin", "--config", "--to", "--json", "--auth-token-env"} <= set(shared)
    first = {}
    for param in definitions():
        first.setdefault(param.flag, param)
    for flag, uses in shared.items():
        if flag in NOT_DEFINED_HERE | DIFFERENT:
            continue
        assert flag in first, f"{flag} is taken by {len(uses)} commands but defined in none of hubsms.cli.params"
        definition = first[flag]
        for path, option in uses:
            where = f"{flag} of hubsms {' '.join(path)}"
            assert kind_of(option) is definition.kind, where
            assert option.metavar == definition.metavar, where
            assert sorted(option.opts) == sorted(filter(None, (definition.flag, definition.short))), where


def test_a_flag_is_defined_once():
    """Variants of a definition (Param.but) keep its flag, type and metavar; no two
    definitions of one flag say different things."""
    seen: dict[str, params.Param] = {}
    checked = definitions()
    assert {"--to", "--json", "--config"} <= {param.flag for param in checked}  # those on their own too
    for param in checked:
        first = seen.setdefault(param.flag, param)
        assert (param.kind, param.metavar, param.short) == (first.kind, first.metavar, first.short), param.flag
    with pytest.raises(TypeError, match="--to: metavar"):
        params.TO.but(metavar="NUMBER")


def test_commands_take_typed_parameters_not_keyword_dicts():
    for path, command in commands():
        if command.callback is None:
            continue
        function = inspect.unwrap(command.callback)
        # the code itself: a decorator may have given the function a signature of its own
        assert not function.__code__.co_flags & inspect.CO_VARKEYWORDS, f"hubsms {' '.join(path)} takes **keywords"
        for parameter in inspect.signature(function).parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"hubsms {' '.join(path)}: {parameter.name}"


RAW_METAVARS = re.compile(r"<str>|<int>|<float>|<path>|<file>|range>|\b(TEXT|INTEGER|FLOAT|PATH)\b")


@pytest.mark.parametrize("path", [path for path, _ in commands()], ids=lambda path: " ".join(path) or "hubsms")
def test_help_names_values_in_words_not_typer_types(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result
    assert "Usage: hubsms" in result.stdout
    options = result.stdout.partition("Options:")[2]
    assert options, result.stdout
    assert not RAW_METAVARS.findall(result.stdout), result.stdout


def test_help_shows_the_definitions_words(cli):
    send = cli("otp", "send", "--help").stdout
    for words in ("--to E.164", "--connector NAME", "--length N", "--timeout SECONDS", "--config FILE",
                  "--connect-timeout SECONDS"):
        assert words in send
    assert "--auth-token-env VAR" in cli("sandbox", "serve", "--help").stdout
    assert "--to E.164" in cli("sandbox", "messages", "--help").stdout
    assert "--config FILE" in cli("--help").stdout
