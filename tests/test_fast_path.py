"""The fast path (hubsms.cli.fast) must accept exactly what the Typer commands accept, and
give the same results; anything unusual must fall through to Typer."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from helpers import SID, SID2, TOKEN, TOKEN2, added, run_module, subprocess_env
from test_options import kind_of

from hubsms.cli import fast, params
from hubsms.errors import HubsmsError
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


@pytest.mark.parametrize(("words", "spec"), [
    (["connector", "list"], params.LIST), (["otp", "send"], params.SEND), (["connector", "add"], params.ADD),
    (["connector", "edit"], params.EDIT), (["connector", "remove"], params.REMOVE),
])
def test_the_typer_command_is_built_from_the_same_definitions_as_the_fast_path(words, spec):
    options = typer_options(*words)
    assert set(options) == {param.flag for param in spec}
    for param in spec:
        option = options[param.flag]
        assert kind_of(option) is param.kind, param.flag
        assert getattr(option.type, "min", None) == param.lowest, param.flag
        assert getattr(option.type, "max", None) == param.highest, param.flag
        assert option.required == param.required, param.flag
        assert option.help == param.help, param.flag
        assert option.metavar == param.metavar, param.flag
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
        ["connector", "add", "--help"],
        ["connector", "add", "A", "B", "--no-input"],
        ["connector", "edit", "--from", "+15005550006"],
        ["connector", "edit", "A", "--auth-token-env="],
        ["connector", "edit", "A", "--from"],
        ["connector", "remove"],
        ["connector", "remove", "A", "--", "B"],
        ["connector", "remove", "-x", "--yes"],
    ],
)
def test_anything_unusual_is_left_to_typer(args):
    assert not fast.try_run(args)


def test_config_before_or_after_and_inline_is_understood():
    spec, words = params.LIST, ["connector", "list"]
    none = {"active": False, "inactive": False, "wide": False, "json": False, "quiet": False}
    assert fast.parse(["--config", "a.toml", *words, "--json"], words, spec) == {**none, "config": Path("a.toml"), "json": True}
    assert fast.parse([*words, "--inactive", "--config=b.toml"], words, spec) == {**none, "config": Path("b.toml"), "inactive": True}


def test_at_a_terminal_add_edit_and_remove_are_left_to_typer_unless_told_not_to_ask(monkeypatch):
    master, slave = pty.openpty()
    try:
        with open(slave, encoding="utf-8", closefd=True) as terminal:
            monkeypatch.setattr("sys.stdin", terminal)
            assert not fast.try_run(["connector", "add", "A", "--account-sid", SID, "--from", "+15005550006"])
            assert not fast.try_run(["connector", "edit", "A", "--inactive", "--force"])
            assert not fast.try_run(["connector", "remove", "A"])
            with pytest.raises(HubsmsError, match="no connector named"):  # taken, and run
                fast.try_run(["connector", "remove", "A", "--no-input"])
    finally:
        os.close(master)


def test_name_and_options_in_any_order_and_short_flags():
    words, name = ["connector", "remove"], (("name", True),)
    expected = {"name": "My Twilio", "yes": True, "force": False, "no_input": False, "config": None, "quiet": False}
    assert fast.parse([*words, "My Twilio", "-y"], words, params.REMOVE, name) == expected
    assert fast.parse([*words, "--yes", "My Twilio"], words, params.REMOVE, name) == expected
    assert fast.parse([*words, "-y"], words, params.REMOVE, name) is None  # NAME is required
    add = fast.parse(["connector", "add", "--from", "+1", "list", "--no-input"], ["connector", "add"], params.ADD, (("name", False),))
    assert (add["name"], add["from_"], add["no_input"]) == ("list", "+1", True)


def test_quiet_before_or_after_the_command_takes_the_fast_path_too():
    spec, words = params.SEND, ["otp", "send"]
    assert fast.parse([*words, "--to", "+1", "-q"], words, spec)["quiet"] is True
    assert fast.parse(["--quiet", "--debug", *words, "--to", "+1"], words, spec)["quiet"] is True
    assert fast.parse([*words, "--to", "+1"], words, spec)["quiet"] is False


def test_debug_before_the_command_takes_the_fast_path_too():
    spec, words = params.SEND, ["otp", "send"]
    assert fast.parse(["--debug", *words, "--to", "+1"], words, spec)["to"] == "+1"


def decline_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path declines every command, so that Typer parses: the other path to compare."""
    monkeypatch.setattr(fast, "try_run", lambda args: False)


@pytest.fixture
def typer_path(cli, monkeypatch):
    """``cli`` with the fast path declined."""
    decline_fast_path(monkeypatch)
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


