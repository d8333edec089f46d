"""``connector list``: the default view made for 80 columns, --wide with every field, the token
source (never the token), and the file that was read when there is nothing to list. Tables
are checked in a real pseudo-terminal of 80 and 40 columns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
import terminal
from helpers import SID, SID2, TOKEN, TOKEN2, add, run_hubsms, sid
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

pytestmark = terminal.POSIX_ONLY

MG = "MG0123456789abcdef0123456789abcdef"
US_TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TYPICAL = ["Twilio EU", "Twilio US", "Staging"]


def populate(cli) -> None:
    """Three connectors as a typical site has them: a default with a plan, a Messaging
    Service sender whose token is in a variable, an inactive one."""
    assert add(cli, "Twilio EU", from_="+4915112345678").exit_code == 0
    us = add(cli, "Twilio US", "--auth-token-env", "TWILIO_US_TOKEN", account_sid=SID2, from_=MG, tok=None)
    assert us.exit_code == 0, us.stderr
    assert add(cli, "Staging", "--inactive", account_sid=sid(3), from_="12345").exit_code == 0
    assert cli("settings", "set-default-sms", "Twilio EU").exit_code == 0
    for plan, connector in (("Enterprise", "Twilio EU"), ("Gold", "Twilio US"), ("Silver", "Twilio US")):
        assert cli("plan", "set", plan, "--sms-connector", connector).exit_code == 0


def at_terminal(columns: int, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    """``hubsms connector list ARGS`` at a terminal ``columns`` wide: the table's lines below
    its rule, and the whole screen."""
    monkeypatch.delenv("COLUMNS")  # as at a real terminal: its width comes from the terminal
    term = terminal.Terminal("connector", "list", *args, env={"TWILIO_US_TOKEN": US_TOKEN}, size=(24, columns))
    assert term.end() == 0, term.shown
    lines = term.shown.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    assert all(len(line) <= columns for line in lines[rule - 1:]), term.shown  # the table fits
    return [line for line in lines[rule + 1:] if line.strip()], term.shown


def name_column(rows: list[str], header: str) -> str:
    """The Name column's text, its wrapped lines joined: everything left of the Active column."""
    width = header.index("Active")
    return " ".join(line[:width].strip() for line in rows if line[:width].strip())


def test_at_80_columns_each_connector_is_one_line_with_what_matters_first(cli, monkeypatch):
    populate(cli)
    rows, screen = at_terminal(80, monkeypatch=monkeypatch)
    header = screen.splitlines()[next(i for i, line in enumerate(screen.splitlines()) if line.startswith("─")) - 1]
    assert header.split() == ["Name", "Active", "From", "Used", "by", "Token"]
    assert len(rows) == 3, screen
    eu, us, staging = rows
    assert eu.split()[:4] == ["Twilio", "EU", "yes", "+4915112345678"]
    assert "default, plan Enterprise" in eu and eu.rstrip().endswith("keyring?")
    # a Messaging Service sender is masked, so that Used by keeps its place
    assert "MG…cdef" in us and "plans Gold, Silver" in us and us.rstrip().endswith("env:TWILIO_US_TOKEN")
    assert staging.split() == ["Staging", "no", "12345", "keyring?"]
    assert "Left out" not in screen and US_TOKEN not in screen and TOKEN not in screen


def test_at_40_columns_the_names_stay_whole_and_what_is_left_out_is_said(cli, monkeypatch):
    populate(cli)
    long_name = "Alphanumeric sender with a rather long name"
    assert add(cli, long_name, account_sid=sid(4), from_="SigningHub").exit_code == 0
    rows, screen = at_terminal(40, monkeypatch=monkeypatch)
    header = next(line for line in screen.splitlines() if line.startswith("Name"))
    assert header.split() == ["Name", "Active", "From"]
    assert name_column(rows, header) == " ".join([*TYPICAL, long_name])
    assert "Left out at this width: Used by, Token" in screen
    assert "MG…cdef" in screen and "SigningHub" in screen


