"""Headless Chromium for the page tests: ``--dump-dom`` for a page as it loads, and
``Browser``, which drives a page (clicks, typing, reading it back) through the DevTools
protocol over ``--remote-debugging-pipe``: JSON messages ending in a NUL byte, written to the
browser's fd 3 and read from its fd 4. Standard library only, no port to open."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def chromium_command(profile: Path, *args: str) -> list[str]:
    return [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args,
    ]


def dump_dom(tmp_path: Path, *args: str, timeout: float = 60) -> str:
    """The DOM of a page after it ran (``--dump-dom``; pass the URL and a virtual-time budget)."""
    done = subprocess.run(chromium_command(tmp_path / "profile", "--dump-dom", *args),
                          capture_output=True, text=True, timeout=timeout)
    return done.stdout


class BrowserError(AssertionError):
    """The browser answered a command with an error, or a condition never came true."""


class Browser:
    """One headless Chromium with one tab, driven over the DevTools pipe."""

    def __init__(self, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser must find the pipe's ends at fds 3 and 4: a small Python puts them there
        # and becomes the browser (no preexec_fn, which is unsafe with the sandbox's threads).
        exec_at_3_and_4 = ("import fcntl, os, sys; "  # first above 9: either end may be fd 3 or 4
                           "high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]; "
                           "os.dup2(high[0], 3); os.dup2(high[1], 4); os.execv(sys.argv[3], sys.argv[3:])")
        command = chromium_command(profile, "--remote-debugging-pipe", "about:blank")
        self.process = subprocess.Popen(
            [sys.executable, "-c", exec_at_3_and_4, str(to_browser_r), str(from_browser_w), *command],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        try:
            target = self.command("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.command("Runtime.enable", session=True)
            self.command("Page.enable", session=True)
        except BaseException:  # no test gets the browser: it is not left running
            self.close()
            raise

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            # a browser that hangs with its pipe open must fail the test, not block it
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 65536)
            if not chunk:
                raise BrowserError("the browser closed its pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def command(self, method: str, session: bool = False, timeout: float = 30, **params: Any) -> dict[str, Any]:
        """Send one command (to the tab when ``session``) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer["result"]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.command("Runtime.evaluate", session=True, expression=expression,
                              awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.command("Page.navigate", session=True, url=url)
        self.wait_for("document.readyState === 'complete'")

    def wait_for(self, condition: str, timeout: float = 15) -> Any:
        """Poll a JavaScript condition until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(condition)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"never true: {condition}")
            time.sleep(0.05)

    def close(self) -> None:
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
