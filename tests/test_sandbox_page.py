"""The page at / in a real browser (headless Chromium): lists messages newest first,
escapes user text, refreshes itself, filters by connector, recipient and status, shows one
message in a detail view, and clears all messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from browser import Browser, dump_dom, needs_chromium

XSS = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
OTHER_SID = "AC" + "e" * 32
SERVICE = "MG" + "a" * 32


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
    dom = dump_dom(tmp_path, "--virtual-time-budget=5000", sandbox.url + "/")
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
    dom = dump_dom(tmp_path, "--virtual-time-budget=5000", sandbox.url + "/")
    assert len(polls) >= 2
    assert "909090" in dom


@needs_chromium
def test_the_page_says_so_when_there_are_no_messages(sandbox, tmp_path) -> None:
    dom = dump_dom(tmp_path, "--virtual-time-budget=3000", sandbox.url + "/")
    assert re.search(r'<p id="empty" class="empty">', dom)  # no longer hidden
    assert "0 messages" in dom


# --- filters, detail view, clear all (the page driven through the DevTools protocol) --------


@pytest.fixture
def browser(tmp_path) -> Iterator[Browser]:
    driven = Browser(tmp_path / "browser-profile")
    yield driven
    driven.close()


def choose(browser: Browser, element_id: str, value: str) -> None:
    """Set a filter as a person does: the value, then the event the page listens to."""
    event = "input" if element_id == "f-to" else "change"
    browser.evaluate(f'(() => {{ const e = document.getElementById("{element_id}"); e.value = {json.dumps(value)};'
                     f' e.dispatchEvent(new Event("{event}")); }})()')


def shows(browser: Browser, sids: list[str]) -> None:
    browser.wait_for(f"JSON.stringify([...document.querySelectorAll('#messages tbody tr')]"
                     f".map(r => r.dataset.sid)) === {json.dumps(json.dumps(sids, separators=(',', ':')))}")


def send_from_three_connectors(sandbox) -> dict[str, str]:
    """Messages from two senders of the fixture's account and one of another account; one
    of them fails. Returns their SIDs by a short name."""
    sandbox.outcome("+15550000003", "failed", 30008)
    sids = {
        "a": sandbox.send(to="+15550000001", body="code 111111").json()["sid"],
        "b": sandbox.send(to="+15550000002", from_=None, MessagingServiceSid=SERVICE, body="code 222222").json()["sid"],
        "c": sandbox.send(to="+15550000003", body="code 333333").json()["sid"],
    }
    other = sandbox.http.post(f"{sandbox.accounts_url}/{OTHER_SID}/Messages.json", auth=(OTHER_SID, "x"),
                              data={"To": "+15550000001", "From": "+15005550006", "Body": "code 444444"}, timeout=10)
    sids["d"] = other.json()["sid"]
    return sids


@needs_chromium
def test_the_page_filters_by_connector_recipient_and_status(sandbox, browser) -> None:
    sids = send_from_three_connectors(sandbox)
    browser.open(sandbox.url + "/")
    shows(browser, [sids["d"], sids["c"], sids["b"], sids["a"]])
    choose(browser, "f-status", "failed")
    shows(browser, [sids["c"]])
    assert parse_qs(urlsplit(browser.evaluate("location.href")).query) == {"status": ["failed"]}
    assert "1 of 4 messages shown" in browser.evaluate('document.getElementById("state").textContent')
    choose(browser, "f-status", "")
    choose(browser, "f-to", "0000001")  # part of a number
    shows(browser, [sids["d"], sids["a"]])
    choose(browser, "f-connector", f"{OTHER_SID} +15005550006")
    shows(browser, [sids["d"]])
    choose(browser, "f-to", "")
    choose(browser, "f-connector", f"{sandbox.account_sid} {SERVICE}")  # a Messaging Service is a sender
    shows(browser, [sids["b"]])
    labels = browser.evaluate('[...document.getElementById("f-connector").options].map(o => o.textContent)')
    assert labels == ["all", f"+15005550006 \u00b7 {sandbox.account_sid}", f"{SERVICE} \u00b7 {sandbox.account_sid}",
                      f"+15005550006 \u00b7 {OTHER_SID}"]
    choose(browser, "f-status", "failed")
    browser.wait_for('!document.getElementById("no-match").hidden')  # only "c" failed, and not there
    browser.evaluate('document.getElementById("f-reset").click()')
    shows(browser, [sids["d"], sids["c"], sids["b"], sids["a"]])
    assert urlsplit(browser.evaluate("location.href")).query == ""


@needs_chromium
def test_filters_in_the_address_apply_when_the_page_opens(sandbox, browser) -> None:
    sids = send_from_three_connectors(sandbox)
    browser.open(f"{sandbox.url}/?to=%2B15550000001&connector={sandbox.account_sid}+%2B15005550006")
    shows(browser, [sids["a"]])
    assert browser.evaluate('document.getElementById("f-to").value') == "+15550000001"


@needs_chromium
def test_a_click_on_a_message_opens_its_detail_view(sandbox, browser) -> None:
    sandbox.outcome("+15550000003", "undelivered", 30003)
    sid = sandbox.send(to="+15550000003", body=XSS + " code 654321").json()["sid"]
    browser.open(sandbox.url + "/")
    shows(browser, [sid])
    browser.evaluate(f'document.querySelector("tr[data-sid={sid}] td.body").click()')
    browser.wait_for('!document.getElementById("detail").hidden')
    assert browser.evaluate("location.hash") == "#" + sid
    assert browser.evaluate('document.getElementById("list").hidden') is True
    fields = browser.evaluate('Object.fromEntries([...document.querySelectorAll("#detail dd")]'
                              '.map(d => [d.dataset.field, d.textContent]))')
    stored = next(m for m in sandbox.messages() if m["sid"] == sid)
    for key in ("sid", "to", "from", "account_sid", "status", "error_code", "error_message", "code",
                "date_created", "num_segments"):
        assert fields[key] == ("" if stored[key] is None else str(stored[key])), key
    assert (fields["status"], fields["error_code"], fields["code"]) == ("undelivered", "30003", "654321")
    assert browser.evaluate('document.getElementById("detail-body").textContent') == stored["body"]
    assert browser.evaluate("document.title") == "hubsms sandbox"  # the body was shown, never run
    assert browser.evaluate('document.querySelectorAll("#detail img, #detail script").length') == 0
    browser.evaluate('document.getElementById("back").click()')
    browser.wait_for('!document.getElementById("list").hidden && document.getElementById("detail").hidden')


@needs_chromium
def test_a_detail_address_opens_the_message_or_says_it_is_gone(sandbox, browser) -> None:
    sid = sandbox.send(body="code 123123").json()["sid"]
    browser.open(f"{sandbox.url}/#{sid}")
    browser.wait_for(f'document.querySelector("#detail dd[data-field=sid]")?.textContent === "{sid}"')
    gone = "SM" + "0" * 32
    browser.evaluate(f'location.hash = "{gone}"')
    browser.wait_for('!document.getElementById("detail-missing").hidden')
    assert browser.evaluate('document.querySelectorAll("#detail dd").length') == 0


@needs_chromium
def test_clear_all_deletes_every_message_on_the_second_click(sandbox, browser) -> None:
    for n in range(3):
        sandbox.send(to=f"+1555000000{n}", body=f"code {n}00000")
    browser.open(sandbox.url + "/")
    browser.wait_for('document.querySelectorAll("#messages tbody tr").length === 3')
    browser.evaluate('document.getElementById("clear").click()')
    assert "3" in browser.evaluate('document.getElementById("clear").textContent')  # asks first
    assert len(sandbox.messages()) == 3
    browser.evaluate('document.getElementById("clear").click()')
    browser.wait_for('!document.getElementById("empty").hidden')
    assert sandbox.messages() == []
    assert browser.evaluate('document.getElementById("clear").textContent') == "Clear all messages"
