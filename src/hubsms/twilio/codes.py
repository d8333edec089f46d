"""Twilio error codes in words: hints for API errors (HTTP 4xx) and for delivery errors.

Twilio keeps splitting codes and advises against hard logic on them (changelog:
https://www.twilio.com/en-us/changelog/updates-to-the-error-code-dictionary-to-clarify-number-validatio),
so these tables only explain; no decision depends on a code except 20003 and 20008.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, NamedTuple

DOCS: Final = "https://www.twilio.com/docs/errors/"

# Hints for errors Twilio answers a request with (HTTP 4xx); sources in FACTS.md section 7.
CODE_HINTS: Final[Mapping[int, str]] = {
    20003: "the Account SID and auth token do not match: copy both again from the Twilio "
    "console (Account Info) and store the token again. Live and test credentials cannot be mixed.",
    20008: "these are test credentials: with them Twilio only allows sending messages; fetching "
    "messages or the account is refused (403). Use the live credentials to check a connector "
    "or to wait for delivery.",
    20404: "Twilio does not know this resource: check the Account SID, the message SID and that "
    "the Server Address ends in /2010-04-01/Accounts.",
    20429: "too many concurrent requests: Twilio did not process this one, so sending again "
    "is safe. hubsms retries within a time budget (a longer Retry-After is not waited for). "
    "Wait a moment and try again.",
    21211: "'To' is not a valid phone number: give it in E.164 form (+, country code, number, "
    "e.g. +14155552671); it cannot be the sender itself, a short code or an alphanumeric ID.",
    21212: "'From' is not a valid sender for this account: use a phone number of the account in "
    "E.164 form, a short code, an alphanumeric sender ID, or a Messaging Service SID (MG...).",
    21408: "the account's Messaging Geo Permissions do not allow SMS to this country: enable it "
    "in the Twilio console under Messaging > Settings > Geo permissions.",
    21602: "the message body is empty: give a body or a template that renders to text.",
    21603: "give a 'From' number or a Messaging Service SID (MG...) in the connector.",
    21604: "give a 'To' number (Twilio also reports this when the body is not form-encoded).",
    21606: "'From' is not an SMS-capable Twilio number of this account, or cannot send to this "
    "destination: use a number the account owns with SMS capability, or a Messaging Service.",
    21608: "this is a trial account and 'To' is not verified: verify the number in the Twilio "
    "console (Phone Numbers > Verified Caller IDs) or upgrade the account.",
    21610: "the recipient replied STOP to this sender and is unsubscribed: Twilio blocks further "
    "messages until they reply START.",
    21611: "the 'From' number has too many queued messages: wait for the queue to drain or "
    "send from another number or a Messaging Service.",
    21612: "Twilio cannot route a message between this 'To' and 'From': try another sender "
    "(e.g. a local number or a Messaging Service).",
    21614: "'To' is not a mobile number (a landline or unassigned number), so it cannot receive "
    "SMS: use a mobile number.",
    21617: "the body is longer than 1,600 characters: shorten the message template.",
}


class DeliveryError(NamedTuple):
    """What a message's ``error_code`` means and what to do about it."""

    meaning: str
    action: str


