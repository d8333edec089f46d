"""The rows of ``connector test``: a :class:`Check` and its constructors, and the checks of
the sender and the recipient, each reading what Twilio itself looks at when a message is
created (the account's numbers, short codes, Messaging Services, verified caller IDs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms.errors import ExitCode, HubsmsError, TwilioAPIError
from hubsms.model import is_messaging_service_sid
from hubsms.twilio.codes import CODES

if TYPE_CHECKING:
    from hubsms.twilio.client import TwilioClient

OK: Final = "ok"
WARNING: Final = "warning"
FAILED: Final = "failed"
SKIPPED: Final = "skipped"


class Check(NamedTuple):
    """One check's outcome; ``exit_code`` is what a failure means for the command."""

    name: str
    status: str
    detail: str
    code: int | None = None
    hint: str | None = None
    exit_code: ExitCode = ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "code": self.code, "detail": self.detail, "hint": self.hint}


def passed(name: str, detail: str) -> Check:
    return Check(name, OK, detail)


def warned(name: str, detail: str, code: int | None, hint: str | None = None) -> Check:
    """A warning; its hint, unless given, is the next step of Twilio's ``code`` (twilio.codes)."""
    return Check(name, WARNING, detail, code, hint or _step(code))


def failed(name: str, detail: str, code: int | None, hint: str | None = None,
           exit_code: ExitCode = ExitCode.REJECTED) -> Check:
    """A failure; its hint, unless given, is the next step of Twilio's ``code`` (twilio.codes)."""
    return Check(name, FAILED, detail, code, hint or _step(code), exit_code)


def _step(code: int | None) -> str | None:
    known = CODES.get(code) if code is not None else None
    return known.step if known else None


def from_error(name: str, err: HubsmsError) -> Check:
    """A check that could not be made: the error's words, Twilio's code, its exit code."""
    return failed(name, err.message, getattr(err, "code", None), err.hint, err.exit_code)


def sender_kind(sender: str) -> str:
    """``messaging_service``, ``number``, ``short_code`` or ``alphanumeric`` (a stored From
    has one of these shapes: model.validate_from)."""
    if is_messaging_service_sid(sender):
        return "messaging_service"
    if sender.startswith("+"):
        return "number"
    return "short_code" if sender.isdigit() else "alphanumeric"


def guarded(name: str, check: Callable[[], Check]) -> Check:
    """A check whose request failed says so (a timeout, a refusal) instead of stopping the rest;
    one the credentials may not make (403: restricted rights) is a warning, its outcome unknown."""
    try:
        return check()
    except TwilioAPIError as err:
        if err.status == 403:
            return warned(name, f"unknown: these credentials may not read what this check needs ({err.message})",
                          err.code, err.hint)
        return from_error(name, err)
    except HubsmsError as err:
        return from_error(name, err)


def find_in_list(client: TwilioClient, resource: str, key: str, param: str, value: str) -> list[dict[str, Any]]:
    """The items of an account's list that are exactly ``value``: Twilio's ``PhoneNumber``
    filter also matches part of a number."""
    field = "short_code" if param == "ShortCode" else "phone_number"
    return [item for item in client.list_account(resource, key, {param: value}) if item.get(field) == value]


def number_sender(client: TwilioClient, number: str) -> Check:
    """An E.164 From must be one of the account's numbers, and SMS-capable (21661)."""
    found = find_in_list(client, "IncomingPhoneNumbers", "incoming_phone_numbers", "PhoneNumber", number)
    if not found:
        return failed("sender", f"{number} is not a number of this account (Twilio: 21660, or 21659 "
                      "when it is no Twilio number at all)", 21660)
    if not (found[0].get("capabilities") or {}).get("sms"):
        return failed("sender", f"{number} is the account's, but cannot send SMS: voice only (Twilio: 21661)", 21661)
    return passed("sender", f"{number}: an SMS-capable number of the account")


def short_code_sender(client: TwilioClient, code: str) -> Check:
    found = find_in_list(client, "SMS/ShortCodes", "short_codes", "ShortCode", code)
    if not found:
        return failed("sender", f"short code {code} is not one of this account's (Twilio: 21660, or 21659 "
                      "when it is no Twilio short code at all)", 21660)
    return passed("sender", f"short code {code} of the account")


def service_sender(client: TwilioClient, sid: str) -> Check:
    """A Messaging Service SID must name a service of the account (21701) with at least one
    sender in its pool (21704)."""
    try:
        service = client.fetch_messaging_service(sid)
    except TwilioAPIError as err:
        if err.code != 20404:
            raise
        return failed("sender", f"{sid} is not a Messaging Service of this account (Twilio: 21701)", 21701)
    counts = client.count_service_senders(sid)
    if not any(counts.values()):
        return failed("sender", f"Messaging Service {sid} has no senders in its pool (Twilio: 21704)", 21704)
    pool = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n)
    return passed("sender", f"Messaging Service {service.get('friendly_name') or sid}: {pool}")


def alphanumeric_sender(client: TwilioClient, sender: str) -> Check:
    return warned("sender", f"alphanumeric sender ID '{sender}': the US and Canada refuse it (21612), "
                  "and some countries only take registered ones", 21612)


SENDER_CHECKS: Final[dict[str, Callable[[TwilioClient, str], Check]]] = {
    "number": number_sender, "short_code": short_code_sender,
    "messaging_service": service_sender, "alphanumeric": alphanumeric_sender,
}


def sender_check(client: TwilioClient, sender: str) -> Check:
    """The sender's check, by its kind."""
    return SENDER_CHECKS[sender_kind(sender)](client, sender)


def recipient(client: TwilioClient, account: dict[str, Any], to: str) -> Check:
    """A trial account sends only to its verified numbers (21608); a full one to any. When the
    account's type is unknown (it could not be read), a number that is not verified is a
    warning."""
    kind = account.get("type")
    if kind == "Full":
        return passed("recipient", f"{to}: a full account may send to any number")
    verified = find_in_list(client, "OutgoingCallerIds", "outgoing_caller_ids", "PhoneNumber", to)
    if verified:
        return passed("recipient", f"{to} is a verified number of the {'trial ' if kind else ''}account")
    if kind is None:
        return warned("recipient", f"{to} is not verified: if the account is a trial one, it cannot send there "
                      "(Twilio: 21608); its type is unknown", 21608)
    return failed("recipient", f"{to} is not verified, and a trial account sends only to verified numbers "
                  "(Twilio: 21608)", 21608)


def alphanumeric_route(sender: str, to: str) -> Check:
    """An alphanumeric sender ID cannot reach +1 numbers (US, Canada): 21612."""
    if to.startswith("+1"):
        return failed("route", f"'{sender}' cannot send to {to}: the US and Canada refuse alphanumeric "
                      "sender IDs (Twilio: 21612)", 21612)
    return passed("route", f"'{sender}' to {to}: not +1 (check the country's rules if messages do not arrive)")
