"""Twilio error codes in words: one table, :data:`CODES`, of what a code means and what to do
next, used wherever a code is said — ``otp send``'s errors, ``connector test``'s rows and
``messages``' explanations alike. docs/twilio.md lists the table with each code's source.

Twilio keeps splitting codes and advises against hard logic on them (its changelog of
2024-07-10, "Updates to the error code dictionary"), so this table only explains; no decision
depends on a code except 20003 and 20008.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

# Twilio's page of each code is DOCS + the code.
DOCS: Final = "https://www.twilio.com/docs/api/errors/"


class TwilioCode(NamedTuple):
    """What a Twilio error code means, and the next step (it follows "hint:", so it starts
    lower-case unless it starts with a name)."""

    words: str
    step: str


_NOT_OWNED_STEP: Final = (
    "set the connector's From to an SMS-capable number or short code of this account (Twilio "
    "console > Phone Numbers): hubsms connector edit NAME --from +1..."
)

# Errors Twilio answers a request with (HTTP 4xx), and errors a message ends with (status
# failed or undelivered, codes 30xxx). Each code's source is its Twilio page (docs/twilio.md).
CODES: Final[Mapping[int, TwilioCode]] = {
    20003: TwilioCode(
        "authentication failed: the Account SID and auth token do not match, or the account is closed",
        "copy both again from the Twilio console (Account Info) and store the token again: hubsms connector "
        "edit NAME --auth-token-stdin. Live and test credentials cannot be mixed; a closed account's never work."),
    20008: TwilioCode(
        "test credentials: Twilio lets them only create messages",
        "these are test credentials: with them Twilio only allows sending messages; fetching messages or the "
        "account is refused (403). Use the live credentials to check a connector or to wait for delivery."),
    20403: TwilioCode(
        "403 Forbidden: the account may not use the API, usually because it is suspended",
        "read Twilio's suspension e-mail, settle the billing or policy issue with Twilio Support, or use "
        "another account: hubsms connector edit NAME --account-sid AC... --auth-token-stdin"),
    20404: TwilioCode(
        "Twilio does not know this resource",
        "check the Account SID, the message SID and that the Server Address ends in /2010-04-01/Accounts."),
    20429: TwilioCode(
        "too many concurrent requests",
        "Twilio did not process this one, so sending again is safe. hubsms retries within a time budget (a "
        "longer Retry-After is not waited for). Wait a moment and try again."),
    21211: TwilioCode(
        "'To' is not a valid phone number",
        "give it in E.164 form (+, country code, number, e.g. +14155552671); it cannot be the sender itself, "
        "a short code or an alphanumeric ID."),
    21212: TwilioCode(
        "'From' is not a valid sender for this account",
        "use a phone number of the account in E.164 form, a short code, an alphanumeric sender ID, or a "
        "Messaging Service SID (MG...)."),
    21408: TwilioCode(
        "SMS to this country is not enabled (Geo permissions)",
        "enable the country in the Twilio console under Messaging > Settings > Geo permissions."),
    21602: TwilioCode("the message body is empty", "give a body or a template that renders to text."),
    21603: TwilioCode("no 'From' was given", "give a 'From' number or a Messaging Service SID (MG...) in the connector."),
    21604: TwilioCode("no 'To' was given", "give a 'To' number (Twilio also reports this when the body is not form-encoded)."),
    21606: TwilioCode(
        "'From' cannot send SMS to this destination",
        "use an SMS-capable number the account owns, or a Messaging Service."),
    21608: TwilioCode(
        "trial account: 'To' is not a verified number",
        "verify the number in the Twilio console (Phone Numbers > Verified Caller IDs), or upgrade the account "
        "(which also drops the trial prefix of each message)."),
    21610: TwilioCode(
        "the recipient unsubscribed (replied STOP to this sender)",
        "Twilio blocks further messages until they reply START: ask the recipient to reply START."),
    21611: TwilioCode(
        "the 'From' number has too many queued messages",
        "wait for the queue to drain, or send from another number or a Messaging Service."),
    21612: TwilioCode(
        "Twilio cannot route between this 'To' and 'From' (the US and Canada refuse alphanumeric sender IDs)",
        "send from a number or a Messaging Service that has one; Twilio lists each country's rules "
        "(International SMS guidelines)."),
    21614: TwilioCode(
        "'To' is not a mobile number (a landline or unassigned number)",
        "use a mobile number: a landline cannot receive SMS."),
    21617: TwilioCode("the body is longer than 1,600 characters", "shorten the message template."),
    21659: TwilioCode("'From' is not a Twilio phone number or short code", _NOT_OWNED_STEP),
    21660: TwilioCode("'From' belongs to another Twilio account", _NOT_OWNED_STEP),
    21661: TwilioCode(
        "'From' is the account's, but cannot send SMS (voice only)",
        "use an SMS-capable number of the account (Twilio console > Phone Numbers > capabilities), or a "
        "Messaging Service."),
    21701: TwilioCode(
        "the Messaging Service SID names no service of this account",
        "copy the service's SID from the Twilio console (Messaging > Services): hubsms connector edit NAME "
        "--from MG..."),
    21704: TwilioCode(
        "the Messaging Service has no senders in its pool",
        "add a number, short code or sender ID to the service (Twilio console > Messaging > Services > "
        "Sender Pool)."),
    70051: TwilioCode(
        "authorization failed: these credentials may not read this resource (a key with restricted rights)",
        "give the key the permission it lacks in the Twilio console (Account > API keys), or use the "
        "account's own credentials."),
    30001: TwilioCode(
        "queue overflow: too many messages were queued for the sender",
        "send more slowly, or through a Messaging Service with more senders; then send again."),
    30002: TwilioCode(
        "the Twilio account was suspended before the message was sent",
        "read Twilio's suspension e-mail, settle the billing or policy issue, then contact Twilio Support "
        "with the message SID."),
    30003: TwilioCode(
        "unreachable destination handset (switched off, out of coverage or roaming)",
        "usually temporary: ask the recipient to check the phone is on and has signal, and send again later."),
    30004: TwilioCode(
        "message blocked (by the recipient, the carrier or a block list)",
        "ask the recipient whether they block this sender or opted out (reply START to opt in again); "
        "otherwise try another sender."),
    30005: TwilioCode(
        "unknown destination handset (the number does not exist or is no longer in service)",
        "check the number with the recipient; do not retry the same number."),
    30006: TwilioCode(
        "landline or unreachable carrier: the number cannot receive SMS",
        "use a mobile number; a short code sender may need a long code fallback."),
    30007: TwilioCode(
        "message filtered by Twilio or the carrier (spam or content filtering)",
        "make the text plainly a one-time code from a known sender; if it keeps happening, give Twilio "
        "Support 3 or more message SIDs."),
    30008: TwilioCode(
        "unknown error from the carrier",
        "send again; if it repeats, give Twilio Support the message SID and time."),
    30009: TwilioCode(
        "a segment of a multi-part message was missing",
        "shorten the message to one segment and send again."),
    30010: TwilioCode(
        "the message price exceeds the max price set",
        "raise or remove MaxPrice (Twilio has retired it); check the body for characters that add segments."),
    30032: TwilioCode(
        "the toll-free sender number is not verified (US/Canada)",
        "submit or fix the toll-free verification in the Twilio console (Phone Numbers > Regulatory "
        "Information) or send from another sender."),
    30034: TwilioCode(
        "US A2P 10DLC: the sender number is not registered to an approved campaign",
        "register the number to an A2P 10DLC campaign in the Twilio console, or send from a verified "
        "toll-free number."),
    30036: TwilioCode(
        "the validity period ran out while the message was queued",
        "send again with a longer validity (--validity) or at a slower rate."),
    30044: TwilioCode(
        "a delivery error that hubsms has no checked description of",
        "read Twilio's page for the code (the link), and look the message up in the Twilio console "
        "(Monitor > Logs > Messaging)."),
    30450: TwilioCode(
        "delivery blocked by SMS Pumping Protection (temporary, 15 to 30 minutes)",
        "wait and send again; for a known number add it to Twilio's Global Safe List."),
}

# What to do when hubsms has no words for the code: one fallback, whoever asks.
_UNKNOWN_STEP: Final = (
    "look the code up in Twilio's error dictionary (its link is above), and the message in the "
    "Twilio console (Monitor > Logs > Messaging)."
)
_NO_CODE_STEP: Final = (
    "the carrier did not deliver the SMS; check the number, or look the message up in the "
    "Twilio console (Monitor > Logs > Messaging)."
)


def link(code: int) -> str:
    """Twilio's documentation page of a code."""
    return f"{DOCS}{code}"



def request_hint(code: int, more_info: str | None = None) -> str:
    """The hint of an error Twilio answered a request with: the words, the next step and the
    link (Twilio's own ``more_info`` when it gave one)."""
    known = CODES.get(code)
    said = f"{known.words}: {known.step}" if known else "see Twilio's description of this error."
    return f"{said} More: {more_info or link(code)}"


def error_code(value: Any) -> int | None:
    """A Twilio error code as an answer gives it (a message's ``error_code``, an error's
    ``code``): an int, else None (a bool is not a code, though Python says it is an int)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe_delivery_error(code: int | None) -> str:
    """Name a message's error code in words, with its Twilio documentation link."""
    if code is None:
        return "no error code given"
    known = CODES.get(code)
    return f"{known.words if known else 'delivery error'} (error {code}, {link(code)})"


def delivery_advice(code: int | None) -> str:
    """What to do about a code (a message's, a request's); for an unknown or missing one,
    where to look."""
    if code is None:
        return _NO_CODE_STEP
    known = CODES.get(code)
    return known.step if known else _UNKNOWN_STEP
