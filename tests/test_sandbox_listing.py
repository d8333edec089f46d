"""Twilio's message list on the sandbox: filters, pages, tokens and relative URIs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

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
