"""The account's other resources as Twilio shapes them: IncomingPhoneNumbers, SMS ShortCodes,
OutgoingCallerIds, Balance (API 2010-04-01), and a Messaging Service with its sender lists
(Messaging v1). Each field set is that of Twilio's OpenAPI schema for the resource.

SIDs are derived from the account and the number, so the same number keeps its SID.
An undeclared account answers permissively: every number it is asked about is its own and
SMS-capable, every well-formed Messaging Service exists with an empty sender pool.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

from hubsms.sandbox.accounts import DEFAULT_BALANCE, DeclaredAccount
from hubsms.sandbox.listing import Match, digits_pattern, exact, one
from hubsms.sandbox.twilio import (
    ACCOUNTS_PREFIX,
    API_VERSION,
    E164_RE,
    SHORT_CODE_RE,
    is_alpha_sender,
    rfc2822,
)

EPOCH_ISO: Final = "1970-01-01T00:00:00Z"
V1_SERVICES: Final = "/v1/Services"


def derived_sid(prefix: str, *parts: str) -> str:
    return prefix + hashlib.sha256(":".join(parts).encode()).hexdigest()[:32]


# --- API 2010-04-01 ---------------------------------------------------------------------


def incoming_number(account: str, number: str, sms: bool) -> dict[str, Any]:
    sid = derived_sid("PN", account, number)
    null_fields = ("address_sid", "identity_sid", "sms_application_sid", "sms_fallback_url",
                   "sms_url", "status_callback", "trunk_sid", "voice_application_sid",
                   "voice_fallback_url", "voice_url", "emergency_address_sid", "bundle_sid")
    return {
        **dict.fromkeys(null_fields), "account_sid": account, "address_requirements": "none",
        "api_version": API_VERSION, "beta": False,
        "capabilities": {"voice": True, "sms": sms, "mms": False, "fax": False},
        "date_created": rfc2822(0), "date_updated": rfc2822(0), "friendly_name": number,
        "phone_number": number, "origin": "twilio", "sid": sid,
        "sms_fallback_method": "POST", "sms_method": "POST", "status_callback_method": "POST",
        "uri": f"{ACCOUNTS_PREFIX}/{account}/IncomingPhoneNumbers/{sid}.json",
        "voice_receive_mode": "voice", "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST", "voice_method": "POST", "emergency_status": "Inactive",
        "emergency_address_status": "unregistered", "status": "in-use", "type": "local",
    }


def short_code(account: str, code: str) -> dict[str, Any]:
    sid = derived_sid("SC", account, code)
    return {
        "account_sid": account, "api_version": API_VERSION, "date_created": rfc2822(0),
        "date_updated": rfc2822(0), "friendly_name": code, "short_code": code, "sid": sid,
        "sms_fallback_method": "POST", "sms_fallback_url": None, "sms_method": "POST",
        "sms_url": None, "uri": f"{ACCOUNTS_PREFIX}/{account}/SMS/ShortCodes/{sid}.json",
    }


def caller_id(account: str, number: str) -> dict[str, Any]:
    sid = derived_sid("PN", account, "caller-id", number)
    return {
        "sid": sid, "date_created": rfc2822(0), "date_updated": rfc2822(0),
        "friendly_name": number, "account_sid": account, "phone_number": number,
        "uri": f"{ACCOUNTS_PREFIX}/{account}/OutgoingCallerIds/{sid}.json",
    }


def balance(account: str, declared: DeclaredAccount | None) -> dict[str, Any]:
    amount = declared.balance if declared else DEFAULT_BALANCE
    return {"account_sid": account, "balance": amount, "currency": "USD"}


# The filters Twilio documents for each list (ListIncomingPhoneNumber, ListShortCode,
# ListOutgoingCallerId); PageSize, Page and PageToken are the list handler's.
NUMBER_FILTERS: Final[Mapping[str, Match]] = {
    "FriendlyName": exact("friendly_name"), "PhoneNumber": digits_pattern("phone_number"),
    "Origin": exact("origin"),
}
SHORT_CODE_FILTERS: Final[Mapping[str, Match]] = {
    "FriendlyName": exact("friendly_name"), "ShortCode": digits_pattern("short_code"),
}
CALLER_ID_FILTERS: Final[Mapping[str, Match]] = {
    "FriendlyName": exact("friendly_name"), "PhoneNumber": digits_pattern("phone_number"),
}


def _owned(values: tuple[str, ...] | None, wanted: str | None, pattern: re.Pattern[str]) -> list[str]:
    """The account's ``values``; an undeclared account (``values`` None) owns ``wanted``
    when it has the pattern's shape."""
    if values is None:
        return [wanted] if wanted and pattern.match(wanted) else []
    return list(values)