def test_a_narrow_terminal_keeps_the_name_column_whatever_else_goes(cli, monkeypatch):
    assert add(cli, "A rather long connector name", from_="+4915112345678").exit_code == 0
    rows, screen = at_terminal(20, monkeypatch=monkeypatch)
    header = next(line for line in screen.splitlines() if line.startswith("Name"))
    assert header.split() == ["Name", "Active"]
    assert name_column(rows, header) == "A rather long connector name"


def test_wide_shows_every_field_and_asks_the_keyring(cli, monkeypatch):
    populate(cli)
    rows, screen = at_terminal(250, "--wide", monkeypatch=monkeypatch)
    for title in ("Provider", "Purpose", "Account SID", "Server address", "Logo", "Used by", "Token"):
        assert title in screen
    eu = next(line for line in rows if line.startswith("Twilio EU"))
    assert SID in eu and "https://api.twilio.com/2010-04-01/Accounts" in eu and eu.rstrip().endswith("keyring")
    assert MG in screen and "keyring?" not in screen


def test_wide_at_80_columns_shows_a_block_of_lines_per_connector(cli, monkeypatch):
    populate(cli)
    monkeypatch.delenv("COLUMNS")
    term = terminal.Terminal("connector", "list", "--wide", env={"TWILIO_US_TOKEN": US_TOKEN}, size=(60, 80))
    assert term.end() == 0
    blocks = [block.splitlines() for block in term.shown.strip("\n").split("\n\n")]
    assert [block[0] for block in blocks] == ["Name            Twilio EU", "Name            Twilio US", "Name            Staging"]
    assert blocks[1][4:7] == [f"From            {MG}", f"Account SID     {SID2}", "Server address  https://api.twilio.com/2010-04-01/Accounts"]
    assert blocks[1][-2:] == ["Used by         plans Gold, Silver", "Token           env:TWILIO_US_TOKEN"]
    assert all(len(line) <= 80 for block in blocks for line in block)


def test_piped_the_default_view_is_tab_separated_and_wide_adds_every_field(cli):
    populate(cli)
    env = {"TWILIO_US_TOKEN": US_TOKEN}
    lines = cli("connector", "list", env=env).stdout.splitlines()
    assert lines[0].split("\t") == ["Name", "Active", "From", "Used by", "Token"]
    assert lines[2].split("\t") == ["Twilio US", "yes", "MG…cdef", "plans Gold, Silver", "env:TWILIO_US_TOKEN"]
    wide = cli("connector", "list", "--wide", env=env).stdout.splitlines()
    assert wide[0].split("\t") == [
        "Name", "Provider", "Purpose", "Active", "From", "Account SID", "Server address", "Logo", "Used by", "Token",
    ]
    assert wide[1].split("\t")[5:] == [SID, "https://api.twilio.com/2010-04-01/Accounts", "", "default, plan Enterprise", "keyring"]


# --- the token source ---------------------------------------------------------------------


def test_json_has_the_server_address_and_the_token_source_and_wide_checks_the_keyring(cli):
    populate(cli)
    assert add(cli, "No token", account_sid=sid(5)).exit_code == 0
    keyring.delete_password("hubsms", sid(5))
    env = {"TWILIO_US_TOKEN": US_TOKEN}
    plain = {row["name"]: row for row in json.loads(cli("connector", "list", "--json", env=env).stdout)}
    checked = {row["name"]: row for row in json.loads(cli("connector", "list", "--json", "--wide", env=env).stdout)}
    assert plain["Twilio EU"]["server_address"] == "https://api.twilio.com/2010-04-01/Accounts"
    assert {name: row["token_source"] for name, row in plain.items()} == {
        "Twilio EU": "keyring?", "Twilio US": "env:TWILIO_US_TOKEN", "Staging": "keyring?", "No token": "keyring?",
    }
    assert {name: row["token_source"] for name, row in checked.items()} == {
        "Twilio EU": "keyring", "Twilio US": "env:TWILIO_US_TOKEN", "Staging": "keyring", "No token": "missing",
    }
    for row in checked.values():  # the same source as connector show gives
        shown = json.loads(cli("connector", "show", row["name"], "--json", env=env).stdout)
        assert shown["token_source"] == row["token_source"]


