"""Twilio's list answers, one handler for every list of the sandbox: filters, pages, page
tokens and page links. API 2010-04-01 lists carry relative ``*_page_uri`` links beside the
items; Messaging v1 lists carry absolute ``*_page_url`` links in a ``meta`` object.

Page tokens are ``PA<sid>`` (the page after that item) and ``PB<sid>`` (the page before it),
as Twilio's own look; they keep paging stable while new items arrive. ``Page`` without a
token is an offset of ``Page * PageSize``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Final, NamedTuple, Protocol
from urllib.parse import urlencode

from hubsms.sandbox.store import MessageStore, Query
from hubsms.sandbox.twilio import TwilioError, current_resource, plus_restored

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 1000
MESSAGE_FILTERS: Final = ("To", "From", "DateSent", "DateSent<", "DateSent>")

Item = dict[str, Any]
Match = Callable[[Item, str], bool]  # does an item pass a filter given this value?


def one(query: Mapping[str, list[str]], key: str) -> str | None:
    """A query parameter's first value; empty counts as not given. A number's unencoded
    ``+`` (decoded as a space) is restored."""
    values = query.get(key)
    return plus_restored(values[0]) if values and values[0] != "" else None


def _bad(message: str) -> TwilioError:
    return TwilioError(20001, 400, message)


def _int(query: Mapping[str, list[str]], key: str, default: int, low: int, high: int) -> int:
    text = one(query, key)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(f"{key} must be a whole number from {low} to {high}")
    return int(text)


# --- filters of in-memory lists -------------------------------------------------------------


def exact(field: str) -> Match:
    """The item's ``field`` equals the value (Twilio's ``FriendlyName``, ``Origin``)."""
    return lambda item, value: item.get(field) == value


def digits_pattern(field: str) -> Match:
    """Part of the item's ``field``, ``*`` standing for any one digit (Twilio's
    ``PhoneNumber`` and ``ShortCode`` filters)."""

    def match(item: Item, value: str) -> bool:
        pattern = "".join("[0-9]" if c == "*" else re.escape(c) for c in value)
        return re.search(pattern, str(item.get(field) or "")) is not None

    return match


def matching(items: Sequence[Item], query: Mapping[str, list[str]], filters: Mapping[str, Match]) -> list[Item]:
    """The items that pass every filter given in ``query``."""
    given = [(match, value) for key, match in filters.items() if (value := one(query, key)) is not None]
    return [item for item in items if all(match(item, value) for match, value in given)]


# --- where a list's rows come from ----------------------------------------------------------


class Source(Protocol):
    """The rows of one list in list order; ``after``/``before`` give None for an unknown SID."""

    def window(self, offset: int, limit: int) -> list[Item]: ...

    def after(self, sid: str, limit: int) -> list[Item] | None: ...

    def before(self, sid: str, limit: int) -> list[Item] | None: ...


class Items(NamedTuple):
    """A list held in memory (numbers, short codes, services, senders)."""

    items: list[Item]

    def _index(self, sid: str) -> int | None:
        return next((i for i, item in enumerate(self.items) if item["sid"] == sid), None)

    def window(self, offset: int, limit: int) -> list[Item]:
        return self.items[offset:offset + limit]

    def after(self, sid: str, limit: int) -> list[Item] | None:
        index = self._index(sid)
        return None if index is None else self.items[index + 1:index + 1 + limit]

    def before(self, sid: str, limit: int) -> list[Item] | None:
        index = self._index(sid)
        return None if index is None else self.items[max(index - limit, 0):index]


class StoredMessages(NamedTuple):
    """An account's messages in the store, newest first, as the query filters them."""

    store: MessageStore
    query: Query

    def window(self, offset: int, limit: int) -> list[Item]:
        return self.store.find(self.query, limit, offset=offset)

    def after(self, sid: str, limit: int) -> list[Item] | None:
        anchor = self.store.row_id(sid)
        return None if anchor is None else self.store.find(self.query._replace(before_id=anchor), limit)

    def before(self, sid: str, limit: int) -> list[Item] | None:
        anchor = self.store.row_id(sid)
        if anchor is None:
            return None
        newer = self.store.find(self.query._replace(after_id=anchor), limit, oldest_first=True)
        return newer[::-1]


