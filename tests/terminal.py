"""hubsms in a real pseudo-terminal, driven with pexpect: what a person at a terminal sees and
types. Its stdin really is a terminal, so hubsms asks; hidden input is really not echoed.

The child inherits the test's environment, so its config file and file keyring
(tests/conftest.py); ``env`` adds to it."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pexpect
import pytest

# Pseudo-terminals are POSIX: a test module that uses this one marks itself with it.
POSIX_ONLY = pytest.mark.skipif(sys.platform.startswith("win"), reason="pseudo-terminals are POSIX")
TIMEOUT = 10  # seconds for one prompt or one ending; a dialog step takes milliseconds
COLOUR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colour codes, and cursor ones of a live display


class Terminal:
    """``python -m hubsms ARGS`` at a terminal of ``size`` (rows, columns; default 60 x 200);
    ``stdout`` (a path) takes its standard output away from the terminal, to check what a
    command writes there; ``timeout`` bounds each wait."""

    def __init__(
        self, *args: str, env: dict[str, str] | None = None, stdout: Path | None = None, size: tuple[int, int] = (60, 200),
        timeout: float = TIMEOUT,
    ) -> None:
        self.screen = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable, ["-m", "hubsms", *args], env={**os.environ, **(env or {})}, encoding="utf-8",
            timeout=timeout, dimensions=size, preexec_fn=None if stdout is None else _stdout_to(stdout),
        )
        self.child.delaybeforesend = None  # each answer waits for its prompt instead
        self.child.delayafterclose = 0
        self.child.logfile_read = self.screen

    def answer(self, label: str, text: str = "") -> None:
        """At the prompt of ``label`` (its default or note may follow), type ``text`` and
        Enter. Waiting for the prompt matters: a hidden one discards what was typed before it."""
        self.wait_for(label)
        self.child.sendline(text)

    def wait_for(self, label: str) -> None:
        """Wait for the prompt that starts a line with ``label``, up to its final ": "."""
        self.child.expect("(?:^|\n)" + re.escape(label) + r"[^\r\n]*: ")

    def answers(self, pairs: Iterable[tuple[str, str]]) -> None:
        for label, text in pairs:
            self.answer(label, text)

    def expect(self, text: str) -> None:
        """Wait until the screen shows ``text``."""
        self.child.expect_exact(text)

    def interrupt_at(self, label: str, typed: str = "") -> None:
        """Ctrl-C at the prompt of ``label``, after typing ``typed`` (without Enter)."""
        self.wait_for(label)
        self.child.send(typed)
        self.child.sendintr()

    def end_input_at(self, label: str) -> None:
        """Ctrl-D (the end of input) at the prompt of ``label``."""
        self.wait_for(label)
        self.child.sendeof()

    def end(self) -> int:
        """Wait for hubsms to exit; its exit status."""
        self.child.expect(pexpect.EOF)
        self.child.wait()
        self.child.close()  # without the pause pexpect makes for a child that might still run
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus

    @property
    def shown(self) -> str:
        """Everything the screen showed, less colour codes, with plain line ends."""
        return COLOUR.sub("", self.screen.getvalue()).replace("\r\n", "\n")


def run(
    *args: str, answers: Iterable[tuple[str, str]] = (), env: dict[str, str] | None = None, **options: Any
) -> tuple[int, str]:
    """Run hubsms at a terminal (``options``: Terminal's size, timeout), answer its prompts in
    turn; its exit status and screen."""
    term = Terminal(*args, env=env, **options)
    term.answers(answers)
    return term.end(), term.shown


def _stdout_to(path: Path):
    def redirect() -> None:  # in the child, before hubsms starts
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)

    return redirect