def test_hubsms_auth_token_is_the_source_of_every_connector(cli):
    populate(cli)
    rows = json.loads(cli("connector", "list", "--json", env={"HUBSMS_AUTH_TOKEN": TOKEN2}).stdout)
    assert {row["token_source"] for row in rows} == {"env:HUBSMS_AUTH_TOKEN"}
    assert TOKEN2 not in json.dumps(rows)


class CountingKeyring(KeyringBackend):
    """A real backend in memory that counts its lookups per account."""

    priority = 0.1

    def __init__(self, entries: dict[str, str]) -> None:
        super().__init__()
        self.entries = entries
        self.lookups: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.lookups.append(username)
        return self.entries.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[username] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop(username, None)


class LockedKeyring(CountingKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        super().get_password(service, username)
        raise KeyringLocked("locked")


def test_wide_looks_each_account_up_once(cli):
    for i, name in enumerate(["A", "B", "C", "D"]):  # A and B share an account, as C and D do
        assert add(cli, name, account_sid=SID if i < 2 else SID2).exit_code == 0
    backend = CountingKeyring({SID: TOKEN})
    keyring.set_keyring(backend)
    rows = json.loads(cli("connector", "list", "--json", "--wide").stdout)
    assert sorted(backend.lookups) == [SID, SID2]
    assert [row["token_source"] for row in rows] == ["keyring", "keyring", "missing", "missing"]


def test_a_locked_keyring_is_one_warning_and_the_list_still_shows(cli):
    for i, name in enumerate(["A", "B", "C"]):
        assert add(cli, name, account_sid=sid(10 + i)).exit_code == 0
    backend = LockedKeyring({})
    keyring.set_keyring(backend)
    result = cli("connector", "list", "--wide", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(backend.lookups) == 1  # not asked again: each call could wait for the timeout
    assert [row["token_source"] for row in json.loads(result.stdout)] == ["keyring?"] * 3
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: the keyring (test_views.LockedKeyring) is locked")


def test_without_wide_the_keyring_is_not_imported(cli, tmp_path):
    assert add(cli, "Mine").exit_code == 0
    script = (
        "import sys; from hubsms.cli.main import main; code = main(['connector', 'list', '--json']); "
        "assert 'keyring' not in sys.modules, 'keyring imported'; sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["token_source"] == "keyring?"


# --- nothing to list, and the help ---------------------------------------------------------


def test_a_config_path_that_does_not_exist_is_named(cli, tmp_path):
    missing = tmp_path / "typo" / "connectors.toml"
    expected = f"No connectors: the config file {missing} does not exist yet ({{}}). Add one: hubsms connector add"
    for result, origin in (
        (cli("connector", "list", "--config", str(missing)), "given by --config"),
        (run_hubsms("connector", "list", HUBSMS_CONFIG=str(missing)), "from $HUBSMS_CONFIG"),
    ):
        stderr = result.stderr
        assert (getattr(result, "exit_code", None) or getattr(result, "returncode", 0), result.stdout) == (0, "")
        assert stderr.startswith(expected.format(origin)), stderr
    assert not missing.parent.exists()
    assert cli("connector", "list", "--json", "--config", str(missing)).stdout == "[]\n"


def test_an_existing_file_without_connectors_is_named_too(cli, config_path: Path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("schema_version = 1\n")
    assert cli("connector", "list").stderr.startswith(f"No connectors in {config_path}. Add one:")
    assert add(cli, "On").exit_code == 0
    assert cli("connector", "list", "--inactive").stderr == f"No inactive connectors in {config_path}.\n"


def test_the_help_names_the_columns_it_shows(cli):
    text = " ".join(cli("connector", "list", "--help").stdout.split())
    assert "name, active, from, used by (the default SMS connector, plans)" in text
    assert "--wide" in text and "keyring?" in text
