"""Twilio's rules as the sandbox plays them: SIDs, dates, validation codes, test magic
numbers, segment counting and the shapes of the resources it answers with.

Pure functions only (no I/O), so they can be unit-tested and reused by the server.
Sources: Twilio's API reference and error dictionary (twilio.com/docs) and its OpenAPI
description, of which the tests keep a copy (tests/data/twilio-oai/).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any, Final, NamedTuple

API_VERSION: Final = "2010-04-01"
ACCOUNTS_PREFIX: Final = f"/{API_VERSION}/Accounts"
MAX_BODY_CHARS: Final = 1600

ACCOUNT_SID_RE: Final = re.compile(r"^AC[0-9a-fA-F]{32}$")
SERVICE_SID_RE: Final = re.compile(r"^MG[0-9a-fA-F]{32}$")
MESSAGE_SID_RE: Final = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")
E164_RE: Final = re.compile(r"^\+[1-9][0-9]{7,14}$")
SHORT_CODE_RE: Final = re.compile(r"^[0-9]{5,6}$")
# Alphanumeric sender IDs: up to 11 of letters, digits, space and + - _ &, one letter at least.
ALPHA_SENDER_RE: Final = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 +\-_&]{1,11}$")
OTP_CODE_RE: Final = re.compile(r"(?<![0-9])[0-9]{4,10}(?![0-9])")

# Test magic numbers (twilio.com/docs/iam/test-credentials). From +15005550006 is the one
# that succeeds.
MAGIC_PREFIX: Final = "+1500555000"
MAGIC_TO: Final = {
    "+15005550001": 21211,
    "+15005550002": 21612,
    "+15005550003": 21408,
    "+15005550004": 21610,
    "+15005550009": 21614,
}
MAGIC_FROM: Final = {"+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611}
MAGIC_FROM_OK: Final = "+15005550006"

ERROR_MESSAGES: Final = {
    20001: "Invalid request",
    20003: "Authenticate",
    20004: "Method not allowed",
    20008: "Resource not accessible with Test Account Credentials",
    20403: "Forbidden: the account is suspended",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "The 'To' number {to} is not a valid phone number.",
    21212: "The 'From' number {from_} is not a valid phone number, shortcode, "
    "or alphanumeric sender ID.",
    21408: "Permission to send an SMS has not been enabled for the region "
    "indicated by the 'To' number: {to}.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid message-capable Twilio "
    "phone number for this destination.",
    21608: "The number {to} is unverified. Trial accounts cannot send messages to unverified numbers; "
    "verify {to} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number "
    "to send messages to unverified numbers",
    21610: "Attempt to send to unsubscribed recipient",
    21611: "This 'From' number has exceeded the maximum number of queued messages",
    21612: "The 'To' phone number: {to}, is not currently reachable using the "
    "'From' phone number: {from_} via SMS.",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21619: "A text message body, media URL or content SID is required.",
    21659: "'From' {from_} is not a Twilio phone number or Short Code country mismatch",
    21660: "Mismatch between the 'From' number {from_} and the account {account}",
    21661: "'From' number {from_} is not SMS-capable",
    21701: "The Messaging Service Sid {service} does not exist",
    21704: "The Messaging Service {service} contains no phone numbers",
    21705: "The Messaging Service Sid {service} is invalid.",
}
DELIVERY_ERRORS: Final = {
    30001: "Queue overflow",
    30002: "Account suspended",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
}
FINAL_FAILURES: Final = ("undelivered", "failed")

_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class TwilioError(Exception):
    """A request Twilio would refuse: becomes the four-key error body."""

    def __init__(self, code: int, status: int, message: str | None = None, **fmt: str) -> None:
        text = message if message is not None else ERROR_MESSAGES[code].format(**fmt)
        super().__init__(text)
        self.code = code
        self.status = status
        self.message = text

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.status, self.message)


def error_body(code: int, status: int, message: str) -> dict[str, Any]:
    """Twilio's legacy error shape: exactly code, message, more_info, status."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def rfc2822(timestamp: float) -> str:
    """``Thu, 24 Aug 2023 05:01:45 +0000``, independent of the process locale."""
    t = time.gmtime(timestamp)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def new_message_sid(media: bool = False) -> str:
    return ("MM" if media else "SM") + secrets.token_hex(16)


def is_alpha_sender(sender: str) -> bool:
    """An alphanumeric sender ID (a letter at least), not a number or short code."""
    return bool(ALPHA_SENDER_RE.match(sender))


def find_code(body: str | None) -> str | None:
    """The OTP code in a body: the first run of 4-10 digits, or None."""
    match = OTP_CODE_RE.search(body or "")
    return match.group(0) if match else None


# --- create validation ------------------------------------------------------------------


class NewMessage(NamedTuple):
    """A create request that passed Twilio's checks."""

    to: str
    from_: str | None
    service_sid: str | None
    body: str
    media: tuple[str, ...]


def _number_value(form: dict[str, list[str]], key: str) -> str:
    """A To/From value. ``curl -d To=+1555...`` sends a bare ``+``, which form decoding
    reads as a space: a space then only digits was meant as a ``+``."""
    return plus_restored((form.get(key) or [""])[0])


def plus_restored(raw: str) -> str:
    """A number whose ``+`` was sent unencoded (so decoded as a space) gets it back."""
    if raw.startswith(" ") and raw[1:].isdigit():
        return "+" + raw[1:]
    return raw.strip()


def _check_to(to: str) -> None:
    if not to:
        raise TwilioError(21604, 400)
    if to in MAGIC_TO:
        raise TwilioError(MAGIC_TO[to], 400, to=to, from_="")
    if not E164_RE.match(to):
        raise TwilioError(21211, 400, to=to)


