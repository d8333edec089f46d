"""The dialog in a real pseudo-terminal: the installed program, driven with pexpect, no
testing aid (stdin really is a terminal). What the screen shows is checked, above all that
the auth token typed at the hidden prompt never appears on it.

The subprocess inherits the config path and the file keyring of tests/conftest.py."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import keyring
import pexpect
import pytest

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "5f4dcc3b5aa765d61d8327deb882cf99"
TOKEN2 = "9e107d9d372bb6826bd81d3542a419d6"

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")


def spawn(*args: str) -> tuple[pexpect.spawn, io.StringIO]:
    screen = io.StringIO()
    child = pexpect.spawn(
        sys.executable, ["-m", "hubsms", *args], env=dict(os.environ), encoding="utf-8",
        timeout=15, dimensions=(60, 120),
    )
    child.logfile_read = screen
    return child, screen


def plain(screen: io.StringIO) -> str:
    """What the screen shows, less colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())


def answer(child: pexpect.spawn, prompt: str, text: str = "") -> None:
    """Wait for the prompt before typing: a hidden prompt flushes what was typed ahead."""
    child.expect_exact(prompt)
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


def add_through_the_dialog(child: pexpect.spawn) -> None:
    answer(child, "Name: ", "My Twilio")
    answer(child, "Provider [Twilio]: ")
    child.expect_exact("Purpose: SMS Gateway")
    answer(child, "Logo (optional, Enter skips): ")
    answer(child, "Server Address [https://api.twilio.com/2010-04-01/Accounts]: ")
    answer(child, "Account SID: ", "AC123")
    child.expect_exact("invalid Account SID (5 characters, 34 needed)")
    answer(child, "Account SID: ", SID)
    answer(child, "Auth Token (hidden): ", TOKEN)
    answer(child, "From: ", "+12345678987")
    answer(child, "Active? [Y/n]: ")
    child.expect_exact("Summary")
    child.expect_exact("(hidden, 32 characters)")
    answer(child, "[F]inish, [B]ack or [C]ancel? [Finish]: ")


def test_add_at_a_real_terminal_shows_both_steps_and_never_the_token(config_path: Path):
    child, screen = spawn("connector", "add")
    add_through_the_dialog(child)
    child.expect_exact('Added connector "My Twilio"')
    assert finish(child) == 0
    shown = plain(screen)
    assert "Step 1 of 2 — Basic Information" in shown and "Step 2 of 2 — Details" in shown
    assert "Typing is not shown" in shown
    assert TOKEN not in shown
    assert f'account_sid = "{SID}"' in config_path.read_text()
    assert keyring.get_password("hubsms", SID) == TOKEN


def test_dialog_result_equals_the_flags_command(config_path: Path, tmp_path: Path):
    child, _ = spawn("connector", "add")
    add_through_the_dialog(child)
    assert finish(child) == 0
    by_dialog = config_path.read_text()
    other = tmp_path / "flags.toml"
    keyring.delete_password("hubsms", SID)
    done = subprocess.run(
        [sys.executable, "-m", "hubsms", "connector", "add", "My Twilio", "--account-sid", SID,
         "--from", "+12345678987", "--auth-token-stdin", "--config", str(other)],
        input=TOKEN + "\n", capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert other.read_text() == by_dialog
    assert keyring.get_password("hubsms", SID) == TOKEN


def test_ctrl_c_at_the_hidden_token_prompt_exits_130_and_writes_nothing(config_path: Path):
    child, screen = spawn("connector", "add")
    answer(child, "Name: ", "My Twilio")
    answer(child, "Provider [Twilio]: ")
    answer(child, "Logo (optional, Enter skips): ")
    answer(child, "Server Address [https://api.twilio.com/2010-04-01/Accounts]: ")
    answer(child, "Account SID: ", SID)
    child.expect_exact("Auth Token (hidden): ")
    child.send(TOKEN[:10])
    child.sendintr()
    child.expect_exact("interrupted")
    assert finish(child) == 130
    assert "Traceback" not in plain(screen) and TOKEN[:10] not in plain(screen)
    assert not config_path.exists()
    assert keyring.get_password("hubsms", SID) is None


def test_edit_at_a_real_terminal_keeps_the_token_on_enter_and_can_replace_it(config_path: Path):
    child, _ = spawn("connector", "add")
    add_through_the_dialog(child)
    assert finish(child) == 0
    child, screen = spawn("connector", "edit", "My Twilio")
    answer(child, "Name [My Twilio]: ")
    answer(child, "Provider [Twilio]: ")
    answer(child, "Logo (optional, Enter skips): ")
    answer(child, "Server Address [https://api.twilio.com/2010-04-01/Accounts]: ")
    answer(child, f"Account SID [{SID}]: ")
    answer(child, "Auth Token (hidden; Enter keeps the token stored for AC…cdef): ", TOKEN2)
    answer(child, "From [+12345678987]: ", "+12345678988")
    answer(child, "Active? [Y/n]: ", "n")
    child.expect_exact("(hidden, 32 characters), to be stored in the keyring")
    answer(child, "[F]inish, [B]ack or [C]ancel? [Finish]: ", "f")
    child.expect_exact('Saved connector "My Twilio"')
    assert finish(child) == 0
    assert TOKEN2 not in plain(screen)
    text = config_path.read_text()
    assert 'from = "+12345678988"' in text and "active = false" in text
    assert keyring.get_password("hubsms", SID) == TOKEN2


def test_without_a_terminal_nothing_is_asked_and_the_missing_name_is_a_usage_error(config_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "hubsms", "connector", "add", "--account-sid", SID, "--from", "+12345678987"],
        input="", capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: missing NAME\nhint: ")
    assert "Step 1" not in done.stderr and done.stdout == ""
    assert not config_path.exists()


def test_no_input_at_a_real_terminal_asks_nothing(config_path: Path):
    child, screen = spawn("connector", "add", "--no-input", "My Twilio", "--from", "+12345678987")
    assert finish(child) == 2
    assert "error: missing --account-sid" in plain(screen)
    assert "Step 1" not in plain(screen)
