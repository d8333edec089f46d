"""The fast path (hubsms.cli.fast) must accept exactly what the Typer commands accept, and
give the same results; anything unusual must fall through to Typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from helpers import TOKEN, added, run_module

from hubsms.cli import fast, params
from hubsms.cli.app import app



def typer_options(*words: str) -> dict[str, object]:
    """Each option string of a Typer command with its Click parameter."""
    command = typer.main.get_command(app)
    for word in words:
        command = command.commands[word]  # type: ignore[attr-defined]
    options = {}
    for param in command.params:
        for name in [*param.opts, *getattr(param, "secondary_opts", [])]:
            if name.startswith("--") and name not in ("--help", "--config"):
                options[name] = param
    return options


def kind_of(param: object) -> object:
    if getattr(param, "is_flag", False):
        return "flag"
    return {"INT": int, "FLOAT": float, "STR": str, "TEXT": str, "INTEGER RANGE": int, "FLOAT RANGE": float}[param.type.name.upper()]


@pytest.mark.parametrize(("words", "spec"), [(["connector", "list"], params.LIST), (["otp", "send"], params.SEND)])
def test_the_typer_command_is_built_from_the_same_definitions_as_the_fast_path(words, spec):
    options = typer_options(*words)
    assert set(options) == {param.flag for param in spec}
    for param in spec:
        option = options[param.flag]
        assert kind_of(option) == ("flag" if param.is_flag else param.kind), param.flag
        assert getattr(option.type, "min", None) == param.lowest, param.flag
        assert getattr(option.type, "max", None) == param.highest, param.flag
        assert option.required == param.required, param.flag
        assert option.help == param.help, param.flag
        if not param.is_flag:
            assert option.default == param.default, param.flag


@pytest.mark.parametrize(
    "args",
    [
        ["otp", "send", "--help"],
        ["otp", "send"],
        ["otp", "send", "--to"],
        ["otp", "send", "--to", "+1", "--length", "six"],
        ["otp", "send", "--to", "+1", "--timeout", "0"],
        ["otp", "send", "--to", "+1", "--bogus"],
        ["otp", "send", "--to", "+1", "--json=yes"],
        ["otp", "--json", "send", "--to", "+1"],
        ["connector", "list", "extra"],
        ["connector", "lists"],
        ["connector", "list", "--config"],
        ["connector", "list", "--config="],
        ["connector"],
    ],
)
def test_anything_unusual_is_left_to_typer(args):
    assert not fast.try_run(args)


def test_config_before_or_after_and_inline_is_understood():
    spec, words = params.LIST, ["connector", "list"]
    none = {"active": False, "inactive": False, "wide": False, "json": False, "quiet": False}
    assert fast.parse(["--config", "a.toml", *words, "--json"], words, spec) == {**none, "config": Path("a.toml"), "json": True}
    assert fast.parse([*words, "--inactive", "--config=b.toml"], words, spec) == {**none, "config": Path("b.toml"), "inactive": True}


def test_quiet_before_or_after_the_command_takes_the_fast_path_too():
    spec, words = params.SEND, ["otp", "send"]
    assert fast.parse([*words, "--to", "+1", "-q"], words, spec)["quiet"] is True
    assert fast.parse(["--quiet", "--debug", *words, "--to", "+1"], words, spec)["quiet"] is True
    assert fast.parse([*words, "--to", "+1"], words, spec)["quiet"] is False


def test_debug_before_the_command_takes_the_fast_path_too():
    spec, words = params.SEND, ["otp", "send"]
    assert fast.parse(["--debug", *words, "--to", "+1"], words, spec)["to"] == "+1"


@pytest.fixture
def typer_path(cli, monkeypatch):
    """``cli`` with the fast path declined, so that Typer parses: the other path to compare."""
    monkeypatch.setattr(fast, "try_run", lambda args: False)
    return cli


@pytest.fixture
def sandbox_connector(cli, sandbox):
    added(cli, "Sandbox", server=sandbox.accounts_url)
    return "Sandbox"


def test_otp_send_gives_the_same_json_on_both_paths(typer_path, sandbox, sandbox_connector):
    args = ["otp", "send", "--to", "+15005550006", "--connector", "Sandbox", "--code", "246810", "--json"]
    fast_run = run_module(*args)
    typer_run = typer_path(*args)
    assert fast_run.returncode == typer_run.exit_code == 0, fast_run.stderr
    fast_sent, typer_sent = json.loads(fast_run.stdout), json.loads(typer_run.stdout)
    assert fast_sent.pop("sid") != typer_sent.pop("sid")
    assert fast_sent == typer_sent
    assert [m["code"] for m in sandbox.messages()] == ["246810", "246810"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--to", "+12"], 2),
        (["--to", "+15005550001", "--connector", "Sandbox"], 5),
        (["--to", "+15005550006", "--connector", "Nope"], 3),
        (["--to", "+15005550006", "--connector", "Sandbox", "--plan", "P"], 2),
    ],
)
def test_otp_send_errors_are_the_same_on_both_paths(typer_path, sandbox, sandbox_connector, args, code):
    fast_run = run_module("otp", "send", *args)
    typer_run = typer_path("otp", "send", *args)
    assert fast_run.returncode == typer_run.exit_code == code
    assert fast_run.stderr == typer_run.stderr
    assert fast_run.stdout == typer_run.stdout == ""


def test_otp_send_reads_the_token_from_stdin_on_the_fast_path(sandbox, sandbox_connector):
    result = run_module("otp", "send", "--to", "+15005550006", "--connector", "Sandbox", "--dry-run", "--json",
                        "--auth-token-stdin", input=TOKEN + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["token_source"] == "stdin"
    assert TOKEN not in result.stdout + result.stderr
