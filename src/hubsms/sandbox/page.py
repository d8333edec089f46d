"""The page at ``/``: captured messages newest first, refreshed every second; filters by
connector (Account SID and sender), recipient and status, kept in the address
(``/?connector=&to=&status=``); a detail view of one message (``/#SM...``); and a button that
clears all messages (two clicks).

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
  <h1><a href="#" id="home">hubsms sandbox</a></h1>
  <p class="sub">Messages captured by the Twilio-compatible SMS sink, newest first.
  Point a connector at <code id="accounts"></code>.</p>
  <div class="toolbar">
    <label>Connector <select id="f-connector"><option value="">all</option></select></label>
    <label>Recipient <input id="f-to" type="search" placeholder="+1555&hellip;" autocomplete="off"></label>
    <label>Status <select id="f-status"><option value="">all</option></select></label>
    <button type="button" id="f-reset">Show all</button>
    <button type="button" id="clear" class="danger">Clear all messages</button>
  </div>
  <p id="state" class="state">loading&hellip;</p>
</header>
<main>
  <section id="list">
    <table id="messages">
      <thead><tr><th>Time</th><th>To</th><th>From</th><th>Status</th><th>Code</th><th>Body</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="empty" class="empty" hidden>No messages yet. Send one to <code>POST
    /2010-04-01/Accounts/{AccountSid}/Messages.json</code>.</p>
    <p id="no-match" class="empty" hidden>No message matches the filters.</p>
  </section>
  <section id="detail" hidden>
    <p><a href="#" id="back">&larr; All messages</a></p>
    <h2 id="detail-title"></h2>
    <p id="detail-missing" class="empty" hidden>This message is not in the sandbox (any more).</p>
    <dl id="detail-fields"></dl>
    <h3>Body</h3>
    <pre id="detail-body"></pre>
  </section>
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
h1 a { color: inherit; text-decoration: none; }
.sub, .state { margin: 0.2rem 0; color: var(--muted); }
.toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.6rem 0 0.2rem; }
.toolbar label { display: flex; flex-direction: column; font-size: 0.8rem; color: var(--muted); }
.toolbar select, .toolbar input, .toolbar button { font: inherit; padding: 0.2rem 0.4rem; }
button.danger { margin-left: auto; color: #a40e26; }
button.danger.armed { background: #a40e26; color: #fff; }
main { padding: 1rem 1.5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); }
th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
tbody tr { cursor: pointer; }
tbody tr:hover { background: rgba(9, 105, 218, 0.06); }
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
#detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
#detail dt { color: var(--muted); }
#detail dd { margin: 0; word-break: break-all; }
#detail pre { white-space: pre-wrap; word-break: break-word; padding: 0.6rem; border: 1px solid var(--line); }
"""

