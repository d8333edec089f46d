"""Looking up sent messages: ``messages list`` and ``messages show``, for support staff who
must say why a number got no code.

Twilio's Messages list is paged (``next_page_uri``) and filters only by ``To``, ``From`` and
the day sent (``DateSent>``, whole UTC days); the exact time cut-off and the statuses are
filtered here. Twilio lists newest first, so paging stops at the first message older than the
cut-off. An account can hold millions of messages: the pages fetched are bounded.

OTP codes are secrets of the person they were sent to: bodies are masked (runs of 4-10
digits become ``*``) unless the caller asks for them whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms import model, store
from hubsms.errors import InvalidValue, NetworkError
from hubsms.model import Connector
from hubsms.service.sending import Limits, choose_connector, choose_timeouts, make_client
from hubsms.twilio.codes import delivery_advice, describe_delivery_error, error_code
from hubsms.twilio.limits import (
    DEFAULT_LIMIT,
    DEFAULT_PAGE_SIZE,
    FAILED_STATUSES,
    MAX_LIMIT,
    MAX_PAGE_SIZE,
    MESSAGE_SID_RE,
    MESSAGE_STATUSES,
)

if TYPE_CHECKING:
    from hubsms.credentials import Keyring
    from hubsms.twilio.client import TwilioClient

# Pages read beyond those an unfiltered list of --limit rows needs: enough to find failures
# among deliveries, few enough that a busy account cannot keep the command running.
EXTRA_PAGES: Final = 20
_OTP_DIGITS: Final = re.compile(r"(?<!\d)\d{4,10}(?!\d)")
_DURATION: Final = re.compile(r"(\d{1,6})\s*([smhdw])")
_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_DURATION: Final = timedelta(days=3660)
_SINCE_HINT: Final = "give a duration (30m, 24h, 7d) or a UTC date or time (2024-05-01, 2024-05-01T09:30:00Z)"


class ListQuery(NamedTuple):
    """What ``messages list`` asks for, as its options give it."""

    connector: str | None = None
    to: str | None = None
    since: str | None = None
    statuses: str | None = None  # comma-separated, e.g. "failed,undelivered"
    limit: int = DEFAULT_LIMIT
    page_size: int = DEFAULT_PAGE_SIZE
    show_body: bool = False


class MessageList(NamedTuple):
    """The messages found, newest first, and how far the search went."""

    connector: Connector
    messages: list[dict[str, Any]]  # each as :func:`summarize` gives it
    pages: int  # pages fetched from Twilio
    scanned: int  # messages read, before the local filters
    truncated: bool  # the page bound stopped the search: older matches may exist
    warnings: list[str]


class _Found(NamedTuple):
    messages: list[dict[str, Any]]
    pages: int
    scanned: int
    truncated: bool


class _Filter(NamedTuple):
    params: dict[str, str]  # sent to Twilio
    cutoff: datetime | None  # exact, checked here
    statuses: frozenset[str] | None  # checked here


def list_messages(
    path: Path, keyring: Keyring, query: ListQuery, *, stdin_token: str | None = None,
    limits: Limits = Limits(), now: datetime | None = None,
) -> MessageList:
    """The newest messages of a connector's account (``query.connector``, else the default
    SMS connector; an inactive one may be looked up) that match ``query``, at most
    ``query.limit``. Options are checked before anything is sent."""
    check_limit(query.limit, "--limit", MAX_LIMIT)
    check_limit(query.page_size, "--page-size", MAX_PAGE_SIZE)
    chosen = _filter(query, now or datetime.now(timezone.utc))
    warnings: list[str] = []
    if query.to is not None:
        number, warning = model.validate_phone_number(query.to, "to")
        chosen.params["To"] = number
        warnings += [warning] if warning else []
    connector, client = _open(path, keyring, query.connector, stdin_token, limits)
    with client:
        found = _search(client, chosen, query.limit, _page_bound(query))
    rows = [summarize(message, query.show_body) for message in found.messages]
    return MessageList(connector, rows, found.pages, found.scanned, found.truncated, warnings)


def show_message(
    path: Path, keyring: Keyring, sid: str, *, connector: str | None = None,
    stdin_token: str | None = None, limits: Limits = Limits(), show_body: bool = False,
) -> dict[str, Any]:
    """Every field Twilio keeps of one message, its error explained, and the times it went
    through (Twilio keeps the final status and three times, not each step)."""
    sid = check_message_sid(sid)
    chosen, client = _open(path, keyring, connector, stdin_token, limits)
    with client:
        message = client.fetch_message(sid)
    return {**describe(message, show_body), "connector": chosen.name}


def check_message_sid(sid: str) -> str:
    """A message SID: ``SM`` (SMS) or ``MM`` (MMS) and 32 hex digits."""
    text = sid.strip()
    if not MESSAGE_SID_RE.fullmatch(text):
        raise InvalidValue(
            "sid", f"{sid!r} is not a message SID",
            "a message SID is SM (or MM) and 32 hex digits, as 'otp send' or 'messages list' shows it",
        )
    return text


def check_limit(value: int, option: str, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise InvalidValue(option, f"{option} must be from 1 to {maximum}, got {value}", f"e.g. {option} 20")
    return value


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: a duration back from ``now`` (``30m``, ``24h``, ``7d``; also ``s`` and
    ``w``), a day (``YYYY-MM-DD``, from midnight UTC) or an ISO 8601 time (UTC unless it
    says otherwise). A time in the future is refused: it would find nothing."""
    value = text.strip().lower()
    duration = _DURATION.fullmatch(value)
    if duration:
        back = timedelta(seconds=int(duration[1]) * _UNITS[duration[2]])
        if back > _MAX_DURATION:
            raise InvalidValue("since", f"--since {text} reaches back more than 10 years", _SINCE_HINT)
        return now - back
    moment = _parse_moment(text.strip())
    if moment > now:
        raise InvalidValue("since", f"--since {text} is in the future", _SINCE_HINT)
    return moment


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue("since", f"--since {text!r} is neither a duration nor a date", _SINCE_HINT) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def parse_statuses(text: str) -> frozenset[str]:
    """``--status``: Twilio message statuses, comma-separated (``failed,undelivered``)."""
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - MESSAGE_STATUSES)
    if unknown or not wanted:
        raise InvalidValue(
            "status", f"--status {text!r}: {', '.join(unknown) or 'no status'} is not a message status",
            "statuses: " + ", ".join(sorted(MESSAGE_STATUSES)),
        )
    return frozenset(wanted)