# Codes a message can end with (status failed/undelivered). Sources, one per code:
#   30001 https://www.twilio.com/docs/errors/30001
#   30002 https://www.twilio.com/docs/api/errors/30002
#   30003 https://www.twilio.com/docs/api/errors/30003
#   30004 https://www.twilio.com/es-mx/docs/api/errors/30004
#   30005 third-party only: https://waytohealth.atlassian.net/wiki/spaces/WTHST/pages/140804097
#         (no Twilio page for 30005 was found; the name "Unknown destination handset" agrees)
#   30006 https://live.docs.dev.twilio.com/docs/api/errors/30006.md ; https://twilio.com/de/docs/api/errors/30006
#   30007 https://blue.docs.stage.twilio.com/docs/api/errors/30007
#   30008 third-party only: https://help.chekkit.io/article/148-common-sms-mms-error-messages
#   30009 third-party only: same page as 30008
#   30010 https://www.twilio.com/docs/api/errors/30010 (obsolete with MaxPrice's end, 2024)
#   30032 https://static0.twilio.com/docs/api/errors/30032
#   30034 https://twilio.com/en-us/blog/swap-10dlc-numbers-toll-free ("30034 or 30035 ... from
#         an unregistered number"); https://support.twilio.com/hc/en-us/articles/14910496447771
#   30036 https://static0.twilio.com/docs/api/errors/30036
#   30450 https://www.twilio.com/docs/api/errors/30450
#   21xxx as in CODE_HINTS (FACTS.md section 7); 21610 also ends messages sent through a
#         Messaging Service (https://www.twilio.com/docs/api/errors/21610).
# 30044 was asked for but no source naming it was found: it is left out, not guessed.
DELIVERY_ERRORS: Final[Mapping[int, DeliveryError]] = {
    30001: DeliveryError(
        "queue overflow: too many messages were queued for the sender",
        "send more slowly, or through a Messaging Service with more senders; then send again."),
    30002: DeliveryError(
        "the Twilio account was suspended before the message was sent",
        "read Twilio's suspension e-mail, settle the billing or policy issue, then contact "
        "Twilio Support with the message SID."),
    30003: DeliveryError(
        "unreachable destination handset (switched off, out of coverage or roaming)",
        "usually temporary: ask the recipient to check the phone is on and has signal, and send "
        "again later."),
    30004: DeliveryError(
        "message blocked (by the recipient, the carrier or a block list)",
        "ask the recipient whether they block this sender or opted out (reply START to opt in "
        "again); otherwise try another sender."),
    30005: DeliveryError(
        "unknown destination handset (the number does not exist or is no longer in service)",
        "check the number with the recipient; do not retry the same number."),
    30006: DeliveryError(
        "landline or unreachable carrier: the number cannot receive SMS",
        "use a mobile number; a short code sender may need a long code fallback."),
    30007: DeliveryError(
        "message filtered by Twilio or the carrier (spam or content filtering)",
        "make the text plainly a one-time code from a known sender; if it keeps happening, "
        "give Twilio Support 3 or more message SIDs."),
    30008: DeliveryError(
        "unknown error from the carrier",
        "send again; if it repeats, give Twilio Support the message SID and time."),
    30009: DeliveryError(
        "a segment of a multi-part message was missing",
        "shorten the message to one segment and send again."),
    30010: DeliveryError(
        "the message price exceeds the max price set",
        "raise or remove MaxPrice (Twilio has retired it); check the body for characters that "
        "add segments."),
    30032: DeliveryError(
        "the toll-free sender number is not verified (US/Canada)",
        "submit or fix the toll-free verification in the Twilio console (Phone Numbers > "
        "Regulatory Information) or send from another sender."),
    30034: DeliveryError(
        "US A2P 10DLC: the sender number is not registered to an approved campaign",
        "register the number to an A2P 10DLC campaign in the Twilio console, or send from a "
        "verified toll-free number."),
    30036: DeliveryError(
        "the validity period ran out while the message was queued",
        "send again with a longer validity (--validity) or at a slower rate."),
    30450: DeliveryError(
        "delivery blocked by SMS Pumping Protection (temporary, 15 to 30 minutes)",
        "wait and send again; for a known number add it to Twilio's Global Safe List."),
    21211: DeliveryError("'To' is not a valid phone number", CODE_HINTS[21211]),
    21408: DeliveryError("SMS to this country is not enabled (Geo permissions)", CODE_HINTS[21408]),
    21606: DeliveryError("'From' cannot send SMS to this destination", CODE_HINTS[21606]),
    21608: DeliveryError("trial account: 'To' is not a verified number", CODE_HINTS[21608]),
    21610: DeliveryError("the recipient unsubscribed (replied STOP)", CODE_HINTS[21610]),
    21612: DeliveryError("Twilio cannot route between this 'To' and 'From'", CODE_HINTS[21612]),
    21614: DeliveryError("'To' is not a mobile number", CODE_HINTS[21614]),
}

# What to do when hubsms has no words for the code: one fallback, whoever asks.
_UNKNOWN_ACTION: Final = (
    "Look the code up in Twilio's error dictionary (its link is above), and the message in the "
    "Twilio console (Monitor > Logs > Messaging)."
)
_NO_CODE_ACTION: Final = (
    "The carrier did not deliver the SMS; check the number, or look the message up in the "
    "Twilio console (Monitor > Logs > Messaging)."
)


def error_code(value: Any) -> int | None:
    """A Twilio error code as an answer gives it (a message's ``error_code``, an error's
    ``code``): an int, else None (a bool is not a code, though Python says it is an int)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def describe_delivery_error(code: int | None) -> str:
    """Name a message's error code in words, with its Twilio documentation link."""
    if code is None:
        return "no error code given"
    known = DELIVERY_ERRORS.get(code)
    return f"{known.meaning if known else 'delivery error'} (error {code}, {DOCS}{code})"


def delivery_advice(code: int | None) -> str:
    """What to do about a message's error code; for an unknown or missing code, where to
    look."""
    if code is None:
        return _NO_CODE_ACTION
    known = DELIVERY_ERRORS.get(code)
    return known.action if known else _UNKNOWN_ACTION
