"""A command that reads the config says when the file does not exist: the path it looked at
and what chose it (--config, $HUBSMS_CONFIG or the per-user default), so that a mistyped
path shows. An error says it first in its hint (still one error line and one hint line);
a command that succeeds says it as a warning at the end. Nothing is created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FAILING = [  # with no config, these end with an error
    ("connector", "show", "My Twilio"),
    ("connector", "test", "My Twilio"),
    ("connector", "edit", "My Twilio", "--from", "+14155552671"),
    ("connector", "remove", "My Twilio", "--yes"),
    ("otp", "send", "--to", "+14155552671"),
    ("otp", "send", "--to", "+14155552671", "--dry-run"),
    ("messages", "list"),
    ("messages", "show", "SM0123456789abcdef0123456789abcdef"),
    ("settings", "set-default-sms", "My Twilio"),
]
SUCCEEDING = [("doctor",), ("connector", "test", "--all"), ("plan", "list"), ("settings", "show"), ("export",)]


def origin_text(path: Path, origin: str) -> str:
    return f"the config file {path} does not exist yet ({origin})"


@pytest.mark.parametrize("args", FAILING, ids=" ".join)
def test_an_error_hints_first_that_the_config_file_does_not_exist(cli, config_path, args):
    result = cli(*args)
    lines = result.stderr.splitlines()
    assert result.exit_code in (2, 3), result
    assert len(lines) == 2 and lines[0].startswith("error: "), result.stderr
    assert lines[1].startswith(f"hint: {origin_text(config_path, 'from $HUBSMS_CONFIG')}; "), result.stderr
    assert not config_path.exists()


def test_the_json_error_carries_it_too(cli, config_path):
    result = cli("otp", "send", "--to", "+14155552671", "--json")
    error = json.loads(result.stdout)["error"]
    assert error["hint"].startswith(origin_text(config_path, "from $HUBSMS_CONFIG"))


@pytest.mark.parametrize("args", SUCCEEDING, ids=" ".join)
def test_a_command_that_succeeds_warns_at_the_end(cli, config_path, args):
    result = cli(*args)
    assert result.exit_code == 0, result
    last = result.stderr.splitlines()[-1]  # export adds what it means for the backup
    assert last.startswith(f"warning: {origin_text(config_path, 'from $HUBSMS_CONFIG')}")
    assert last.endswith(("(from $HUBSMS_CONFIG)", "refuses it without --allow-empty"))
    assert result.stderr.count("does not exist") == 1
    assert not config_path.exists()


@pytest.mark.parametrize("args", [("doctor",), ("connector", "show", "My Twilio"), ("otp", "send", "--to", "+14155552671")],
                         ids=" ".join)
def test_a_missing_config_given_by_the_flag_says_so(cli, tmp_path, args):
    typo = tmp_path / "typo" / "conectors.toml"
    for argv in ([*args, "--config", str(typo)], ["--config", str(typo), *args]):
        assert origin_text(typo, "given by --config") in cli(*argv).stderr
    assert not typo.exists()


def test_the_default_path_says_it_is_the_default_and_how_to_choose_another(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("HUBSMS_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    default = tmp_path / "xdg" / "hubsms" / "connectors.toml"
    said = origin_text(default, "the per-user default; --config or $HUBSMS_CONFIG choose another")
    result = cli("connector", "show", "My Twilio")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[1].startswith(f"hint: {said}; ")
    assert cli("connector", "list").stderr.startswith(f"No connectors: {said}. Add one:")


def test_an_existing_config_is_not_said_to_be_missing(cli, config_path: Path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("schema_version = 1\n", encoding="utf-8")
    for args in (("doctor",), ("settings", "show"), ("plan", "list")):
        result = cli(*args)
        assert result.exit_code == 0, result
        assert "does not exist" not in result.stderr
    assert "does not exist" not in cli("connector", "show", "My Twilio").stderr


def test_quiet_leaves_the_warning_out_and_json_stays_clean(cli):
    result = cli("plan", "list", "--json")
    assert result.stdout.strip() == "[]"
    assert "does not exist" in result.stderr
    assert cli("--quiet", "plan", "list", "--json").stderr == ""


def test_doctor_does_not_call_a_config_that_does_not_exist_fine(cli, config_path):
    result = cli("doctor")
    assert f"{config_path}: no problems found" not in result.stderr
    assert result.stderr.splitlines()[-2:] == [
        "The keyring: no problems found.", f"warning: {origin_text(config_path, 'from $HUBSMS_CONFIG')}",
    ]


def test_the_default_config_path_follows_xdg_config_home(monkeypatch, tmp_path):
    from hubsms.paths import config_path, default_config_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("HUBSMS_CONFIG")
    assert default_config_path() == Path(tmp_path) / "hubsms" / "connectors.toml"
    assert config_path(None) == (default_config_path(), "the per-user default")
    monkeypatch.setenv("HUBSMS_CONFIG", str(tmp_path / "env.toml"))
    assert config_path(None) == (tmp_path / "env.toml", "HUBSMS_CONFIG")
    assert config_path(tmp_path / "flag.toml") == (tmp_path / "flag.toml", "--config")
