"""Names compare by Unicode NFC and case, SIDs by their digits' case, and server addresses are
parsed strictly: through the real CLI, and when a hand-edited file is loaded."""

from __future__ import annotations

import json
import unicodedata

import keyring
import pytest
from helpers import SID, SID2, TOKEN, add, assert_user_error, read_bytes

NFC = unicodedata.normalize("NFC", "Ünïcode")
NFD = unicodedata.normalize("NFD", "Ünïcode")
MG = "MG0123456789abcdef0123456789abcdef"


def list_json(cli) -> list[dict]:
    result = cli("connector", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_the_two_spellings_are_different_strings():
    assert NFC != NFD and len(NFD) > len(NFC)


def test_a_name_in_nfd_is_stored_in_nfc(cli, config_path):
    assert add(cli, NFD).exit_code == 0
    assert [row["name"] for row in list_json(cli)] == [NFC]
    assert NFD not in config_path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("first", "second"), [(NFC, NFD), (NFD, NFC), (NFC, NFD.upper())])
def test_add_refuses_a_name_equal_after_normalisation_and_case_folding(cli, config_path, first, second):
    assert add(cli, first).exit_code == 0
    before = read_bytes(config_path)
    assert_user_error(add(cli, second, account_sid=SID2), 2, f'a connector named "{NFC}" already exists')
    assert read_bytes(config_path) == before
    assert len(list_json(cli)) == 1


def test_a_connector_is_found_by_either_spelling(cli):
    add(cli, NFC)
    for spelling in (NFD, NFC.lower()):
        result = cli("connector", "show", spelling, "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["name"] == NFC


def test_plans_are_found_by_either_spelling(cli):
    add(cli, "A")
    assert cli("plan", "set", NFD, "--sms-connector", "A").exit_code == 0
    assert cli("plan", "set", NFC, "--sms-connector", "A").exit_code == 0
    result = cli("plan", "list", "--json")
    assert [row["name"] for row in json.loads(result.stdout)] == [NFC]


def test_a_file_with_both_spellings_of_a_connector_name_is_refused(cli, config_path):
    add(cli, NFC)
    text = config_path.read_text(encoding="utf-8")
    table = text[text.index("[connectors."):]
    config_path.write_text(text + "\n" + table.replace(NFC, NFD), encoding="utf-8")
    assert_user_error(cli("connector", "list"), 3, str(config_path), "names must be unique", "appears twice")


def test_account_sids_differing_in_case_are_one_account(cli):
    upper = "AC" + SID[2:].upper()
    assert add(cli, "One", account_sid=upper).exit_code == 0
    assert add(cli, "Two", account_sid=SID, tok=None).exit_code == 0  # the token stored for One
    assert {row["account_sid"] for row in list_json(cli)} == {SID}
    assert cli("connector", "remove", "One", "--yes").exit_code == 0
    assert keyring.get_password("hubsms", SID) == TOKEN  # still used by Two


def test_a_messaging_service_sid_is_stored_with_lower_case_digits(cli):
    assert add(cli, "A", from_="MG" + MG[2:].upper()).exit_code == 0
    assert list_json(cli)[0]["from"] == MG


def test_sids_in_a_hand_edited_file_are_normalised_on_load(cli, config_path):
    add(cli, "A", from_=MG)
    text = config_path.read_text()
    config_path.write_text(text.replace(SID, "AC" + SID[2:].upper()).replace(MG, "MG" + MG[2:].upper()))
    row = list_json(cli)[0]
    assert (row["account_sid"], row["from"]) == (SID, MG)


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("https://api.twilio.com/x\x00y", "control character"),
        ("https://api.twilio.com/\x1b[31m", "control character"),
        ("https://api twilio.com/x", "space"),
        ("https://-", "not a valid host name"),
        ("https://api.twilio.com/x?", "query"),
        ("https://api.twilio.com/x#", "fragment"),
        ("https://api.twilio.com:0/x", "port"),
        ("https://api.twilio.com:http/x", "port"),
        ("https:///x", "no host"),
        ("https://1.2.3/x", "not a valid IP address"),
    ],
)
def test_add_refuses_a_malformed_server_address(cli, config_path, address, fragment):
    result = add(cli, "A", "--server-address", address)
    assert_user_error(result, 2, "invalid server address", fragment)
    assert read_bytes(config_path) is None


def test_credentials_in_a_server_address_are_refused_without_being_repeated(cli, config_path):
    result = add(cli, "A", "--server-address", f"https://{SID}:{TOKEN}@api.twilio.com/x")
    assert_user_error(result, 2, "credentials")
    assert TOKEN not in result.stderr
    assert read_bytes(config_path) is None


@pytest.mark.parametrize("address", ["https://api.twilio.com./2010-04-01/Accounts", "https://bücher.example/x", "https://[2001:db8::1]:8443/a%20b"])
def test_unusual_but_valid_server_addresses_are_accepted_with_the_foreign_host_warning(cli, address):
    result = add(cli, "A", "--server-address", address)
    assert result.exit_code == 0, result.stderr
    assert "the auth token will be sent to" in result.stderr


def test_a_malformed_server_address_in_the_file_is_a_config_error_naming_file_and_connector(cli, config_path):
    add(cli, "A")
    text = config_path.read_text()
    config_path.write_text(text.replace("https://api.twilio.com/2010-04-01/Accounts", "https://api.twilio.com/x?"))
    assert_user_error(cli("connector", "list"), 3, str(config_path), '[connectors."A"] server_address', "query")
