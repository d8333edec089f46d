"""One-time passwords: code generation and the SMS text around them. Pure: no I/O."""

from __future__ import annotations

import math
import re
import secrets
import string
from typing import Final

from hubsms.errors import InvalidValue

CODE_LENGTHS: Final = (4, 6, 9)  # the OTP lengths SigningHub offers
MIN_CODE_LENGTH: Final = 4
MAX_CODE_LENGTH: Final = 10
MAX_BODY_CHARS: Final = 1600  # Twilio refuses longer bodies (error 21617)
MAX_VALIDITY_SECONDS: Final = 36000  # Twilio's ValidityPeriod range is 1-36000

DEFAULT_TEMPLATE: Final = "Your SigningHub verification code is {code}."
VALIDITY_SENTENCE: Final = " It expires in {validity}."
PLACEHOLDERS: Final = ("code", "minutes", "validity")
_PLACEHOLDER_HINT: Final = (
    "Allowed placeholders: {code} (required), {minutes} and {validity} (need a validity); "
    "write {{ and }} for literal braces."
)

# GSM 03.38: the basic set costs one septet, the extension set two (escape + char).
_DIGITS: Final = re.compile(r"[0-9]+")


def generate_code(length: int = 6) -> str:
    """A uniformly random numeric code from ``secrets``; leading zeros are kept."""
    if length not in CODE_LENGTHS:
        raise InvalidValue(
            "length", f"an OTP has 4, 6 or 9 digits, not {length}", "use --length 4, 6 or 9."
        )
    return f"{secrets.randbelow(10**length):0{length}d}"


def validate_code(code: str) -> str:
    """A user-supplied code: ASCII digits only, 4 to 10 of them."""
    if not _DIGITS.fullmatch(code) or not MIN_CODE_LENGTH <= len(code) <= MAX_CODE_LENGTH:
        raise InvalidValue(
            "code", f"an OTP code is 4 to 10 digits (0-9), got {code!r}",
            "give digits only, e.g. --code 123456, or leave --code out to generate one.",
        )
    return code


def format_validity(seconds: int) -> str:
    """Validity in words: "10 minutes" when whole minutes, else "90 seconds"."""
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _check_validity(seconds: int | None) -> None:
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not (
        1 <= seconds <= MAX_VALIDITY_SECONDS
    ):
        raise InvalidValue(
            "validity", f"the validity must be 1 to {MAX_VALIDITY_SECONDS} seconds, got {seconds!r}",
            "give whole seconds, e.g. --validity 600 for ten minutes.",
        )


def template_fields(template: str) -> set[str]:
    """The placeholders a template uses; InvalidValue for unknown ones or unbalanced braces."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # "Single '}' encountered", "unmatched '{'" ...
        raise InvalidValue("template", f"the message template has unbalanced braces ({exc})",
                           _PLACEHOLDER_HINT) from None
    fields = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            raise InvalidValue("template", f"unknown placeholder {shown} in the message template",
                               _PLACEHOLDER_HINT)
        fields.add(name)
    return fields


def _check_fields(fields: set[str], validity_seconds: int | None) -> None:
    if "code" not in fields:
        raise InvalidValue("template", "the message template has no {code} placeholder",
                           _PLACEHOLDER_HINT)
    needs_validity = fields & {"minutes", "validity"}
    if needs_validity and validity_seconds is None:
        names = ", ".join("{" + f + "}" for f in sorted(needs_validity))
        raise InvalidValue("template", f"the message template uses {names} but no validity was given",
                           "give a validity (e.g. --validity 600) or drop the placeholder.")


def render_message(template: str | None, code: str, validity_seconds: int | None = None) -> str:
    """The SMS body: ``template`` (or the default) with {code}, {minutes}, {validity} filled.

    The default template adds a validity sentence when a validity is given. The body must
    stay within Twilio's 1,600 characters.
    """
    validate_code(code)
    _check_validity(validity_seconds)
    if template is None:
        template = DEFAULT_TEMPLATE + (VALIDITY_SENTENCE if validity_seconds else "")
    _check_fields(template_fields(template), validity_seconds)
    values = {"code": code}
    if validity_seconds is not None:
        values["minutes"] = str(math.ceil(validity_seconds / 60))
        values["validity"] = format_validity(validity_seconds)
    body = template.format(**values)
    if len(body) > MAX_BODY_CHARS:
        raise InvalidValue("template", f"the message is {len(body)} characters, over Twilio's "
                           f"limit of {MAX_BODY_CHARS}", "shorten the message template.")
    return body