def _check_from(from_: str) -> None:
    if from_.startswith(MAGIC_PREFIX) and len(from_) == len(MAGIC_FROM_OK):
        if from_ != MAGIC_FROM_OK:
            raise TwilioError(MAGIC_FROM.get(from_, 21606), 400, from_=from_)
        return
    if E164_RE.match(from_) or SHORT_CODE_RE.match(from_) or ALPHA_SENDER_RE.match(from_):
        return
    raise TwilioError(21212, 400, from_=from_)


def _check_body(body: str, media: tuple[str, ...], service_sid: str | None) -> None:
    if not body and not media:
        raise TwilioError(21619 if service_sid else 21602, 400)
    if len(body) > MAX_BODY_CHARS:
        raise TwilioError(21617, 400)


def validate_create(form: dict[str, list[str]]) -> NewMessage:
    """Twilio's checks on a create, in Twilio's order: To (21604, magic numbers, 21211),
    From or MessagingServiceSid (21603, 21705, magic numbers, 21212), Body (21602/21619, 21617)."""
    to, from_ = _number_value(form, "To"), _number_value(form, "From")
    service_sid = (form.get("MessagingServiceSid") or [""])[0].strip() or None
    body = (form.get("Body") or [""])[0]  # a body keeps its spaces
    media = tuple(url for url in form.get("MediaUrl", []) if url.strip())
    _check_to(to)
    if not from_ and not service_sid:
        raise TwilioError(21603, 400)
    if service_sid and not SERVICE_SID_RE.match(service_sid):
        raise TwilioError(21705, 400, service=service_sid)
    if from_:
        _check_from(from_)
    _check_body(body, media, service_sid)
    return NewMessage(to, from_ or None, service_sid, body, media)


# --- resources ------------------------------------------------------------------------


def status_steps(service: bool, final: str) -> tuple[str, ...]:
    """The statuses a message goes through, one per ``status_delay``.

    ``failed`` means never handed to a carrier, so it comes right after ``queued``; ``queued``
    as the final status is a message sent with test credentials, which never leaves."""
    start = ("accepted", "queued") if service else ("queued",)
    if final == "queued":
        return start
    if final == "failed":
        return (*start, "failed")
    return (*start, "sending", "sent", final)


def _step_index(row: dict[str, Any], now: float) -> int:
    delay = row["step_delay"]
    last = len(status_steps(bool(row["service_sid"]), row["final_status"])) - 1
    if delay <= 0:
        return last  # the create answer shows the first step; every read after, the last
    return min(int((now - row["created"]) / delay), last)


def message_uri(account_sid: str, sid: str) -> str:
    return f"{ACCOUNTS_PREFIX}/{account_sid}/Messages/{sid}.json"


def _timeline(row: dict[str, Any], index: int) -> dict[str, Any]:
    """Status, the time it was reached, and when the message left (if it did)."""
    steps = status_steps(bool(row["service_sid"]), row["final_status"])
    status = steps[index]
    delay = max(row["step_delay"], 0.0)
    updated = row["created"] + index * delay
    sending = steps.index("sending") if "sending" in steps else None
    sent_at = None
    if sending is not None and index >= sending:
        sent_at = row["created"] + sending * delay
    return {"status": status, "updated": updated, "sent_at": sent_at}


def message_resource(row: dict[str, Any], index: int) -> dict[str, Any]:
    """The Twilio message resource for a stored row at a given step of its life."""
    line = _timeline(row, index)
    failed = line["status"] in FINAL_FAILURES
    uri = message_uri(row["account_sid"], row["sid"])
    return {
        "account_sid": row["account_sid"],
        "api_version": API_VERSION,
        "body": row["body"],
        "date_created": rfc2822(row["created"]),
        "date_sent": rfc2822(line["sent_at"]) if line["sent_at"] is not None else None,
        "date_updated": rfc2822(line["updated"]),
        "direction": "outbound-api",
        "error_code": row["error_code"] if failed else None,
        "error_message": row["error_message"] if failed else None,
        "from": row["from_"],
        "messaging_service_sid": row["service_sid"],
        "num_media": str(row["num_media"]),
        "num_segments": str(row["num_segments"]),
        "price": None,
        "price_unit": "USD",
        "sid": row["sid"],
        "status": line["status"],
        "subresource_uris": {"media": uri[: -len(".json")] + "/Media.json"},
        "to": row["to_"],
        "uri": uri,
    }


def current_resource(row: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The resource as a fetch sees it now (status moved on by the time elapsed)."""
    return message_resource(row, _step_index(row, time.time() if now is None else now))


def account_resource(sid: str, friendly_name: str = "hubsms sandbox", status: str = "active",
                     type_: str = "Full") -> dict[str, Any]:
    """The Account resource (undeclared SIDs: an active, full account). The token is never echoed."""
    base = f"{ACCOUNTS_PREFIX}/{sid}"
    names = ("messages", "calls", "incoming_phone_numbers", "usage")
    return {
        "auth_token": None,
        "date_created": rfc2822(0),
        "date_updated": rfc2822(0),
        "friendly_name": friendly_name,
        "owner_account_sid": sid,
        "sid": sid,
        "status": status,
        "subresource_uris": {n: f"{base}/{''.join(p.title() for p in n.split('_'))}.json" for n in names},
        "type": type_,
        "uri": f"{base}.json",
    }


def delivery_error_message(code: int) -> str:
    return DELIVERY_ERRORS.get(code, "Message delivery failed")
