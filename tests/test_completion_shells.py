"""Shell completion at the prompt of real bash, zsh and fish, each loading the script of
``hubsms completion SHELL``: what a TAB really puts on the command line for a plain prefix, a
name with spaces, inside an open double quote and inside an open single quote, and which names
the shell lists when several fit. A key bound in each shell prints its command line."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
import terminal
from helpers import HUBSMS, SID2, add

SHELLS = ["bash", "zsh", "fish"]
# What the bound key prints: the command line and the number of the current request (in the file
# "request" of the shell's home), between << >>: a line printed for an earlier request is not taken.
LINE = "<<(.*?)\\|{request}>>"
CHARSET = re.compile(r"\x1b[()][0-9A-Z]")  # fish's character set switches, around what is typed
QUOTES = ["plain", "double-quote", "single-quote"]

pytestmark = terminal.POSIX_ONLY


@pytest.fixture
def names(cli):
    for name, sid in (("Twilio EU", None), ("Twilio US: Backup", SID2), ("Staging", None), ("O'Brien $x", None)):
        assert add(cli, name, **({"account_sid": sid} if sid else {})).exit_code == 0


class Prompt:
    """An interactive ``shell`` that has loaded hubsms's completion script."""

    def __init__(self, shell: str, home: Path) -> None:
        if shutil.which(shell) is None:
            pytest.skip(f"{shell} is not installed (apt-get install {shell})")
        home.mkdir()
        path = f"{HUBSMS.parent}{os.pathsep}{os.environ['PATH']}"
        env = {**os.environ, "HOME": str(home), "PATH": path, "ZDOTDIR": str(home), "XDG_CONFIG_HOME": str(home)}
        if shell == "bash":
            (home / "rc").write_text(
                'PS1="$ "\nsource <(hubsms completion bash)\n'
                """bind -x '"\\C-x": printf "<<%s|%s>>\\n" "$READLINE_LINE" "$(<~/request)"'\n"""
            )
            argv = ["--noprofile", "--rcfile", str(home / "rc"), "-i"]
        elif shell == "zsh":
            (home / ".zshrc").write_text(
                'PS1="$ "\nautoload -Uz compinit && compinit -u -D\neval "$(hubsms completion zsh)"\n'
                'show-line() { print -r -- "<<$BUFFER|$(<~/request)>>" > /dev/tty }\nzle -N show-line && bindkey "^X" show-line\n'
            )
            argv = ["-d", "-i"]  # no global rc files: only this one
        else:
            (home / "fish").mkdir()
            (home / "fish" / "config.fish").write_text(
                "set -g fish_greeting\nfunction fish_prompt; echo -n '$ '; end\n"
                "hubsms completion fish | source\nbind \\cx 'echo \"<<\"(commandline)\"|\"(cat ~/request)\">>\"'\n"
            )
            argv = ["-i"]
            env["FISH_UNIT_TESTS_RUNNING"] = "1"  # else each new fish parses every man page in the background
        self.shell = shell
        self.request = home / "request"
        self.request.write_text("0")
        self.screen = io.StringIO()  # everything shown, for the message of a failure
        self.child = pexpect.spawn(shell, argv, env=env, encoding="utf-8", timeout=terminal.TIMEOUT, dimensions=(24, 200))
        self.child.logfile_read = self.screen
        self.child.expect_exact("$ ")

    def complete(self, typed: str, tabs: int = 1) -> tuple[str, str]:
        """Type ``typed``, press TAB ``tabs`` times: the command line then, and what the
        screen showed meanwhile (a list of candidates). The line is cleared afterwards."""
        self.child.send(typed + "\t" * tabs)
        line, shown = self.line()
        for _ in range(5):  # Ctrl-C clears the line; fish's first may only close its list
            self.child.sendintr()
            if self.line()[0] == "":
                return line, shown
        raise AssertionError(f"{self.shell} did not clear its command line: {self.screen.getvalue()[-300:]!r}")

    def line(self) -> tuple[str, str]:
        """The command line, as the bound key prints it, and what the screen showed until then.
        The key is pressed again while nothing comes: fish can miss a key typed during a completion."""
        request = int(self.request.read_text()) + 1
        self.request.write_text(str(request))
        shown = ""
        for _ in range(terminal.TIMEOUT // 2):
            self.child.send("\x18")
            found = self.child.expect([LINE.format(request=request), pexpect.TIMEOUT], timeout=2)
            shown += self.child.before
            if found == 0:
                return self.child.match.group(1), terminal.COLOUR.sub("", shown)
        raise AssertionError(f"{self.shell} never showed its command line: {self.screen.getvalue()[-300:]!r}")

    def close(self) -> None:
        self.child.close(force=True)


@pytest.fixture(params=SHELLS)
def prompt(request, names, tmp_path) -> Iterator[Prompt]:
    shell = Prompt(request.param, tmp_path / "home")
    yield shell
    shell.close()


SHOW = "hubsms connector show "

# (typed after `hubsms connector show `, the command line after one TAB) in every shell
ONE_NAME = [
    ("Sta", "Staging "),  # a plain prefix
    ("twilio\\ e", "Twilio\\ EU "),  # a name with spaces, typed with a backslash, case ignored
    ('"Twilio E', '"Twilio EU" '),  # inside an open double quote
    ("'Twilio E", "'Twilio EU' "),  # inside an open single quote
    ('"Twilio US', '"Twilio US: Backup" '),  # a colon inside quotes
    ('"O', '"O\'Brien \\$x" '),  # the $ escaped where double quotes need it
]


@pytest.mark.parametrize(("typed", "completed"), ONE_NAME, ids=["prefix", "spaces", "double-quote", "single-quote", "colon", "dollar"])
def test_one_fitting_name_is_completed_as_the_shell_reads_it(prompt, typed, completed):
    line, _ = prompt.complete(SHOW + typed)
    assert line == SHOW + completed


def test_a_single_quote_in_a_name_is_written_as_each_shell_reads_it(prompt):
    line, _ = prompt.complete(SHOW + "'O")
    # bash and zsh end the quote, add an escaped one and open it again; fish escapes it inside
    assert line == SHOW + ("'O\\'Brien $x' " if prompt.shell == "fish" else "'O'\\''Brien $x' ")


@pytest.mark.parametrize(("typed", "completed"), [("Twi", "Twilio\\ "), ('"Twi', '"Twilio '), ("'Twi", "'Twilio ")], ids=QUOTES)
def test_several_fitting_names_complete_to_their_common_start(prompt, typed, completed):
    line, _ = prompt.complete(SHOW + typed)
    assert line == SHOW + completed


@pytest.mark.parametrize("typed", ["Twilio\\ ", '"Twilio ', "'Twilio "], ids=QUOTES)
def test_several_fitting_names_are_listed(prompt, typed):
    line, shown = prompt.complete(SHOW + typed, tabs=2 if prompt.shell == "bash" else 1)  # bash lists at the second
    assert line == SHOW + typed
    listed = CHARSET.sub("", shown).replace("\\ ", " ")
    assert "Twilio EU" in listed and "Twilio US: Backup" in listed
    assert "Staging" not in listed


def test_a_name_completed_inside_quotes_is_the_name_the_command_gets(prompt):
    prompt.child.send(SHOW + '"O\t')
    prompt.child.sendline("")
    prompt.child.expect(r"name +O'Brien \$x\r\n")


def test_bash_completes_after_a_colon_or_an_equals_sign_outside_quotes(names, tmp_path):
    """bash's readline splits words at ':' and '=' (COMP_WORDBREAKS): only the rest is replaced."""
    prompt = Prompt("bash", tmp_path / "home")
    try:
        assert prompt.complete(SHOW + "Twilio\\ US:\\ B")[0] == SHOW + "Twilio\\ US:\\ Backup "
        assert prompt.complete(SHOW + "twilio\\ us:")[0] == SHOW + "twilio\\ us:\\ Backup "
        send = "hubsms otp send --to +15005550006 --connector="
        assert prompt.complete(send + "Twilio\\ E")[0] == send + "Twilio\\ EU "
        assert prompt.complete(send + '"Twilio E')[0] == send + '"Twilio EU" '
    finally:
        prompt.close()