# Each step: the arguments and the token piped on stdin. Every one is a plain script's call,
# so the fast path takes it; the outcomes cover success, refusals and usage errors.
CHANGES = [
    (["connector", "add", "Alpha", "--account-sid", SID, "--from", "+15005550006", "--auth-token-stdin"], TOKEN),
    (["connector", "add", "alpha", "--account-sid", SID, "--from", "+15005550006", "--no-input"], None),
    (["connector", "add", "Beta", "--account-sid", SID2, "--from", "0015005550006", "--auth-token-env", "BETA_TOKEN"], None),
    (["connector", "add", "Gamma", "--account-sid", SID2, "--no-input"], None),
    (["connector", "add", "Beta", "--account-sid", SID2, "--from", "+15005550006", "--auth-token-env", "BETA_TOKEN",
      "--exist-ok"], None),
    (["connector", "add", "Delta", "--account-sid", SID, "--from", "+15005550006", "--auth-token-stdin"], TOKEN2),
    (["connector", "add", "Delta", "--account-sid", SID, "--from", "+15005550006", "--auth-token-stdin",
      "--replace-token", "--inactive"], TOKEN2),
    (["connector", "edit", "Alpha", "--name", "Alpha 2", "--from", "+14155552671", "--server-address",
      "http://127.0.0.1:9/2010-04-01/Accounts"], None),
    (["connector", "edit", "Nope", "--from", "+14155552671"], None),
    (["connector", "edit", "Alpha 2", "--active", "--inactive"], None),
    (["connector", "edit", "Beta", "--from", "+1"], None),
    (["connector", "edit", "Beta", "--auth-token-stdin"], TOKEN),
    (["connector", "remove", "Beta"], None),
    (["connector", "remove", "Beta", "--yes"], None),
    (["connector", "remove", "Alpha 2", "-y", "--force"], None),
]


def run_changes(cli, tmp: Path) -> tuple[list[tuple[int, str, str]], str]:
    """Each step of CHANGES in a config and keyring of its own: the results and the file."""
    config = tmp / "connectors.toml"
    env = {"HUBSMS_CONFIG": str(config), "XDG_DATA_HOME": str(tmp / "data")}
    results = []
    for args, token in CHANGES:
        result = cli(*args, input=None if token is None else token + "\n", env=env)
        results.append((result.exit_code, result.stdout, result.stderr))
    return results, config.read_text(encoding="utf-8")


def test_connector_add_edit_and_remove_give_the_same_results_on_both_paths(cli, monkeypatch, tmp_path):
    taken: list[bool] = []
    try_run = fast.try_run

    def watched(args: list[str]) -> bool:
        try:
            handled = try_run(args)
        except BaseException:  # raised by the command the fast path ran
            handled = True
            raise
        finally:
            taken.append(handled)
        return handled

    monkeypatch.setattr(fast, "try_run", watched)
    fast_results, fast_file = run_changes(cli, tmp_path / "fast")
    assert taken == [True] * len(CHANGES)
    decline_fast_path(monkeypatch)
    typer_results, typer_file = run_changes(cli, tmp_path / "typer")
    assert fast_results == typer_results
    assert fast_file == typer_file
    assert [code for code, _, _ in fast_results] == [0, 2, 0, 2, 0, 2, 0, 0, 3, 2, 2, 0, 2, 0, 0]


IMPORTED = """
import json, sys
from hubsms.cli.main import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted({m.split(".")[0] for m in sys.modules} & {"typer", "click", "rich", "keyring", "requests"})]))
"""


def fresh_run(*args: str, input: str | None = None) -> list[object]:
    """The exit code of ``args`` in a fresh interpreter, and which heavy packages it imported."""
    done = subprocess.run([sys.executable, "-c", IMPORTED, *args], input=input, capture_output=True, text=True,
                          env=subprocess_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_fast_path_adds_edits_and_removes_without_typer():
    add = ["connector", "add", "Alpha", "--account-sid", SID, "--from", "+15005550006"]
    assert fresh_run(*add, "--auth-token-stdin", input=TOKEN + "\n") == [0, ["keyring"]]
    assert fresh_run("connector", "edit", "Alpha", "--auth-token-stdin", input=TOKEN2 + "\n") == [0, ["keyring"]]
    assert fresh_run("connector", "remove", "Alpha", "--yes") == [0, ["keyring"]]


def test_a_connector_that_reads_its_token_from_a_variable_never_imports_the_keyring():
    add = ["connector", "add", "Alpha", "--account-sid", SID, "--from", "+15005550006", "--auth-token-env", "ALPHA"]
    assert fresh_run(*add) == [0, []]
    assert fresh_run("connector", "edit", "Alpha", "--from", "+14155552671", "--inactive") == [0, []]
