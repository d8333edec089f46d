"""Every hint starts lower-case (it follows "hint:"), wherever it was written; names and
abbreviations keep their capitals."""

from __future__ import annotations

import ast
import json

from helpers import REPO, add, assert_user_error



def test_a_capitalised_hint_from_the_otp_rules_is_said_lower_case(cli):
    add(cli, "Main")
    cli("settings", "set-default-sms", "Main")
    result = cli("otp", "send", "--to", "+15005550006", "--length", "5", "--dry-run", "--json")
    assert_user_error(result, 2, "4, 6 or 9 digits")
    assert result.stderr.splitlines()[1] == "hint: use --length 4, 6 or 9."
    assert json.loads(result.stdout)["error"]["hint"] == "use --length 4, 6 or 9."


# Hints that start with a name or an abbreviation keep its capitals.
NAMES = ("Twilio", "SigningHub", "Global", "Messaging", "SMS", "MG", "A2P", "MaxPrice", "HUBSMS_")
# What a hint is in the source: the hint= of an error, its second argument (the third of
# InvalidValue), a value of the hint tables, the action of a delivery error.
ERRORS = ("Error", "Value", "Unavailable", "Rejected", "Failed", "Inactive", "InUse", "NotFound", "Cancelled", "Missing")
TABLES = ("HINTS",)


def _hint_nodes(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            yield from (kw.value for kw in node.keywords if kw.arg == "hint")
            position = 2 if name == "InvalidValue" else 1
            if (name.endswith(ERRORS) or name in ("_usage", "TwilioCode")) and len(node.args) > position:
                yield node.args[position]
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(getattr(t, "id", "") in TABLES for t in targets) and isinstance(node.value, ast.Dict):
            yield from node.value.values


def test_no_hint_in_the_sources_starts_upper_case():
    """Hints are written lower-case where they are raised (they follow "hint:"); the sandbox,
    which says Twilio's own messages as Twilio writes them, is not hubsms's voice."""
    checked = 0
    for path in (REPO / "src" / "hubsms").rglob("*.py"):
        if "sandbox" in path.parts:
            continue
        for hint in _hint_nodes(ast.parse(path.read_text())):
            first = hint.values[0] if isinstance(hint, ast.JoinedStr) and hint.values else hint
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                checked += 1
                text = first.value
                assert not text[:1].isupper() or text.startswith(NAMES), f"{path.name}:{hint.lineno}: {text!r}"
    assert checked > 100  # the scan finds the hints: it is not vacuous
