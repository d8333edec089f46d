"""Every hint starts lower-case (it follows "hint:"), wherever it was written; names and
abbreviations keep their capitals."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from helpers import REPO, add, assert_user_error

from hubsms.cli.common import hint_text


def test_a_capitalised_hint_from_the_otp_rules_is_said_lower_case(cli):
    add(cli, "Main")
    cli("settings", "set-default-sms", "Main")
    result = cli("otp", "send", "--to", "+15005550006", "--length", "5", "--dry-run", "--json")
    assert_user_error(result, 2, "4, 6 or 9 digits")
    assert result.stderr.splitlines()[1] == "hint: use --length 4, 6 or 9."
    assert json.loads(result.stdout)["error"]["hint"] == "use --length 4, 6 or 9."


@pytest.mark.parametrize(
    "hint, said",
    [
        ("Check the connector's Server Address.", "check the connector's Server Address."),
        ("Usually temporary: ask again", "usually temporary: ask again"),
        ("Twilio's console, Phone Numbers", "Twilio's console, Phone Numbers"),
        ("SMS to this country", "SMS to this country"),
        ("MG… SIDs only", "MG… SIDs only"),
        ("Global Settings has none", "Global Settings has none"),
        ("give --from", "give --from"),
        ("A", "a"),
    ],
)
def test_hint_text_lowers_only_an_ordinary_first_word(hint, said):
    assert hint_text(hint) == said


def test_hint_text_still_hides_a_token():
    assert hint_text("Use 0123456789abcdef0123456789abcdef") == "use <hidden>"


def test_no_hint_literal_in_the_cli_package_starts_upper_case():
    """The commands' own hints are written lower-case at the source (the boundary is a guard)."""
    for path in (REPO / "src" / "hubsms" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                hints = [kw.value for kw in node.keywords if kw.arg == "hint"]
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("_usage", "UsageError", "MissingValue", "Cancelled") and len(node.args) > 1:
                    hints.append(node.args[1])
                for hint in hints:
                    first = hint.values[0] if isinstance(hint, ast.JoinedStr) and hint.values else hint
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        assert not first.value[:1].isupper(), f"{Path(path).name}:{node.lineno}: {first.value!r}"
