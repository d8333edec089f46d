"""The page at / in a real browser (headless Chromium): lists messages newest first,
escapes user text, refreshes itself."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
XSS = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


def chromium(tmp_path: Path, *args: str, timeout: float = 60) -> str:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    return done.stdout


def test_the_page_and_its_assets_are_served_with_a_strict_policy(sandbox) -> None:
    page = sandbox.http.get(sandbox.url + "/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self' only
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert '<script src="/page.js"' in page.text and "<script>" not in page.text
    for asset, kind in (("/page.js", "text/javascript"), ("/page.css", "text/css")):
        answer = sandbox.http.get(sandbox.url + asset, timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)
    assert "textContent" in sandbox.http.get(sandbox.url + "/page.js", timeout=10).text
    assert "innerHTML" not in sandbox.http.get(sandbox.url + "/page.js", timeout=10).text


@needs_chromium
def test_the_page_lists_messages_newest_first_and_escapes_them(sandbox, tmp_path) -> None:
    sandbox.send(to="+15550000001", body="Your code is 111111")
    sandbox.send(to="+15550000002", body=XSS)
    sandbox.send(to="+15550000003", from_="SigningHub", body="Your code is 333333")
    dom = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", sandbox.url + "/")
    rows = re.findall(r"<tr data-sid=\"(SM[0-9a-f]{32})\">(.*?)</tr>", dom, re.S)
    listed = [m["sid"] for m in sandbox.messages()]
    assert [sid for sid, _ in rows] == listed  # newest first, as the API
    assert "+15550000003" in rows[0][1] and "SigningHub" in rows[0][1] and "333333" in rows[0][1]
    assert "&lt;img src=x onerror=" in dom and "&lt;script&gt;" in dom
    assert "<img" not in dom
    assert "<title>hubsms sandbox</title>" in dom  # the injected script never ran
    assert "delivered" in dom and "3 messages" in dom


@needs_chromium
def test_the_page_refreshes_itself_when_a_message_arrives(sandbox, tmp_path, monkeypatch) -> None:
    # A message arrives right after the page's first poll was answered, so only a later
    # poll of the page itself can show it.
    app = sandbox.server.sandbox
    original = app.handle
    polls: list[str] = []

    def handle_then_send(request):
        response = original(request)
        if request.path == "/api/messages":
            polls.append(request.path)
            if len(polls) == 1:
                sandbox.send(to="+15550000009", body="Arrived later 909090")
        return response

    monkeypatch.setattr(app, "handle", handle_then_send)
    dom = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", sandbox.url + "/")
    assert len(polls) >= 2
    assert "909090" in dom


@needs_chromium
def test_the_page_says_so_when_there_are_no_messages(sandbox, tmp_path) -> None:
    dom = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=3000", sandbox.url + "/")
    assert re.search(r'<p id="empty" class="empty">', dom)  # no longer hidden
    assert "0 messages" in dom
