"""The auth token is never shown: not echoed at a terminal, not repeated in an error, not
saved where a variable's name belongs, and an unusable one is refused without a traceback."""

from __future__ import annotations

import io
import json
import os
import sys

import keyring
import pexpect
import pytest
from helpers import SID, run_module

TOKEN = "5f4dcc3b5aa765d61d8327deb882cf99"
HEX_TOKEN_AS_NAME = "abcdef0123456789abcdef0123456789"


def add(cli, *extra: str, input: str | None = None):
    return cli("connector", "add", "A", "--account-sid", SID, "--from", "+15005550006", *extra, input=input)


@pytest.mark.parametrize("value", [HEX_TOKEN_AS_NAME, "0123456789abcdef0123456789abcdef"])
def test_a_token_given_as_a_variable_name_is_refused_and_not_repeated(cli, config_path, value):
    result = add(cli, "--auth-token-env", value)
    assert result.exit_code == 2
    assert "looks like an auth token" in result.stderr
    assert value not in result.output
    assert not config_path.exists()


def test_a_rejected_account_sid_is_not_repeated(cli):
    pasted = "ACfedcba9876543210fedcba98765432zz"
    result = add(cli, "--auth-token-stdin", input=TOKEN + "\n")
    assert result.exit_code == 0
    result = cli("connector", "edit", "A", "--account-sid", pasted)
    assert result.exit_code == 2
    assert "invalid Account SID (34 characters, not hexadecimal after AC)" in result.stderr
    assert "fedcba" not in result.stderr


@pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")
def test_auth_token_stdin_at_a_terminal_is_asked_without_echo(cli):
    assert add(cli, "--auth-token-stdin", input=TOKEN + "\n").exit_code == 0
    screen = io.StringIO()
    child = pexpect.spawn(
        sys.executable, ["-m", "hubsms", "connector", "edit", "A", "--auth-token-stdin"],
        env=dict(os.environ), encoding="utf-8", timeout=15,
    )
    child.logfile_read = screen
    child.expect_exact("Auth token (hidden): ")
    new_token = "9e107d9d372bb6826bd81d3542a419d6"
    child.sendline(new_token)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    assert new_token not in screen.getvalue()
    assert keyring.get_password("hubsms", SID) == new_token


@pytest.mark.parametrize("bad", ["t€", "not-a-token", "0123"])
def test_an_unusable_token_from_the_environment_exits_4_without_showing_it(cli, monkeypatch, bad):
    assert add(cli, "--auth-token-stdin", input=TOKEN + "\n").exit_code == 0
    monkeypatch.setenv("HUBSMS_AUTH_TOKEN", bad)
    result = cli("otp", "send", "--to", "+15005550006", "--connector", "A", "--dry-run")
    assert result.exit_code == 4, result.output
    assert "the auth token from env:HUBSMS_AUTH_TOKEN is unusable" in result.stderr
    assert bad not in result.output
    assert "Traceback" not in result.output


def test_dry_run_json_never_holds_the_token(cli, monkeypatch):
    assert add(cli, "--auth-token-stdin", input=TOKEN + "\n").exit_code == 0
    shown = cli("otp", "send", "--to", "+15005550006", "--connector", "A", "--dry-run", "--json")
    assert TOKEN not in shown.output
    assert json.loads(shown.stdout)["auth"] == f"{SID}:<hidden>"


run = run_module


def test_a_token_typed_as_an_argument_is_hidden_in_the_usage_error():
    result = run("otp", "send", "--to", "+15005550006", "--auth-token-stdin", TOKEN)
    assert result.returncode == 2
    assert TOKEN not in result.stderr
    assert "<hidden>" in result.stderr


def test_a_token_given_as_the_connector_name_is_refused(cli, config_path):
    result = cli("connector", "add", TOKEN, "--account-sid", SID, "--from", "+15005550006", "--auth-token-stdin",
                 input=TOKEN + "\n")
    assert result.exit_code == 2
    assert "looks like an auth token" in result.stderr
    assert TOKEN not in result.output
    assert not config_path.exists()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")
def test_ctrl_d_at_the_hidden_token_prompt_cancels_with_130(cli):
    assert add(cli, "--auth-token-stdin", input=TOKEN + "\n").exit_code == 0
    child = pexpect.spawn(
        sys.executable, ["-m", "hubsms", "otp", "send", "--to", "+15005550006", "--connector", "A", "--dry-run",
                         "--auth-token-stdin"], env=dict(os.environ), encoding="utf-8", timeout=15,
    )
    child.expect_exact("Auth token (hidden): ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_sids_and_variable_names_are_not_hidden_in_errors():
    from hubsms.cli.common import hide_tokens

    sid = "AC0123456789abcdef0123456789abcdef"
    assert hide_tokens(f"account {sid}") == f"account {sid}"
    assert hide_tokens(f"set HUBSMS_TOKEN_{sid.upper()}") == f"set HUBSMS_TOKEN_{sid.upper()}"
    assert hide_tokens(f"/2010-04-01/{sid}/Messages.json") == f"/2010-04-01/{sid}/Messages.json"
    assert hide_tokens("folder/" + "ab" * 32 + "/c.toml") == "folder/" + "ab" * 32 + "/c.toml"
    assert hide_tokens(f"extra argument(s) ({TOKEN})") == "extra argument(s) (<hidden>)"


def test_a_name_made_of_hex_digits_in_a_file_still_loads(cli, config_path):
    config_path.parent.mkdir(parents=True, exist_ok=True)
    guid = "6f1c2d3e4b5a69788796a5b4c3d2e1f0"
    config_path.write_text(
        f'schema_version = 1\n[plans."{guid}"]\nsms_connector = "A"\n'
        f'[connectors.A]\naccount_sid = "{SID}"\nfrom = "+15005550006"\n'
    )
    result = cli("plan", "list", "--json")
    assert result.exit_code == 0, result.output
    assert guid in result.stdout


def test_records_survive_a_console_without_unicode(cli):
    import subprocess

    assert add(cli, "--auth-token-stdin", input=TOKEN + "\n").exit_code == 0
    assert cli("plan", "set", "Gold", "--sms-connector", "A").exit_code == 0
    result = subprocess.run([sys.executable, "-m", "hubsms", "settings", "show"], capture_output=True,
                            env={**os.environ, "PYTHONIOENCODING": "cp1252"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert b"Gold: A" in result.stdout