JS: Final = """
"use strict";
const COLUMNS = ["date_created", "to", "from", "status", "code", "body"];
const CLASSES = {date_created: "time", to: "num", from: "sender", status: "state-cell", code: "code", body: "body"};
const STATUSES = ["accepted", "queued", "sending", "sent", "delivered", "undelivered", "failed"];
const DETAIL = [
  ["sid", "SID"], ["status", "Status"], ["error_code", "Error code"], ["error_message", "Error"],
  ["to", "To"], ["from", "From"], ["messaging_service_sid", "Messaging Service"],
  ["account_sid", "Account SID"], ["code", "Code"], ["date_created", "Created"], ["date_sent", "Sent"],
  ["date_updated", "Updated"], ["num_segments", "Segments"], ["num_media", "Media"],
  ["direction", "Direction"], ["uri", "URI"],
];
const LIMIT = 1000;  // the own API's most; the filters apply to the newest LIMIT messages
const $ = (id) => document.getElementById(id);
let messages = [];
let armedUntil = 0;

// A connector, as the sandbox sees one: its Account SID and its sender (From or Messaging Service).
function sender(message) { return message.from || message.messaging_service_sid || ""; }
function connectorKey(message) { return message.account_sid + " " + sender(message); }

function filters() {
  return {connector: $("f-connector").value, to: $("f-to").value.trim(), status: $("f-status").value};
}

function matches(message, wanted) {
  return (!wanted.connector || connectorKey(message) === wanted.connector) &&
    (!wanted.to || String(message.to).includes(wanted.to)) &&
    (!wanted.status || message.status === wanted.status);
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

function fillConnectors() {
  const select = $("f-connector");
  const chosen = select.value;
  const keys = [...new Set(messages.map(connectorKey))].sort();
  if (chosen && !keys.includes(chosen)) keys.push(chosen);
  const options = keys.map((key) => {
    const [account, from] = [key.slice(0, key.indexOf(" ")), key.slice(key.indexOf(" ") + 1)];
    return option(key, from + " \\u00b7 " + account);
  });
  select.replaceChildren(option("", "all"), ...options);
  select.value = chosen;
}

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
  } else if (key === "date_created") {
    const link = document.createElement("a");
    link.href = "#" + message.sid;
    link.textContent = message.date_created;
    td.appendChild(link);
  } else {
    const value = key === "from" ? sender(message) : message[key];
    td.textContent = value === null || value === undefined ? "" : String(value);
  }
  return td;
}

function renderList() {
  const wanted = filters();
  const shown = messages.filter((message) => matches(message, wanted));
  const rows = shown.map((message) => {
    const tr = document.createElement("tr");
    tr.dataset.sid = message.sid;
    COLUMNS.forEach((key) => tr.appendChild(cell(message, key)));
    return tr;
  });
  document.querySelector("#messages tbody").replaceChildren(...rows);
  $("empty").hidden = messages.length > 0;
  $("no-match").hidden = messages.length === 0 || shown.length > 0;
  const total = messages.length + " message" + (messages.length === 1 ? "" : "s");
  const filtered = wanted.connector || wanted.to || wanted.status;
  $("state").textContent = (filtered ? shown.length + " of " + total + " shown" : total) +
    " \\u00b7 updated " + new Date().toLocaleTimeString();
}

function renderDetail(sid) {
  const message = messages.find((m) => m.sid === sid);
  $("detail-title").textContent = sid;
  $("detail-missing").hidden = message !== undefined;
  const items = [];
  DETAIL.forEach(([key, label]) => {
    if (!message) return;
    const term = document.createElement("dt");
    term.textContent = label;
    const value = document.createElement("dd");
    value.dataset.field = key;
    value.textContent = message[key] === null || message[key] === undefined ? "" : String(message[key]);
    items.push(term, value);
  });
  $("detail-fields").replaceChildren(...items);
  $("detail-body").textContent = message ? String(message.body || "") : "";
}

function render() {
  const sid = location.hash.slice(1);
  $("list").hidden = sid !== "";
  $("detail").hidden = sid === "";
  fillConnectors();
  if (sid) renderDetail(sid); else renderList();
}

// The filters live in the address (?connector=&to=&status=), so a filtered view can be shared.
function saveFilters() {
  const params = new URLSearchParams();
  Object.entries(filters()).forEach(([key, value]) => { if (value) params.set(key, value); });
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  render();
}

function loadFilters() {
  const params = new URLSearchParams(location.search);
  const connector = params.get("connector") || "";
  if (connector) $("f-connector").replaceChildren(option("", "all"), option(connector, connector));
  $("f-connector").value = connector;
  $("f-to").value = params.get("to") || "";
  $("f-status").value = STATUSES.includes(params.get("status")) ? params.get("status") : "";
}

async function refresh() {
  try {
    const answer = await fetch("/api/messages?limit=" + LIMIT, {cache: "no-store"});
    if (!answer.ok) throw new Error("HTTP " + answer.status);
    messages = (await answer.json()).messages;
    render();
  } catch (err) {
    $("state").textContent = "sandbox unreachable (" + err.message + "), retrying";
  }
}

function poll() {
  refresh().finally(() => setTimeout(poll, 1000));
}

// Clear all: the first click arms the button, a second one within 4 seconds deletes.
async function clearAll() {
  const button = $("clear");
  if (Date.now() > armedUntil) {
    armedUntil = Date.now() + 4000;
    button.classList.add("armed");
    button.textContent = "Delete all " + messages.length + " messages?";
    setTimeout(() => { if (Date.now() > armedUntil) disarm(); }, 4100);
    return;
  }
  disarm();
  const answer = await fetch("/api/messages", {method: "DELETE", headers: {"X-Hubsms-Sandbox": "1"}});
  $("state").textContent = answer.ok ? "cleared" : "clearing failed (HTTP " + answer.status + ")";
  await refresh();
}

function disarm() {
  armedUntil = 0;
  $("clear").classList.remove("armed");
  $("clear").textContent = "Clear all messages";
}

$("f-status").append(...STATUSES.map((status) => option(status, status)));
loadFilters();
["f-connector", "f-status"].forEach((id) => $(id).addEventListener("change", saveFilters));
$("f-to").addEventListener("input", saveFilters);
$("f-reset").addEventListener("click", () => {
  $("f-connector").value = "";
  $("f-to").value = "";
  $("f-status").value = "";
  saveFilters();
});
$("clear").addEventListener("click", clearAll);
document.querySelector("#messages tbody").addEventListener("click", (event) => {
  const row = event.target.closest("tr");
  if (row && row.dataset.sid) location.hash = row.dataset.sid;
});
window.addEventListener("hashchange", render);
$("accounts").textContent = location.origin + "/2010-04-01/Accounts";
poll();
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
