"""Declared accounts on the sandbox: each rule through a real HTTP request, with Twilio's
status and code, and each new resource checked against Twilio's OpenAPI schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_fixture import (
    ACCOUNT_SID,
    DE,
    EMPTY_SERVICE,
    OWNED,
    SERVICE,
    SHORT,
    STOPPED,
    US,
    VERIFIED,
    VOICE,
)
from sandbox_fixture import declare_production as declare

from hubsms.sandbox.accounts import AccountError, load_accounts_file, parse_account

OTHER = "AC" + "e" * 32
def get(sandbox, path: str, **params):
    return sandbox.http.get(sandbox.url + path, params=params, auth=sandbox.auth, timeout=10)


def refused(answer, twilio_schemas, status: int, code: int) -> None:
    assert answer.status_code == status, answer.text
    twilio_schemas.error(answer.json(), code=code, status=status)


# --- sending --------------------------------------------------------------------------------


def test_a_declared_account_sends_from_its_own_number(sandbox, twilio_schemas) -> None:
    declare(sandbox)
    answer = sandbox.send(to=US, from_=OWNED)
    assert answer.status_code == 201
    twilio_schemas.message(answer.json(), created=True)
    assert [m["from"] for m in sandbox.messages()] == [OWNED]


def test_its_token_is_checked(sandbox, twilio_schemas) -> None:
    declare(sandbox, token="f" * 32)
    refused(sandbox.send(from_=OWNED), twilio_schemas, 401, 20003)
    sandbox.auth = (ACCOUNT_SID, "f" * 32)
    assert sandbox.send(from_=OWNED).status_code == 201


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"from_": "+14155559999"}, 21659),  # not a Twilio number of anyone
        ({"from_": VOICE}, 21661),  # owned, but voice only
        ({"from_": "+14155553333"}, 21660),  # another declared account's number
        ({"from_": "12345"}, 21659),  # a short code it does not own
        ({"from_": "SigningHub", "to": US}, 21612),  # alphanumeric sender to the US
        ({"from_": "SigningHub", "to": "+16135550123"}, 21612),  # ... or Canada
        ({"from_": None, "MessagingServiceSid": "MG" + "9" * 32}, 21701),
        ({"from_": None, "MessagingServiceSid": EMPTY_SERVICE}, 21704),
        ({"to": STOPPED, "from_": OWNED}, 21610),
    ],
)
def test_what_the_account_cannot_send_is_refused_with_twilios_code(sandbox, twilio_schemas, fields, code) -> None:
    declare(sandbox)
    sandbox.declare(sid=OTHER, token=None, numbers=["+14155553333"])
    refused(sandbox.send(**fields), twilio_schemas, 400, code)
    assert sandbox.messages() == []


@pytest.mark.parametrize(
    "fields",
    [
        {"from_": SHORT},
        {"from_": "SigningHub", "to": DE},  # alphanumeric senders reach Germany
        {"from_": None, "MessagingServiceSid": SERVICE},
    ],
)
def test_what_the_account_may_send_is_accepted(sandbox, twilio_schemas, fields) -> None:
    declare(sandbox)
    answer = sandbox.send(**fields)
    assert answer.status_code == 201, answer.text
    twilio_schemas.message(answer.json(), created=True)


def test_a_trial_account_sends_only_to_verified_numbers(sandbox, twilio_schemas) -> None:
    declare(sandbox, type="Trial")
    refused(sandbox.send(to=US, from_=OWNED), twilio_schemas, 400, 21608)
    assert sandbox.send(to=VERIFIED, from_=OWNED).status_code == 201
    declare(sandbox, type="Full")
    assert sandbox.send(to=US, from_=OWNED).status_code == 201


def test_a_suspended_account_can_read_its_status_but_not_send(sandbox, twilio_schemas) -> None:
    declare(sandbox, status="suspended")
    refused(sandbox.send(from_=OWNED), twilio_schemas, 403, 20403)
    refused(get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"), twilio_schemas, 403, 20403)
    account = get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}.json")
    assert account.status_code == 200
    twilio_schemas.account(account.json())
    assert account.json()["status"] == "suspended"


def test_a_closed_accounts_credentials_no_longer_authenticate(sandbox, twilio_schemas) -> None:
    declare(sandbox, status="closed")
    refused(sandbox.send(from_=OWNED), twilio_schemas, 401, 20003)
    refused(get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"), twilio_schemas, 401, 20003)


def test_undeclared_accounts_stay_permissive(sandbox, twilio_schemas) -> None:
    declare(sandbox)
    sandbox.auth = (OTHER, "anything")
    sandbox.messages_url = sandbox.messages_url.replace(ACCOUNT_SID, OTHER)
    assert sandbox.send(to=US, from_="+14155559999").status_code == 201
    assert sandbox.send(to=US, from_="SigningHub").status_code == 201


# --- test credentials -----------------------------------------------------------------------


def test_test_credentials_send_only_from_the_magic_number_and_never_deliver(sandbox, twilio_schemas) -> None:
    sandbox.http.post(f"{sandbox.url}/api/test-accounts", json={"sid": ACCOUNT_SID}, timeout=10).raise_for_status()
    refused(sandbox.send(from_="+14155552671"), twilio_schemas, 400, 21606)
    refused(sandbox.send(from_="+15005550007"), twilio_schemas, 400, 21606)
    created = sandbox.send(from_="+15005550006")
    assert created.status_code == 201
    twilio_schemas.message(created.json(), created=True)
    [stored] = sandbox.messages()
    assert stored["status"] == "queued"  # answered, never delivered
    refused(get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{stored['sid']}.json"), twilio_schemas, 403, 20008)
    refused(get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/Balance.json"), twilio_schemas, 403, 20008)
    refused(get(sandbox, f"/v1/Services/{SERVICE}"), twilio_schemas, 403, 20008)


# --- account resources ----------------------------------------------------------------------


def test_account_fetch_shows_the_declared_type_status_and_name(sandbox, twilio_schemas) -> None:
    declare(sandbox, type="Trial", friendly_name="Production")
    body = get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}.json").json()
    twilio_schemas.account(body)
    assert (body["type"], body["status"], body["friendly_name"]) == ("Trial", "active", "Production")
    assert body["auth_token"] is None


@pytest.mark.parametrize(("number", "sms"), [(OWNED, True), (VOICE, False)])
def test_incoming_numbers_filtered_by_phone_number_say_if_sms_capable(sandbox, twilio_schemas, number, sms) -> None:
    declare(sandbox)
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
    body = get(sandbox, path, PhoneNumber=number).json()
    twilio_schemas.fetched("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", body)
    [found] = body["incoming_phone_numbers"]
    assert (found["phone_number"], found["capabilities"]["sms"]) == (number, sms)
    assert get(sandbox, path, PhoneNumber="+14155559999").json()["incoming_phone_numbers"] == []


def test_incoming_numbers_page_with_next_page_uri(sandbox, twilio_schemas) -> None:
    declare(sandbox, numbers=[OWNED, "+14155552672", "+14155552673"])
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
    seen, uri = [], f"{path}?PageSize=2"
    while uri:
        body = get(sandbox, uri).json()
        twilio_schemas.fetched("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", body)
        seen += [n["phone_number"] for n in body["incoming_phone_numbers"]]
        uri = body["next_page_uri"]
    assert seen == [OWNED, "+14155552672", "+14155552673", VOICE]


@pytest.mark.parametrize(
    ("resource", "template", "key", "field", "expected"),
    [
        ("SMS/ShortCodes.json", "SMS/ShortCodes.json", "short_codes", "short_code", [SHORT]),
        ("OutgoingCallerIds.json", "OutgoingCallerIds.json", "outgoing_caller_ids", "phone_number", [VERIFIED]),
    ],
)
def test_short_codes_and_verified_caller_ids_are_listed(sandbox, twilio_schemas, resource, template, key, field, expected) -> None:
    declare(sandbox)
    body = get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/{resource}").json()
    twilio_schemas.fetched(f"/2010-04-01/Accounts/{{AccountSid}}/{template}", body)
    assert [item[field] for item in body[key]] == expected


def test_balance_is_the_declared_one(sandbox, twilio_schemas) -> None:
    declare(sandbox, balance="3.50")
    body = get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/Balance.json").json()
    twilio_schemas.fetched("/2010-04-01/Accounts/{AccountSid}/Balance.json", body)
    assert (body["balance"], body["currency"]) == ("3.50", "USD")


def test_a_messaging_service_and_its_senders(sandbox, twilio_schemas) -> None:
    declare(sandbox)
    service = get(sandbox, f"/v1/Services/{SERVICE}")
    assert service.status_code == 200
    twilio_schemas.fetched("/v1/Services/{Sid}", service.json())
    assert (service.json()["sid"], service.json()["account_sid"]) == (SERVICE, ACCOUNT_SID)
    numbers = get(sandbox, f"/v1/Services/{SERVICE}/PhoneNumbers").json()
    twilio_schemas.fetched("/v1/Services/{ServiceSid}/PhoneNumbers", numbers)
    assert [n["phone_number"] for n in numbers["phone_numbers"]] == [OWNED]
    assert numbers["meta"]["key"] == "phone_numbers" and numbers["meta"]["next_page_url"] is None
    alphas = get(sandbox, f"/v1/Services/{SERVICE}/AlphaSenders").json()
    twilio_schemas.fetched("/v1/Services/{ServiceSid}/AlphaSenders", alphas)
    assert [a["alpha_sender"] for a in alphas["alpha_senders"]] == ["SigningHub"]
    codes = get(sandbox, f"/v1/Services/{EMPTY_SERVICE}/ShortCodes").json()
    twilio_schemas.fetched("/v1/Services/{ServiceSid}/ShortCodes", codes)
    assert codes["short_codes"] == []


def test_another_accounts_or_an_unknown_service_is_404(sandbox, twilio_schemas) -> None:
    declare(sandbox)
    refused(get(sandbox, f"/v1/Services/{'MG' + '9' * 32}"), twilio_schemas, 404, 20404)
    refused(get(sandbox, "/v1/Services/MGnope/PhoneNumbers"), twilio_schemas, 404, 20404)
    answer = sandbox.http.get(f"{sandbox.url}/v1/Services/{SERVICE}", auth=("not-an-account", "x"), timeout=10)
    refused(answer, twilio_schemas, 401, 20003)


def test_undeclared_accounts_own_what_they_ask_about(sandbox, twilio_schemas) -> None:
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
    body = get(sandbox, path, PhoneNumber="+14155559999").json()
    twilio_schemas.fetched("/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json", body)
    assert [(n["phone_number"], n["capabilities"]["sms"]) for n in body["incoming_phone_numbers"]] == [("+14155559999", True)]
    assert get(sandbox, path).json()["incoming_phone_numbers"] == []
    service = get(sandbox, f"/v1/Services/{SERVICE}").json()
    twilio_schemas.fetched("/v1/Services/{Sid}", service)
    assert get(sandbox, f"/v1/Services/{SERVICE}/PhoneNumbers").json()["phone_numbers"] == []


def test_new_routes_are_counted_by_their_spec_path(sandbox) -> None:
    get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/Balance.json")
    get(sandbox, f"/v1/Services/{SERVICE}/AlphaSenders")
    requests_seen = sandbox.stats()["requests"]
    assert requests_seen["GET /2010-04-01/Accounts/{AccountSid}/Balance.json"] == 1
    assert requests_seen["GET /v1/Services/{ServiceSid}/AlphaSenders"] == 1


# --- the own API ----------------------------------------------------------------------------


def test_accounts_are_listed_fetched_and_deleted_without_their_token(sandbox) -> None:
    shown = declare(sandbox, token="9" * 32)
    assert shown["sid"] == ACCOUNT_SID and shown["token_source"] == "given"
    assert "auth_token" not in shown
    listed = sandbox.http.get(f"{sandbox.url}/api/accounts", timeout=10)
    assert "9" * 32 not in listed.text
    assert [a["sid"] for a in listed.json()["accounts"]] == [ACCOUNT_SID]
    one = sandbox.http.get(f"{sandbox.url}/api/accounts/{ACCOUNT_SID}", timeout=10).json()
    assert one["numbers"] == [OWNED] and one["messaging_services"][EMPTY_SERVICE] == []
    assert sandbox.http.delete(f"{sandbox.url}/api/accounts/{ACCOUNT_SID}", timeout=10).status_code == 200
    assert sandbox.http.get(f"{sandbox.url}/api/accounts/{ACCOUNT_SID}", timeout=10).status_code == 404
    assert sandbox.http.delete(f"{sandbox.url}/api/accounts/{ACCOUNT_SID}", timeout=10).status_code == 404


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"sid": "AC12"}, "not an Account SID"),
        ({"sid": ACCOUNT_SID, "colour": "red"}, "unknown key 'colour'"),
        ({"sid": ACCOUNT_SID, "type": "Gold"}, "type"),
        ({"sid": ACCOUNT_SID, "numbers": ["0800 123"]}, "numbers[0]"),
        ({"sid": ACCOUNT_SID, "messaging_services": {SERVICE: ["+14155559999"]}}, SERVICE),
        ({"sid": ACCOUNT_SID, "auth_token_env": "HUBSMS_SURELY_UNSET_VAR"}, "HUBSMS_SURELY_UNSET_VAR"),
    ],
)
def test_bad_declarations_are_400_with_the_key(sandbox, body, fragment) -> None:
    answer = sandbox.http.post(f"{sandbox.url}/api/accounts", json=body, timeout=10)
    assert answer.status_code == 400
    assert fragment in answer.json()["error"]
    assert sandbox.http.get(f"{sandbox.url}/api/accounts", timeout=10).json()["accounts"] == []


# --- the file -------------------------------------------------------------------------------

GOOD_FILE = f"""
[accounts.{ACCOUNT_SID}]
auth_token_env = "SANDBOX_TOKEN_PROD"
friendly_name = "Production"
type = "Full"
status = "active"
numbers = ["{OWNED}"]
voice_only_numbers = ["{VOICE}"]
short_codes = ["{SHORT}"]
verified_numbers = ["{VERIFIED}"]
opted_out = ["{STOPPED}"]
[accounts.{ACCOUNT_SID}.messaging_services]
{SERVICE} = ["{OWNED}"]
"""


def test_the_accounts_file_is_read_with_the_token_from_its_variable(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(GOOD_FILE)
    [account] = load_accounts_file(path, {"SANDBOX_TOKEN_PROD": "a" * 32})
    assert (account.sid, account.friendly_name, account.numbers) == (ACCOUNT_SID, "Production", (OWNED,))
    assert account.messaging_services == {SERVICE: (OWNED,)}
    assert account.auth_token == "a" * 32 and "a" * 32 not in repr(account)


@pytest.mark.parametrize(
    ("text", "environ", "fragment"),
    [
        (GOOD_FILE, {}, "$SANDBOX_TOKEN_PROD is not set"),
        (GOOD_FILE.replace("type =", "colour = 'red'\ntype ="), {"SANDBOX_TOKEN_PROD": "x"}, "unknown key 'colour'"),
        (GOOD_FILE + "colour = 'red'\n", {"SANDBOX_TOKEN_PROD": "x"}, "messaging_services.colour"),
        (GOOD_FILE.replace('"Full"', '"Gold"'), {"SANDBOX_TOKEN_PROD": "x"}, f"accounts.{ACCOUNT_SID}.type"),
        (GOOD_FILE.replace("auth_token_env", "auth_token"), {}, "unknown key 'auth_token'"),
        ("[accounts.AC1]\n", {}, "accounts.AC1"),
        ("[accounts\n", {}, "line 1"),
        ("title = 'x'\n", {}, "unknown key 'title'"),
    ],
)
def test_a_bad_accounts_file_names_the_file_and_the_key_or_line(tmp_path, text, environ, fragment) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(text)
    with pytest.raises(AccountError) as caught:
        load_accounts_file(path, environ)
    assert str(caught.value).startswith(f"{path}: ")
    assert fragment in str(caught.value)


def test_parse_account_refuses_a_pool_sender_it_does_not_own() -> None:
    with pytest.raises(AccountError, match="not an SMS-capable number"):
        parse_account(ACCOUNT_SID, {"voice_only_numbers": [VOICE], "messaging_services": {SERVICE: [VOICE]}})
