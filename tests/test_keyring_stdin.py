"""The one reader of an auth token on stdin, in real processes: piped, it reads the first
line; at a pseudo-terminal it asks without echo, and Ctrl-D cancels."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pexpect
import pytest
from helpers import TOKEN

from hubsms.cli import common
from hubsms.errors import InvalidValue

READER = (
    "import sys\n"
    "from hubsms.cli.common import read_token_from_stdin\n"
    "try:\n"
    "    token = read_token_from_stdin(*sys.argv[1:])\n"
    "except EOFError:\n"
    "    print('EOF'); sys.exit(130)\n"
    "print('read', len(token), 'characters, ends', token[-4:])\n"
)


def test_a_piped_token_is_its_first_line_trimmed():
    result = subprocess.run(
        [sys.executable, "-c", READER], input=f"  {TOKEN}  \nmore\n", capture_output=True, text=True, timeout=20
    )
    assert result.stdout == f"read 32 characters, ends {TOKEN[-4:]}\n", result.stderr
    assert result.stderr == ""  # no prompt when piped


def test_a_token_without_a_final_newline_is_read_whole():
    assert common.read_token_stream(io.StringIO(TOKEN)) == TOKEN


@pytest.mark.parametrize("text", ["", "\n", "   \n", "\nsecond line\n"])
def test_empty_stdin_is_a_usage_error_naming_the_flag(text):
    with pytest.raises(InvalidValue, match="--auth-token-stdin") as info:
        common.read_token_stream(io.StringIO(text))
    assert info.value.exit_code == 2
    assert "printf" in info.value.hint


@pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")
def test_at_a_terminal_the_token_is_asked_for_without_echo():
    screen = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-c", READER, "Token for Main: "], env=dict(os.environ), encoding="utf-8", timeout=15)
    child.logfile_read = screen
    child.expect_exact("Token for Main: ")
    child.sendline(TOKEN)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert f"read 32 characters, ends {TOKEN[-4:]}" in screen.getvalue()
    assert TOKEN not in screen.getvalue()


@pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")
def test_ctrl_d_at_the_prompt_is_end_of_file():
    child = pexpect.spawn(sys.executable, ["-c", READER], env=dict(os.environ), encoding="utf-8", timeout=15)
    child.expect_exact("Auth token (hidden): ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "EOF" in child.before
