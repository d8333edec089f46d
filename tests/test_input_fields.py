"""Field values as people paste them, through ``main``: SIDs in another case than Twilio's,
server addresses with internationalised or look-alike hosts, and secrets given where the
name of a variable belongs."""

from __future__ import annotations

import json

import keyring
import pytest
from helpers import FROM, SID, SID2, TOKEN, add, assert_user_error, read_bytes

from hubsms import model

LOWER_SID = "ac" + SID[2:]  # as some consoles show it
MG = "MG" + "ab" * 16


def listed(cli) -> list[dict]:
    result = cli("connector", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- (D) SIDs in another case -----------------------------------------------------------------


@pytest.mark.parametrize("given", [LOWER_SID, "aC" + SID[2:].upper(), "AC" + SID[2:].upper()])
def test_an_account_sid_in_another_case_is_stored_as_twilio_writes_it_with_a_note(cli, config_path, given):
    result = add(cli, "A", account_sid=given)
    assert result.exit_code == 0, result.output
    assert f"Account SID written as Twilio writes it: {SID}" in result.stderr
    assert [row["account_sid"] for row in listed(cli)] == [SID]
    assert f'account_sid = "{SID}"' in config_path.read_text()
    assert keyring.get_password("hubsms", SID) == TOKEN  # one keyring entry, Twilio's spelling


def test_a_sid_given_as_twilio_writes_it_gets_no_note(cli):
    result = add(cli, "A")
    assert result.exit_code == 0, result.output
    assert "written as" not in result.stderr


def test_edit_to_a_lower_case_sid_moves_the_token_to_the_normal_entry(cli):
    add(cli, "A")
    result = cli("connector", "edit", "A", "--account-sid", "ac" + SID2[2:])
    assert result.exit_code == 0, result.output
    assert f"Account SID written as Twilio writes it: {SID2}" in result.stderr
    assert [row["account_sid"] for row in listed(cli)] == [SID2]
    assert keyring.get_password("hubsms", SID2) == TOKEN


def test_a_messaging_service_sid_in_lower_case_is_normalised_too(cli):
    result = add(cli, "A", from_="mg" + MG[2:].upper())
    assert result.exit_code == 0, result.output
    assert f"From written as Twilio writes it: {MG}" in result.stderr
    assert [row["from"] for row in listed(cli)] == [MG]


def test_a_config_file_with_a_lower_case_sid_loads_normalised(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(f'[connectors.A]\naccount_sid = "{LOWER_SID}"\nfrom = "mg{MG[2:]}"\n')
    assert [(row["account_sid"], row["from"]) for row in listed(cli)] == [(SID, MG)]


@pytest.mark.parametrize("given", ["ab" + SID[2:], "ac" + SID[2:-1], "ac" + SID[2:-1] + "g"])
def test_what_is_no_sid_in_any_case_is_still_refused(cli, config_path, given):
    assert_user_error(add(cli, "A", account_sid=given), 2, "invalid Account SID")
    assert read_bytes(config_path) is None


def test_respelled_says_only_a_difference_of_case():
    assert model.respelled("Account SID", LOWER_SID, SID) == f"Account SID written as Twilio writes it: {SID}"
    assert model.respelled("Account SID", f" {SID} ", SID) is None
    assert model.respelled("From", "0012345678987", "+12345678987") is None  # not a case twin
    assert model.respelled("From", None, FROM) is None
