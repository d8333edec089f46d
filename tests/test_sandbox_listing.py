"""Twilio's lists on the sandbox (Messages, IncomingPhoneNumbers, ShortCodes, OutgoingCallerIds,
v1 Services and their senders): filters, pages, page tokens and page links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sandbox_fixture import ACCOUNT_SID


def get(sandbox, path_or_params):
    if isinstance(path_or_params, str):
        url = sandbox.url + path_or_params
        return sandbox.http.get(url, auth=sandbox.auth, timeout=10)
    return sandbox.http.get(sandbox.messages_url, params=path_or_params, auth=sandbox.auth, timeout=10)


def send_many(sandbox, count: int, to: str = "+15551234567") -> list[str]:
    sids = []
    for i in range(count):
        answer = sandbox.send(to=to, body=f"message {i} code {1000 + i}")
        assert answer.status_code == 201
        sids.append(answer.json()["sid"])
    return sids


def test_pages_walk_every_message_newest_first_by_next_page_uri(sandbox, twilio_schemas) -> None:
    sids = send_many(sandbox, 7)
    seen, uri, pages = [], f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json?PageSize=3", []
    while uri is not None:
        assert uri.startswith("/2010-04-01/")  # relative, as Twilio's
        body = get(sandbox, uri).json()
        twilio_schemas.page(body)
        pages.append(body)
        seen += [m["sid"] for m in body["messages"]]
        uri = body["next_page_uri"]
    assert seen == sids[::-1]
    assert [p["page"] for p in pages] == [0, 1, 2]
    assert [(p["start"], p["end"]) for p in pages] == [(0, 2), (3, 5), (6, 6)]
    assert pages[0]["previous_page_uri"] is None
    assert pages[-1]["next_page_uri"] is None
    assert all(p["first_page_uri"].endswith("PageSize=3&Page=0") for p in pages)


def test_previous_page_uri_leads_back_to_the_page_before(sandbox, twilio_schemas) -> None:
    send_many(sandbox, 5)
    first = get(sandbox, {"PageSize": 2}).json()
    second = get(sandbox, first["next_page_uri"]).json()
    back = get(sandbox, second["previous_page_uri"]).json()
    twilio_schemas.page(back)
    assert [m["sid"] for m in back["messages"]] == [m["sid"] for m in first["messages"]]
    assert back["page"] == 0


def test_paging_by_token_is_stable_while_messages_arrive(sandbox) -> None:
    old = send_many(sandbox, 4)
    first = get(sandbox, {"PageSize": 2}).json()
    send_many(sandbox, 3)  # newer messages must not shift the next page
    second = get(sandbox, first["next_page_uri"]).json()
    assert [m["sid"] for m in second["messages"]] == old[1::-1]


def test_page_number_without_token_offsets(sandbox) -> None:
    sids = send_many(sandbox, 5)
    body = get(sandbox, {"PageSize": 2, "Page": 1}).json()
    assert [m["sid"] for m in body["messages"]] == sids[::-1][2:4]
    assert parse_qs(urlsplit(body["uri"]).query) == {"PageSize": ["2"], "Page": ["1"]}


def test_to_and_from_filter_and_appear_encoded_in_the_uris(sandbox, twilio_schemas) -> None:
    mine = send_many(sandbox, 2, to="+15550000001")
    send_many(sandbox, 2, to="+15550000002")
    sandbox.send(to="+15550000001", from_="+15557777777")
    body = get(sandbox, {"To": "+15550000001", "From": "+15005550006"}).json()
    twilio_schemas.page(body)
    assert [m["sid"] for m in body["messages"]] == mine[::-1]
    assert "To=%2B15550000001" in body["uri"] and "From=%2B15005550006" in body["uri"]


def test_date_sent_filters_by_day_and_bounds(sandbox) -> None:
    send_many(sandbox, 2)
    today = datetime.now(timezone.utc).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    count = lambda **q: len(get(sandbox, {k.replace("_lt", "<").replace("_gt", ">"): v for k, v in q.items()}).json()["messages"])  # noqa: E731
    assert count(DateSent=str(today)) == 2
    assert count(DateSent=str(yesterday)) == 0
    assert count(DateSent_lt=str(tomorrow)) == 2
    assert count(DateSent_lt=str(yesterday)) == 0
    assert count(DateSent_gt=str(yesterday)) == 2
    assert count(DateSent_gt=str(tomorrow)) == 0
    body = get(sandbox, {"DateSent>": str(yesterday)}).json()
    assert "DateSent%3E=" in body["uri"]


def test_an_empty_list_has_null_next_and_previous(sandbox, twilio_schemas) -> None:
    body = get(sandbox, {"PageSize": 25}).json()
    twilio_schemas.page(body)
    assert (body["messages"], body["next_page_uri"], body["previous_page_uri"], body["end"]) == ([], None, None, 0)


def test_list_only_shows_the_accounts_own_messages(sandbox) -> None:
    send_many(sandbox, 1)
    other = "AC" + "e" * 32
    body = sandbox.http.get(f"{sandbox.accounts_url}/{other}/Messages.json", auth=(other, "x"), timeout=10).json()
    assert body["messages"] == []


@pytest.mark.parametrize(
    "params",
    [{"PageSize": 0}, {"PageSize": 1001}, {"PageSize": "x"}, {"Page": -1}, {"PageToken": "PAnope"},
     {"PageToken": "XX" + "SM" + "0" * 32}, {"DateSent": "yesterday"}],
)
def test_bad_list_parameters_are_400_in_twilios_shape(sandbox, twilio_schemas, params) -> None:
    answer = get(sandbox, params)
    assert answer.status_code == 400
    twilio_schemas.error(answer.json(), status=400)


# --- every list: one handler, Twilio's filters and page tokens ----------------------------

NUMBERS = [f"+1415555010{i}" for i in range(5)]
SHORT_CODES = [f"89450{i}" for i in range(5)]
SERVICES = ["MG" + c * 32 for c in "12345"]


@dataclass(frozen=True)
class DeclaredList:
    """A 2010-04-01 list of a declared account holding ``values``."""

    resource: str  # below the account, as in the spec's path
    key: str
    field: str
    values: list[str]

    @property
    def path(self) -> str:
        return f"/2010-04-01/Accounts/{ACCOUNT_SID}/{self.resource}"

    @property
    def spec_path(self) -> str:
        return f"/2010-04-01/Accounts/{{AccountSid}}/{self.resource}"


@pytest.fixture(params=[
    ("IncomingPhoneNumbers.json", "incoming_phone_numbers", "phone_number", "numbers"),
    ("OutgoingCallerIds.json", "outgoing_caller_ids", "phone_number", "verified_numbers"),
    ("SMS/ShortCodes.json", "short_codes", "short_code", "short_codes"),
], ids=lambda p: p[1])
def declared_list(request, sandbox) -> DeclaredList:
    resource, key, field, declared_as = request.param
    values = SHORT_CODES if declared_as == "short_codes" else NUMBERS
    sandbox.declare(**{declared_as: values})
    return DeclaredList(resource, key, field, values)


def test_each_2010_list_pages_by_page_token_and_back(sandbox, twilio_schemas, declared_list) -> None:
    listed = declared_list
    uri, pages = f"{listed.path}?PageSize=2", []
    while uri is not None:
        body = get(sandbox, uri).json()
        twilio_schemas.fetched(listed.spec_path, body)
        pages.append(body)
        uri = body["next_page_uri"]
    assert [item[listed.field] for p in pages for item in p[listed.key]] == listed.values
    assert [(p["page"], p["start"], p["end"]) for p in pages] == [(0, 0, 1), (1, 2, 3), (2, 4, 4)]
    assert "PageToken=PA" in pages[0]["next_page_uri"]  # a token, as Twilio's, not only Page=1
    back = get(sandbox, pages[2]["previous_page_uri"]).json()
    twilio_schemas.fetched(listed.spec_path, back)
    assert [item[listed.field] for item in back[listed.key]] == listed.values[2:4]
    assert back["next_page_uri"] is not None


def test_each_2010_list_filters_by_friendly_name_exactly(sandbox, twilio_schemas, declared_list) -> None:
    listed, wanted = declared_list, declared_list.values[3]
    body = get(sandbox, f"{listed.path}?{urlencode({'FriendlyName': wanted})}").json()
    twilio_schemas.fetched(listed.spec_path, body)
    assert [item[listed.field] for item in body[listed.key]] == [wanted]
    assert parse_qs(urlsplit(body["uri"]).query)["FriendlyName"] == [wanted]  # kept in the links
    assert get(sandbox, f"{listed.path}?{urlencode({'FriendlyName': wanted[:-1]})}").json()[listed.key] == []


@pytest.mark.parametrize(("resource", "key", "param"), [
    ("IncomingPhoneNumbers.json", "incoming_phone_numbers", "PhoneNumber"),
    ("OutgoingCallerIds.json", "outgoing_caller_ids", "PhoneNumber"),
])
def test_phone_number_matches_part_of_a_number_with_star_for_any_digit(sandbox, resource, key, param) -> None:
    sandbox.declare(numbers=[*NUMBERS, "+4915112345678"], verified_numbers=[*NUMBERS, "+4915112345678"])
    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/{resource}"

    def found(value: str) -> list[str]:
        return [i["phone_number"] for i in get(sandbox, f"{path}?{urlencode({param: value})}").json()[key]]

    assert found("+1415555010*") == NUMBERS
    assert found("5550103") == [NUMBERS[3]]
    assert found("+49*5") == ["+4915112345678"]
    assert found("+1415555019*") == []


def test_short_code_and_origin_filters(sandbox) -> None:
    sandbox.declare(short_codes=["894546", "894547", "123456"], numbers=NUMBERS[:2])
    codes = get(sandbox, f"/2010-04-01/Accounts/{ACCOUNT_SID}/SMS/ShortCodes.json?ShortCode=8945*6").json()
    assert [c["short_code"] for c in codes["short_codes"]] == ["894546"]
    numbers = f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json"
    assert len(get(sandbox, f"{numbers}?Origin=twilio").json()["incoming_phone_numbers"]) == 2
    assert get(sandbox, f"{numbers}?Origin=hosted").json()["incoming_phone_numbers"] == []


@pytest.mark.parametrize("path", [
    f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json",
    f"/2010-04-01/Accounts/{ACCOUNT_SID}/SMS/ShortCodes.json",
    "/v1/Services",
    f"/v1/Services/{SERVICES[0]}/PhoneNumbers",
])
@pytest.mark.parametrize("params", [{"PageToken": "PA" + "PN" + "0" * 32}, {"PageToken": "nope"}, {"PageSize": 0},
                                    {"Page": "x"}])
def test_bad_paging_is_400_on_every_list(sandbox, twilio_schemas, path, params) -> None:
    sandbox.declare(numbers=NUMBERS, short_codes=["894546"], messaging_services={SERVICES[0]: NUMBERS})
    answer = get(sandbox, f"{path}?{urlencode(params)}")
    assert answer.status_code == 400, answer.text
    twilio_schemas.error(answer.json(), code=20001, status=400)


def test_v1_services_lists_the_accounts_services_paged_as_the_sdk_reads_them(sandbox, twilio_schemas) -> None:
    sandbox.declare(friendly_name="Production", messaging_services={sid: [] for sid in SERVICES})
    # twilio-python's services.list(): GET /v1/Services, then meta.next_page_url until null.
    url, seen, metas = f"{sandbox.url}/v1/Services?PageSize=2", [], []
    while url is not None:
        answer = sandbox.http.get(url, auth=sandbox.auth, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        twilio_schemas.fetched("/v1/Services", body)
        metas.append(body["meta"])
        seen += [s["sid"] for s in body[body["meta"]["key"]]]
        url = body["meta"]["next_page_url"]
    assert seen == SERVICES
    assert [m["page"] for m in metas] == [0, 1, 2]
    assert all(m["key"] == "services" and m["url"].startswith(sandbox.url + "/v1/Services?") for m in metas)
    assert metas[0]["previous_page_url"] is None and metas[1]["previous_page_url"] is not None
    one_service = get(sandbox, f"/v1/Services/{SERVICES[0]}").json()
    first = get(sandbox, "/v1/Services").json()["services"][0]
    assert first == one_service  # the list's items are the fetched resources


def test_v1_services_of_an_undeclared_account_is_an_empty_list(sandbox, twilio_schemas) -> None:
    body = get(sandbox, "/v1/Services").json()
    twilio_schemas.fetched("/v1/Services", body)
    assert body["services"] == [] and body["meta"]["next_page_url"] is None


def test_v1_services_of_another_account_are_not_shown(sandbox) -> None:
    sandbox.declare(messaging_services={SERVICES[0]: []})
    other = "AC" + "e" * 32
    body = sandbox.http.get(f"{sandbox.url}/v1/Services", auth=(other, "x"), timeout=10).json()
    assert body["services"] == []
