"""What a request to Twilio is made of, without the HTTP stack (a dry run and the option
checks import this, not requests): the Messages URL and the create-message form, the
message SID and statuses, and the time limits with the environment variables that set them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Final

from hubsms.errors import InvalidValue
from hubsms.model import is_messaging_service_sid
from hubsms.seconds import MAX_SECONDS, SMALLEST, parse_seconds

TIMEOUT_ENV: Final = "HUBSMS_TIMEOUT"
DEADLINE_ENV: Final = "HUBSMS_DEADLINE"
DEFAULT_TIMEOUTS: Final = (5.0, 15.0)
DEFAULT_DEADLINE: Final = 30.0
MAX_DEADLINE: Final = 3600.0
# Listing messages: rows asked for (hubsms's choice) and Twilio's PageSize (its default, its largest).
DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 1000
DEFAULT_PAGE_SIZE: Final = 50
MAX_PAGE_SIZE: Final = 1000
# The largest answer read, decoded: Twilio's largest, a page of 1000 messages of 1600 characters
# each (\u-escaped when not ASCII), stays under 11 MiB; its JSON nests 4 levels deep.
MAX_ANSWER_BYTES: Final = 16 * 1024 * 1024
MAX_JSON_DEPTH: Final = 64
# The Message SID's pattern and the statuses, as Twilio's OpenAPI description has them
# (tests/data/twilio-oai/twilio_api_v2010.json: message_enum_status), and those after which a
# message never changes again.
MESSAGE_SID_RE: Final = re.compile(r"(SM|MM)[0-9a-fA-F]{32}")
MESSAGE_STATUSES: Final = frozenset(
    {"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received",
     "accepted", "scheduled", "read", "partially_delivered", "canceled"}
)
FINAL_STATUSES: Final = frozenset({"delivered", "undelivered", "failed", "read", "canceled", "received"})
FAILED_STATUSES: Final = frozenset({"undelivered", "failed"})


def messages_url(server_address: str, account_sid: str) -> str:
    """The account's Messages list, where a message is created: what is posted and what a
    dry run shows."""
    return f"{server_address.rstrip('/')}/{account_sid}/Messages.json"


def message_form(to: str, sender: str, body: str, validity: int | None = None) -> dict[str, str]:
    """The create-message form, exactly as posted: a sender that is a Messaging Service SID
    (MG + 32 hex digits) goes in ``MessagingServiceSid``, any other in ``From``;
    ``ValidityPeriod`` only when given."""
    key = "MessagingServiceSid" if is_messaging_service_sid(sender) else "From"
    form = {"To": to, key: sender, "Body": body}
    if validity is not None:
        form["ValidityPeriod"] = str(validity)
    return form


def parse_timeouts(text: str, source: str = TIMEOUT_ENV) -> tuple[float, float]:
    """Read "SECONDS" (connect and read alike) or "CONNECT,READ" into a (connect, read) pair."""
    parts = [p.strip() for p in text.split(",")]
    example = '"10", or connect and read seconds, e.g. "5,30"'
    if len(parts) not in (1, 2):
        raise InvalidValue(source, f"{source} must be one or two numbers, got {text!r}", f"e.g. {example}")
    values = [parse_seconds(p, source, lowest=SMALLEST, highest=MAX_SECONDS, example=example) for p in parts]
    return (values[0], values[-1])


def timeouts_from_env(
    environ: Mapping[str, str] | None = None,
    default: tuple[float, float] = DEFAULT_TIMEOUTS,
) -> tuple[float, float]:
    """The (connect, read) timeouts from HUBSMS_TIMEOUT, else the default."""
    text = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
    return parse_timeouts(text) if text else default


def deadline_from_env(environ: Mapping[str, str] | None = None, default: float = DEFAULT_DEADLINE) -> float:
    """The overall deadline of one request, in seconds, from HUBSMS_DEADLINE, else the default."""
    text = (os.environ if environ is None else environ).get(DEADLINE_ENV, "").strip()
    if not text:
        return default
    return parse_seconds(text, DEADLINE_ENV, lowest=SMALLEST, highest=MAX_DEADLINE, example="60")