def list_numbers(account: str, declared: DeclaredAccount | None,
                 query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """The account's numbers (SMS ones, then voice-only ones); an undeclared account owns
    the number ``PhoneNumber`` asks about."""
    wanted = one(query, "PhoneNumber")
    sms = _owned(None if declared is None else declared.numbers, wanted, E164_RE)
    voice = list(declared.voice_only_numbers) if declared else []
    return [incoming_number(account, n, True) for n in sms] + [incoming_number(account, n, False) for n in voice]


def list_short_codes(account: str, declared: DeclaredAccount | None,
                     query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    codes = _owned(None if declared is None else declared.short_codes, one(query, "ShortCode"), SHORT_CODE_RE)
    return [short_code(account, c) for c in codes]


def list_caller_ids(account: str, declared: DeclaredAccount | None,
                    query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    numbers = _owned(None if declared is None else declared.verified_numbers, one(query, "PhoneNumber"), E164_RE)
    return [caller_id(account, n) for n in numbers]


# --- Messaging v1 -----------------------------------------------------------------------


def service(origin: str, account: str, sid: str, friendly_name: str) -> dict[str, Any]:
    url = f"{origin}{V1_SERVICES}/{sid}"
    links = {name: f"{url}/{kind.path}" for name, kind in SENDER_KINDS.items()}
    nulls = ("inbound_request_url", "fallback_url", "status_callback", "usecase")
    return {
        **dict.fromkeys(nulls), "sid": sid, "account_sid": account, "friendly_name": friendly_name,
        "date_created": EPOCH_ISO, "date_updated": EPOCH_ISO, "inbound_method": "POST",
        "fallback_method": "POST", "sticky_sender": True, "mms_converter": True,
        "smart_encoding": True, "scan_message_content": "inherit", "fallback_to_long_code": True,
        "area_code_geomatch": True, "synchronous_validation": True, "validity_period": 14400,
        "url": url, "links": links, "us_app_to_person_registered": False,
        "use_inbound_webhook_on_number": False,
    }


class SenderKind(NamedTuple):
    """One kind of a Messaging Service's senders: its SID prefix, its field, its list's path
    below the service, and which pool entries are of that kind."""

    prefix: str
    field: str
    path: str
    belongs: Callable[[str], bool]


SENDER_KINDS: Final[dict[str, SenderKind]] = {
    "phone_numbers": SenderKind("PN", "phone_number", "PhoneNumbers", lambda s: bool(E164_RE.match(s))),
    "short_codes": SenderKind("SC", "short_code", "ShortCodes", lambda s: bool(SHORT_CODE_RE.match(s))),
    "alpha_senders": SenderKind("AI", "alpha_sender", "AlphaSenders", is_alpha_sender),
}
SENDER_PATHS: Final = {kind.path: name for name, kind in SENDER_KINDS.items()}


def _sender(kind: str, origin: str, account: str, service_sid: str, value: str) -> dict[str, Any]:
    prefix, field, path, _ = SENDER_KINDS[kind]
    sid = derived_sid(prefix, account, value)
    item = {"sid": sid, "account_sid": account, "service_sid": service_sid,
            "date_created": EPOCH_ISO, "date_updated": EPOCH_ISO, field: value,
            "capabilities": ["SMS"], "url": f"{origin}{V1_SERVICES}/{service_sid}/{path}/{sid}"}
    if kind != "alpha_senders":
        item["country_code"] = "US" if value.startswith("+1") or SHORT_CODE_RE.match(value) else None
    return item


def service_senders(kind: str, origin: str, account: str, service_sid: str,
                    pool: tuple[str, ...]) -> list[dict[str, Any]]:
    """The pool's senders of one kind (``phone_numbers``, ``short_codes``, ``alpha_senders``)."""
    return [_sender(kind, origin, account, service_sid, s) for s in pool if SENDER_KINDS[kind].belongs(s)]