def mask_codes(body: str) -> str:
    """The body with each run of 4-10 digits (an OTP code) replaced by as many ``*``."""
    return _OTP_DIGITS.sub(lambda found: "*" * len(found[0]), body)


def summarize(message: Mapping[str, Any], show_body: bool = False) -> dict[str, Any]:
    """A list row: stable keys, times in ISO 8601 UTC, a failure's code in words."""
    code = error_code(message.get("error_code"))
    return {
        "sid": message.get("sid"),
        "to": message.get("to"),
        "from": message.get("from"),
        "messaging_service_sid": message.get("messaging_service_sid"),
        "status": message.get("status"),
        "error_code": code,
        **_explained(message.get("status"), code),
        "date_created": iso_time(message.get("date_created")),
        "date_sent": iso_time(message.get("date_sent")),
        "body": _body(message, show_body),
    }


def describe(message: Mapping[str, Any], show_body: bool = False) -> dict[str, Any]:
    """``summarize`` and the rest: Twilio's error message, the last update, direction,
    segments, price, and the history that can be known."""
    row = summarize(message, show_body)
    return {
        **row,
        "error_message": message.get("error_message"),
        "date_updated": iso_time(message.get("date_updated")),
        "direction": message.get("direction"),
        "num_segments": _number(message.get("num_segments")),
        "num_media": _number(message.get("num_media")),
        "price": message.get("price"),
        "price_unit": message.get("price_unit"),
        "history": history(row["date_created"], row["date_sent"], iso_time(message.get("date_updated")), row["status"]),
    }


def history(created: str | None, sent: str | None, updated: str | None, status: Any) -> list[dict[str, Any]]:
    """What is known of a message's course: Twilio's resource keeps when it was created,
    sent and last updated, and its status now; the steps between are not kept."""
    steps = [{"at": created, "event": "created"}]
    if sent is not None:
        steps.append({"at": sent, "event": "sent"})
    steps.append({"at": updated, "event": f"last update, status {status}"})
    return steps