# --- the one list handler -------------------------------------------------------------------


def _rows(source: Source, size: int, page: int, token: str | None) -> tuple[list[Item], bool]:
    """One page of rows, and whether a page follows it."""
    kind, sid = (token[:2], token[2:]) if token else (None, "")
    if kind is None:
        rows: list[Item] | None = source.window(page * size, size + 1)
    elif kind == "PA":
        rows = source.after(sid, size + 1)
    elif kind == "PB":
        rows = source.before(sid, size)
        if rows is not None:
            return rows, bool(rows)  # the page it came back from follows
    else:
        rows = None
    if rows is None:
        raise _bad(f"PageToken {token} is not valid")
    return rows[:size], len(rows) > size


def list_page(source: Source, query: Mapping[str, list[str]], key: str, link: str,
              kept: Sequence[str] = (), v1: bool = False,
              render: Callable[[Item], Item] = lambda row: row) -> dict[str, Any]:
    """A list answer in Twilio's shape: the page ``query`` asks for (``PageSize`` 1-1000,
    default 50; ``Page`` from 0; ``PageToken``) of ``source``, its items rendered under
    ``key``, and links to ``link`` (a relative path, or an absolute URL for v1) that repeat
    the ``kept`` filters."""
    size = _int(query, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    page = _int(query, "Page", 0, 0, 10**9)
    token = one(query, "PageToken")
    rows, more = _rows(source, size, page, token)
    filters = [(k, value) for k in kept if (value := one(query, k)) is not None]

    def to(number: int, page_token: str | None = None) -> str:
        pairs = [*filters, ("PageSize", str(size)), ("Page", str(number))]
        return f"{link}?{urlencode(pairs + ([('PageToken', page_token)] if page_token else []))}"

    links = {
        "first": to(0),
        "next": to(page + 1, f"PA{rows[-1]['sid']}") if more else None,
        "previous": to(page - 1, f"PB{rows[0]['sid']}") if page > 0 and rows else None,
        "this": to(page, token),
    }
    items = [render(row) for row in rows]
    if v1:
        return {key: items, "meta": {
            "first_page_url": links["first"], "key": key, "next_page_url": links["next"],
            "page": page, "page_size": size, "previous_page_url": links["previous"], "url": links["this"],
        }}
    start = page * size
    return {
        key: items, "end": start + max(len(rows) - 1, 0), "first_page_uri": links["first"],
        "next_page_uri": links["next"], "page": page, "page_size": size,
        "previous_page_uri": links["previous"], "start": start, "uri": links["this"],
    }


# --- the message list -----------------------------------------------------------------------


def _date_range(text: str, key: str) -> tuple[float, float]:
    """A day (``2023-08-24``) or a second (``2023-08-24T05:01:45Z``) as [start, end)."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return day.timestamp(), (day + timedelta(days=1)).timestamp()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"{key} must be a date (YYYY-MM-DD) or a date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    start = moment.timestamp()
    return start, start + 1


def _date_filter(query: Mapping[str, list[str]]) -> tuple[float | None, float | None]:
    """DateSent matches its day or second; ``DateSent<`` on or before, ``DateSent>`` on or after."""
    low: float | None = None
    high: float | None = None
    for key in ("DateSent", "DateSent<", "DateSent>"):
        text = one(query, key)
        if text is None:
            continue
        start, end = _date_range(text, key)
        if key != "DateSent<":
            low = start if low is None else max(low, start)
        if key != "DateSent>":
            high = end if high is None else min(high, end)
    return low, high


def list_messages(store: MessageStore, account: str, path: str, query: Mapping[str, list[str]]) -> dict[str, Any]:
    """The ListMessageResponse for one account, newest first, filtered by To, From and DateSent."""
    low, high = _date_filter(query)
    base = Query(account_sid=account, to=one(query, "To"), from_=one(query, "From"),
                 created_from=low, created_before=high)
    now = time.time()
    return list_page(StoredMessages(store, base), query, "messages", path, MESSAGE_FILTERS,
                     render=lambda row: current_resource(row, now))
