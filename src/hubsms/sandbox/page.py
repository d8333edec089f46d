"""The page at ``/``: captured messages newest first, refreshed every second.

Plain HTML, CSS and JavaScript, no build step. Message text only ever reaches the page
through ``textContent``, and the Content-Security-Policy allows no inline script, so a
body such as ``<script>`` shows as text.
"""

from __future__ import annotations

from typing import Final

HEADERS: Final = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

HTML: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hubsms sandbox</title>
<link rel="stylesheet" href="/page.css">
<script src="/page.js" defer></script>
</head>
<body>
<header>
  <h1>hubsms sandbox</h1>
  <p class="sub">Messages captured by the Twilio-compatible SMS sink, newest first.
  Point a connector at <code id="accounts"></code>.</p>
  <p id="state" class="state">loading&hellip;</p>
</header>
<main>
  <table id="messages">
    <thead><tr><th>Time</th><th>To</th><th>From</th><th>Status</th><th>Code</th><th>Body</th></tr></thead>
    <tbody></tbody>
  </table>
  <p id="empty" class="empty" hidden>No messages yet. Send one to <code>POST
  /2010-04-01/Accounts/{AccountSid}/Messages.json</code>.</p>
  <noscript><p class="empty">This page needs JavaScript; the same data is at
  <a href="/api/messages">/api/messages</a>.</p></noscript>
</main>
</body>
</html>
"""

CSS: Final = """
:root { color-scheme: light dark; --line: #d0d7de; --muted: #57606a; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { padding: 1.2rem 1.5rem 0.6rem; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 0.3rem; font-size: 1.4rem; }
.sub, .state { margin: 0.2rem 0; color: var(--muted); }
main { padding: 1rem 1.5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
td.time, td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.sender { word-break: break-all; max-width: 14rem; }
td.state-cell { white-space: nowrap; }
td.body { white-space: pre-wrap; word-break: break-word; max-width: 40rem; }
td.code { font: 600 1rem ui-monospace, monospace; color: var(--accent); }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 1rem; font-size: 0.8rem;
          background: #eaeef2; color: #24292f; }
.status.delivered, .status.sent { background: #dafbe1; color: #116329; }
.status.undelivered, .status.failed { background: #ffebe9; color: #a40e26; }
.status.queued, .status.accepted, .status.sending { background: #fff8c5; color: #7d4e00; }
.error { display: block; font-size: 0.75rem; color: #a40e26; }
.empty { color: var(--muted); }
"""

JS: Final = """
"use strict";
const COLUMNS = ["date_created", "to", "from", "status", "code", "body"];
const CLASSES = {date_created: "time", to: "num", from: "sender", status: "state-cell", code: "code", body: "body"};

function cell(message, key) {
  const td = document.createElement("td");
  td.className = CLASSES[key] || key;
  if (key === "status") {
    const badge = document.createElement("span");
    badge.className = "status " + String(message.status).replace(/[^a-z_]/g, "");
    badge.textContent = message.status;
    td.appendChild(badge);
    if (message.error_code) {
      const why = document.createElement("span");
      why.className = "error";
      why.textContent = message.error_code + " " + (message.error_message || "");
      td.appendChild(why);
    }
  } else {
    const value = key === "from" ? (message.from || message.messaging_service_sid) : message[key];
    td.textContent = value === null || value === undefined ? "" : String(value);
  }
  return td;
}

function render(messages) {
  const rows = messages.map((message) => {
    const tr = document.createElement("tr");
    tr.dataset.sid = message.sid;
    COLUMNS.forEach((key) => tr.appendChild(cell(message, key)));
    return tr;
  });
  document.querySelector("#messages tbody").replaceChildren(...rows);
  document.getElementById("empty").hidden = messages.length > 0;
  document.getElementById("state").textContent =
    messages.length + " message" + (messages.length === 1 ? "" : "s") +
    " \\u00b7 updated " + new Date().toLocaleTimeString();
}

async function refresh() {
  try {
    const answer = await fetch("/api/messages?limit=200", {cache: "no-store"});
    if (!answer.ok) throw new Error("HTTP " + answer.status);
    render((await answer.json()).messages);
  } catch (err) {
    document.getElementById("state").textContent = "sandbox unreachable (" + err.message + "), retrying";
  } finally {
    setTimeout(refresh, 1000);
  }
}

document.getElementById("accounts").textContent = location.origin + "/2010-04-01/Accounts";
refresh();
"""

_ASSETS: Final = {
    "/": ("text/html; charset=utf-8", HTML.encode()),
    "/index.html": ("text/html; charset=utf-8", HTML.encode()),
    "/page.css": ("text/css; charset=utf-8", CSS.encode()),
    "/page.js": ("text/javascript; charset=utf-8", JS.encode()),
}


def asset(path: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of a page file, or None."""
    return _ASSETS.get(path)