def iso_time(rfc2822: Any) -> str | None:
    """Twilio's RFC 2822 time as ISO 8601 UTC (``2024-05-01T09:30:00Z``); None stays None,
    and a time that does not parse is kept as given."""
    moment = _moment(rfc2822)
    if moment is None:
        return rfc2822 if isinstance(rfc2822, str) else None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(rfc2822: Any) -> datetime | None:
    if not isinstance(rfc2822, str):
        return None
    try:
        from email.utils import parsedate_to_datetime  # 15 ms: only when dates are read

        return parsedate_to_datetime(rfc2822).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return None


def _explained(status: Any, code: int | None) -> dict[str, str | None]:
    if status not in FAILED_STATUSES and code is None:
        return {"error_explained": None, "advice": None}
    return {"error_explained": describe_delivery_error(code), "advice": delivery_advice(code)}


def _number(text: Any) -> int | None:
    """Twilio sends counts as strings ("1")."""
    return int(text) if isinstance(text, (str, int)) and str(text).isdigit() else None


def _body(message: Mapping[str, Any], show_body: bool) -> str | None:
    body = message.get("body")
    if not isinstance(body, str):
        return None
    return body if show_body else mask_codes(body)


def _filter(query: ListQuery, now: datetime) -> _Filter:
    """What Twilio filters (``PageSize``, and the day of ``--since`` as ``DateSent>``) and
    what is left to filter here."""
    statuses = parse_statuses(query.statuses) if query.statuses is not None else None
    cutoff = parse_since(query.since, now) if query.since is not None else None
    size = query.page_size if statuses else min(query.page_size, query.limit)
    params = {"PageSize": str(size)}
    if cutoff is not None:
        params["DateSent>"] = cutoff.strftime("%Y-%m-%d")
    return _Filter(params, cutoff, statuses)


def _page_bound(query: ListQuery) -> int:
    """The most pages one search fetches: those ``limit`` rows take unfiltered, and EXTRA_PAGES."""
    return math.ceil(query.limit / query.page_size) + EXTRA_PAGES


def _open(path: Path, keyring: Keyring, name: str | None, stdin_token: str | None,
          limits: Limits) -> tuple[Connector, TwilioClient]:
    from hubsms.credentials import resolve_token

    # Active or not: support looks up what an inactive connector sent.
    connector = choose_connector(store.load(path), name, active_only=False)
    token = resolve_token(connector, keyring, stdin_token=stdin_token)
    return connector, make_client(connector, token, choose_timeouts(limits.connect, limits.read))


def _search(client: TwilioClient, chosen: _Filter, limit: int, bound: int) -> _Found:
    """Page until ``limit`` matches, the cut-off, the last page or the ``bound``."""
    found: list[dict[str, Any]] = []
    pages = scanned = 0
    truncated = False
    for page, more in _pages(client, chosen.params, bound):
        pages += 1
        for message in page:
            scanned += 1
            if _older(message, chosen.cutoff):
                return _Found(found, pages, scanned, False)
            if chosen.statuses is None or message.get("status") in chosen.statuses:
                found.append(message)
                if len(found) == limit:
                    return _Found(found, pages, scanned, False)
        truncated = more and pages == bound
    return _Found(found, pages, scanned, truncated)


def _pages(client: TwilioClient, params: dict[str, str], bound: int) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Each page's messages, and whether Twilio has a next one; at most ``bound`` pages."""
    url: str | None = f"{client.account_url}/Messages.json"
    answer = client.get_json(url, params)
    for number in range(1, bound + 1):
        next_uri = answer.get("next_page_uri")
        yield _messages_of(answer, url or ""), bool(next_uri)
        if not next_uri or number == bound:
            return
        url = next_uri
        answer = client.get_json(next_uri)


def _messages_of(answer: Mapping[str, Any], url: str) -> list[dict[str, Any]]:
    from hubsms.twilio.answers import check_message

    messages = answer.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise NetworkError(
            f"the answer to GET {url} is not a list of messages",
            "check the connector's Server Address: it should end in /2010-04-01/Accounts",
        )
    for message in messages:
        check_message(message, url, "GET")
    return messages


def _older(message: Mapping[str, Any], cutoff: datetime | None) -> bool:
    """Sent (or, not sent yet, created) before the cut-off."""
    if cutoff is None:
        return False
    moment = _moment(message.get("date_sent")) or _moment(message.get("date_created"))
    return moment is not None and moment < cutoff
