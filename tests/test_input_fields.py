"""Field values as people paste them, through ``main``: SIDs in another case than Twilio's,
server addresses with internationalised or look-alike hosts, and secrets given where the
name of a variable belongs."""

from __future__ import annotations

import json
import subprocess
import sys

import keyring
import pytest
from helpers import FROM, SID, SID2, TOKEN, add, assert_user_error, read_bytes, subprocess_env

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


# --- (A) server addresses: internationalised and look-alike hosts -------------------------------

LOOKALIKE = "https://api.tw\u0456lio.com/2010-04-01/Accounts"  # a Cyrillic і
LOOKALIKE_ASCII = "https://api.xn--twlio-o2e.com/2010-04-01/Accounts"


def test_a_look_alike_host_is_stored_and_shown_in_punycode_with_a_warning(cli, config_path):
    result = add(cli, "A", server=LOOKALIKE)
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning == [
        f"warning: server address {LOOKALIKE_ASCII} is not Twilio's, though its host looks like Twilio's: it is "
        "written with U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I ('\u0456'); the auth token will be "
        "sent to api.xn--twlio-o2e.com"
    ]
    assert [row["server_address"] for row in listed(cli)] == [LOOKALIKE_ASCII]
    assert f'server_address = "{LOOKALIKE_ASCII}"' in config_path.read_text()
    shown = cli("connector", "show", "A")
    assert LOOKALIKE_ASCII in shown.stdout and "\u0456" not in shown.stdout


def test_a_config_file_holding_an_internationalised_host_shows_it_in_punycode(cli, config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text(f'[connectors.A]\naccount_sid = "{SID}"\nfrom = "{FROM}"\nserver_address = "{LOOKALIKE}"\n')
    assert [row["server_address"] for row in listed(cli)] == [LOOKALIKE_ASCII]


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("https://api.twilio.com.example.net/2010-04-01/Accounts", "it is not under twilio.com"),
        ("https://api.twi1io.com/2010-04-01/Accounts", "it is not under twilio.com"),
        ("https://api.twillio.com/2010-04-01/Accounts", "it is not under twilio.com"),
        (LOOKALIKE_ASCII, "it is written with U+0456"),  # typed in punycode: decoded to be judged
    ],
)
def test_hosts_that_imitate_twilios_are_said_to_look_like_it(cli, address, why):
    result = cli("connector", "add", "A", "--account-sid", SID, "--from", FROM, "--server-address", address,
                 "--auth-token-env", "TWILIO_AUTH_TOKEN", env={"TWILIO_AUTH_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "though its host looks like Twilio's: " + why in result.stderr


@pytest.mark.parametrize(
    "address",
    [
        "https://api.example.com/2010-04-01/Accounts",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts",  # Twilio's own, another region
        "https://b\u00fccher.example/2010-04-01/Accounts",
    ],
)
def test_other_hosts_get_the_plain_warning_only(cli, address):
    result = add(cli, "A", server=address)
    assert result.exit_code == 0, result.output
    assert "is not Twilio's (https://api.twilio.com/2010-04-01/Accounts)" in result.stderr
    assert "looks like" not in result.stderr


def test_a_host_in_full_width_letters_is_twilios_own_as_requests_would_reach_it(cli):
    result = add(cli, "A", server="https://\uff41\uff50\uff49.\uff54\uff57\uff49\uff4c\uff49\uff4f.com/2010-04-01/Accounts")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert [row["server_address"] for row in listed(cli)] == [model.TWILIO.default_server_address]


def test_a_host_that_is_no_valid_internationalised_name_is_refused(cli, config_path):
    assert_user_error(add(cli, "A", server="https://api.\u2603.example/"), 2, "is not a valid host name")
    assert read_bytes(config_path) is None


# --- (A) a secret given as --auth-token-env -----------------------------------------------------

SECRETS = [
    "a123456789abcdef0123456789abcde",  # an auth token cut short, starting with a letter
    "a123456789abcdef0123456789abcdef0",  # one digit too many
    "wBd6X1kXU9sUgGxj3k1ZmwQ8rT5yLp2N",  # an API key's secret
    SID,
    "TOKEN=9b1f2c3d4e5f60718293a4b5c6d7e8f9",
]


@pytest.mark.parametrize("secret", SECRETS)
def test_a_secret_given_as_the_variable_name_is_refused_and_never_repeated(cli, config_path, secret):
    result = cli("connector", "add", "A", "--account-sid", SID2, "--from", FROM, "--auth-token-env", secret)
    assert_user_error(result, 2, "that looks like an auth token or another secret, not the name of an environment variable")
    assert secret not in result.output
    assert read_bytes(config_path) is None


@pytest.mark.parametrize("name", ["TWILIO_AUTH_TOKEN", "TWILIOAUTHTOKEN2024PROD", "Token2024", "HUBSMS_SANDBOX_AUTH_TOKEN"])
def test_names_of_variables_are_still_accepted(cli, config_path, name):
    result = cli("connector", "add", "A", "--account-sid", SID, "--from", FROM, "--auth-token-env", name)
    assert result.exit_code == 0, result.output
    assert f'auth_token_env = "{name}"' in config_path.read_text()


def test_apply_refuses_a_secret_as_auth_token_env_without_repeating_it(cli, config_path, tmp_path):
    secret = SECRETS[2]
    desired = tmp_path / "desired.toml"
    desired.write_text(f'schema_version = 1\n[connectors.A]\naccount_sid = "{SID}"\nfrom = "{FROM}"\nauth_token_env = "{secret}"\n')
    result = cli("apply", str(desired))
    assert_user_error(result, 3, "auth_token_env: that looks like an auth token or another secret")
    assert secret not in result.output
    assert read_bytes(config_path) is None


def test_the_variable_apply_reads_after_an_account_sid_is_no_secret(cli, config_path):
    name = "HUBSMS_TOKEN_" + SID.upper()
    result = cli("connector", "add", "A", "--account-sid", SID, "--from", FROM, "--auth-token-env", name, env={name: TOKEN})
    assert result.exit_code == 0, result.output
    assert f'auth_token_env = "{name}"' in config_path.read_text()


def test_listing_a_config_with_a_punycode_host_loads_no_look_alike_data(config_path):
    """Loading only normalises: the confusables (about 1 MB of data) and idna are loaded when
    a warning may be due (add, edit, apply), not by every ``connector list``."""
    config_path.parent.mkdir(parents=True)
    config_path.write_text(f'[connectors.A]\naccount_sid = "{SID}"\nfrom = "{FROM}"\nserver_address = "{LOOKALIKE_ASCII}"\n')
    code = (
        "import sys; from hubsms.cli.main import main; code = main(['connector', 'list', '--json']); "
        "print(code, sorted(m for m in ('idna', 'confusable_homoglyphs') if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=subprocess_env())
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
    assert json.loads(done.stdout)[0]["server_address"] == LOOKALIKE_ASCII
