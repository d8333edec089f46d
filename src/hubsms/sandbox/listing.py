"""Twilio's message list: filters, pages, page tokens and relative page URIs.

Page tokens are ``PA<sid>`` (the page after that message) and ``PB<sid>`` (the page before
it), as Twilio's own look; they keep paging stable while new messages arrive.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Final
from urllib.parse import urlencode

from hubsms.sandbox.store import MessageStore, Query
from hubsms.sandbox.twilio import (
    ACCOUNTS_PREFIX,
    TwilioError,
    current_resource,
    plus_restored,
)

DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 1000
_FILTER_KEYS: Final = ("To", "From", "DateSent", "DateSent<", "DateSent>")


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values and values[0] != "" else None


def _bad(message: str) -> TwilioError:
    return TwilioError(20001, 400, message)


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


def _date_filter(query: dict[str, list[str]]) -> tuple[float | None, float | None]:
    """DateSent matches its day or second; ``DateSent<`` on or before, ``DateSent>`` on or after."""
    low: float | None = None
    high: float | None = None
    for key in ("DateSent", "DateSent<", "DateSent>"):
        text = _one(query, key)
        if text is None:
            continue
        start, end = _date_range(text, key)
        if key != "DateSent<":
            low = start if low is None else max(low, start)
        if key != "DateSent>":
            high = end if high is None else min(high, end)
    return low, high


def _int(query: dict[str, list[str]], key: str, default: int, low: int, high: int) -> int:
    text = _one(query, key)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(f"{key} must be a whole number from {low} to {high}")
    return int(text)


def paging(query: dict[str, list[str]]) -> tuple[int, int]:
    """``PageSize`` (1-1000, default 50) and ``Page`` (from 0) of a list request."""
    return _int(query, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE), _int(query, "Page", 0, 0, 10**9)


def _page_uri(account: str, query: dict[str, list[str]], size: int, page: int,
              token: str | None = None) -> str:
    pairs = [(k, _one(query, k)) for k in _FILTER_KEYS if _one(query, k) is not None]
    pairs += [("PageSize", str(size)), ("Page", str(page))]
    if token:
        pairs.append(("PageToken", token))
    return f"{ACCOUNTS_PREFIX}/{account}/Messages.json?{urlencode(pairs)}"


def _rows(store: MessageStore, base: Query, size: int, page: int, token: str | None) -> list[dict[str, Any]]:
    if token is None:
        return store.find(base, size, offset=page * size)
    anchor = store.row_id(token[2:]) if token[:2] in ("PA", "PB") else None
    if anchor is None:
        raise _bad(f"PageToken {token} is not valid")
    if token.startswith("PA"):
        return store.find(dataclasses.replace(base, before_id=anchor), size)
    newer = store.find(dataclasses.replace(base, after_id=anchor), size, oldest_first=True)
    return newer[::-1]


def list_messages(store: MessageStore, account: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """The ListMessageResponse for one account, newest first."""
    size, page = paging(query)
    token = _one(query, "PageToken")
    low, high = _date_filter(query)
    to, from_ = _one(query, "To"), _one(query, "From")
    base = Query(account_sid=account, to=plus_restored(to) if to else None,
                 from_=plus_restored(from_) if from_ else None,
                 created_from=low, created_before=high)
    rows = _rows(store, base, size, page, token)
    more = bool(rows) and bool(store.find(dataclasses.replace(base, before_id=rows[-1]["id"]), 1))
    now = time.time()
    start = page * size
    return {
        "end": start + max(len(rows) - 1, 0),
        "first_page_uri": _page_uri(account, query, size, 0),
        "messages": [current_resource(r, now) for r in rows],
        "next_page_uri": _page_uri(account, query, size, page + 1, f"PA{rows[-1]['sid']}") if more else None,
        "page": page,
        "page_size": size,
        "previous_page_uri": (
            _page_uri(account, query, size, page - 1, f"PB{rows[0]['sid']}") if page > 0 and rows else None
        ),
        "start": start,
        "uri": _page_uri(account, query, size, page, token),
    }
