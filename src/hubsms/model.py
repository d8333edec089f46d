"""Connectors, settings and plans, and the rule of every field. Pure: no I/O.

Each ``validate_*`` function returns the normalised value or raises ``InvalidValue``
naming the field, what is wrong and what is accepted. Checks that only warn return the
warning beside the value.

Over 400 lines: one small function per field rule; names, logos and addresses have their
own modules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Final, NamedTuple
from urllib.parse import urlsplit

from hubsms.addresses import address_problem, lookalike, with_ascii_host
from hubsms.errors import InvalidValue
from hubsms.names import NameTable

SCHEMA_VERSION: Final = 1
NAME_MAX: Final = 64

_MG_RE = re.compile(r"MG[0-9a-fA-F]{32}")
# As given: some consoles and copies write a SID's prefix in lower case too (ac0123…).
_GIVEN_SID_RE = re.compile(r"[Aa][Cc][0-9a-fA-F]{32}")
_GIVEN_MG_RE = re.compile(r"[Mm][Gg][0-9a-fA-F]{32}")
_HEX32_RE = re.compile(r"[0-9a-fA-F]{32}")
_E164_RE = re.compile(r"\+[1-9][0-9]{7,14}")
_SHORT_CODE_RE = re.compile(r"[0-9]{5,6}")
_ALPHA_SENDER_RE = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Records are NamedTuples, not dataclasses: importing dataclasses (and so inspect) would
# cost every hubsms command a measurable share of its start-up (benchmarks/).


class Provider(NamedTuple):
    """What hubsms knows of one connector provider."""

    key: str
    label: str
    purpose: str
    default_server_address: str


TWILIO: Final = Provider(
    key="twilio",
    label="Twilio",
    purpose="SMS Gateway",
    default_server_address="https://api.twilio.com/2010-04-01/Accounts",
)
PROVIDERS: Final[dict[str, Provider]] = {TWILIO.key: TWILIO}


class Connector(NamedTuple):
    name: str
    account_sid: str
    from_: str
    provider: str = TWILIO.key
    server_address: str = TWILIO.default_server_address
    active: bool = True
    logo: str | None = None
    auth_token_env: str | None = None

    @property
    def provider_info(self) -> Provider:
        return PROVIDERS[self.provider]

    @property
    def purpose(self) -> str:
        """Derived from the provider, never stored."""
        return self.provider_info.purpose

    @property
    def sends_with_messaging_service(self) -> bool:
        return is_messaging_service_sid(self.from_)

    def with_changes(self, **changes: object) -> Connector:
        return self._replace(**changes)


class Plan(NamedTuple):
    name: str
    sms_connector: str


class Config:
    """The whole config file: Global Settings, service plans and connectors."""

    def __init__(
        self,
        connectors: Mapping[str, Connector] | None = None,
        plans: Mapping[str, Plan] | None = None,
        default_sms_connector: str | None = None,
    ) -> None:
        self.connectors = connectors or {}
        self.plans = plans or {}
        self.default_sms_connector = default_sms_connector

    @property
    def connectors(self) -> NameTable[Connector]:
        return self._connectors

    @connectors.setter
    def connectors(self, value: Mapping[str, Connector]) -> None:
        self._connectors = value if isinstance(value, NameTable) else NameTable(value)

    @property
    def plans(self) -> NameTable[Plan]:
        return self._plans

    @plans.setter
    def plans(self, value: Mapping[str, Plan]) -> None:
        self._plans = value if isinstance(value, NameTable) else NameTable(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return (self.connectors, self.plans, self.default_sms_connector) == (
            other.connectors, other.plans, other.default_sms_connector
        )

    def __repr__(self) -> str:
        return f"Config(connectors={self.connectors!r}, plans={self.plans!r}, default_sms_connector={self.default_sms_connector!r})"

    def find(self, name: str) -> Connector | None:
        """The connector called ``name``, compared by ``name_key`` (names are unique so)."""
        return self.connectors.find(name)

    def find_plan(self, name: str) -> Plan | None:
        """The plan called ``name``, compared by ``name_key`` like connector names."""
        return self.plans.find(name)

    def uses_of(self, name: str, plans: list[str] | None = None) -> list[str]:
        """What refers to connector ``name``: Global Settings and 'plan "X"' entries. Give
        ``plans`` from ``plans_by_connector()`` when asking for every connector."""
        uses = []
        if self.default_sms_connector == name:
            uses.append("Global Settings (default SMS connector)")
        if plans is None:
            plans = [p.name for p in self.plans.values() if p.sms_connector == name]
        return uses + [f'plan "{p}"' for p in plans]

    def plans_by_connector(self) -> dict[str, list[str]]:
        """The names of the plans using each connector (those used by some plan), in one pass."""
        found: dict[str, list[str]] = {}
        for plan in self.plans.values():
            found.setdefault(plan.sms_connector, []).append(plan.name)
        return found

    def inactive_in_use(self) -> Iterator[tuple[Connector, list[str]]]:
        """Each inactive connector that something uses (only an active one may be), with its
        uses (``uses_of``), in one pass over the plans."""
        plans = self.plans_by_connector()
        for connector in self.connectors.values():
            if not connector.active:
                uses = self.uses_of(connector.name, plans.get(connector.name, []))
                if uses:
                    yield connector, uses

    def connectors_of_account(self, account_sid: str) -> list[Connector]:
        sid = normal_sid(account_sid)
        return [c for c in self.connectors.values() if c.account_sid == sid]


# --- field rules -------------------------------------------------------------------------


def validate_name(value: str) -> str:
    """1-64 printable characters, trimmed, returned in Unicode NFC (the form stored)."""
    import unicodedata

    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise InvalidValue("name", "the connector name is empty", "give 1-64 characters")
    if len(name) > NAME_MAX:
        raise InvalidValue(
            "name", f"the connector name has {len(name)} characters", "use at most 64 characters"
        )
    if not name.isprintable():
        raise InvalidValue(
            "name",
            "the connector name contains a control character",
            "use printable characters only (letters, digits, spaces, punctuation)",
        )
    return name


def validate_plan_name(value: str) -> str:
    """A service plan's name: the same rule as a connector's (1-64 printable characters)."""
    try:
        return validate_name(value)
    except InvalidValue as exc:
        raise InvalidValue("plan", exc.message.replace("connector name", "plan name"), exc.hint) from None


def validate_provider(value: str) -> str:
    key = value.strip().lower()
    if key not in PROVIDERS:
        known = ", ".join(p.label for p in PROVIDERS.values())
        raise InvalidValue("provider", f"unknown provider {value!r}", f"choose one of: {known}")
    return key


def validate_account_sid(value: str) -> str:
    """'AC' and 32 hex digits, returned as Twilio writes it: 'AC', then the digits in lower
    case. SIDs differing only in case (``ac0123…``, ``AC01AB…``) are one account (and one
    keyring entry); ``respelled`` says when a given one was written otherwise."""
    sid = value.strip()
    if not _GIVEN_SID_RE.fullmatch(sid):
        raise InvalidValue(
            "account_sid",
            f"invalid Account SID ({_shape(sid)})",
            "an Account SID is 'AC' followed by 32 hexadecimal digits (Twilio Console, Account Info)",
        )
    return normal_sid(sid)


def is_messaging_service_sid(value: str) -> bool:
    """``MG`` and 32 hex digits: a Messaging Service SID (the sender of a pool of numbers)."""
    return bool(_MG_RE.fullmatch(value))


def normal_sid(sid: str) -> str:
    """A Twilio SID (two letters, 32 hex digits) as Twilio writes it: prefix upper, digits lower."""
    return sid[:2].upper() + sid[2:].lower()


def respelled(what: str, given: str | None, stored: str) -> str | None:
    """A note when a value given as ``given`` is stored as ``stored``, differing in case only
    (a SID pasted as ``ac0123…`` or with upper-case digits): None when there is nothing to say."""
    if given is None or given.strip() == stored or given.strip().lower() != stored.lower():
        return None
    return f"{what} written as Twilio writes it: {stored}"


def validate_auth_token(value: str) -> str:
    token = value.strip()
    if not _HEX32_RE.fullmatch(token):
        raise InvalidValue(
            "auth_token",
            f"invalid auth token ({len(token)} characters, not 32 hexadecimal digits)",
            "a Twilio auth token is 32 hexadecimal digits (Twilio Console, Account Info)",
        )
    return token


def looks_like_token(value: str) -> bool:
    """Exactly 32 hexadecimal digits: the shape of a Twilio auth token."""
    return bool(_HEX32_RE.fullmatch(value.strip()))


def validate_env_name(value: str, field_name: str = "auth_token_env") -> str:
    """The name of an environment variable. The value is never repeated in an error: a token
    typed where its variable's name belongs must not be shown."""
    name = value.strip()
    if _looks_like_secret(name):
        raise InvalidValue(
            field_name,
            "that looks like an auth token or another secret, not the name of an environment variable",
            "give the variable's name, e.g. TWILIO_AUTH_TOKEN; keep the token itself in the variable",
        )
    if not _ENV_NAME_RE.fullmatch(name):
        raise InvalidValue(
            field_name,
            f"invalid environment variable name ({len(name)} characters)",
            "use letters, digits and underscores, not starting with a digit, e.g. TWILIO_AUTH_TOKEN",
        )
    return name


_HEX_RUN_RE = re.compile(r"[0-9a-fA-F]{24,}")
_SID_WORD_RE = re.compile(r"(?<=_)AC[0-9a-fA-F]{32}(?![0-9A-Za-z])")
_ALNUM_RUN_RE = re.compile(r"[A-Za-z0-9]{16,}")
_CHARACTER_CLASS_RE = re.compile(r"[A-Z]+|[a-z]+|[0-9]+")


def _looks_like_secret(value: str) -> bool:
    """Whether ``value`` holds what a token looks like, not a variable's name: 24 hex digits
    in a row or more (a Twilio auth token, whole, cut short or too long), or 16 letters and
    digits in a row that change between upper case, lower case and digits 6 times or more
    (an API key's secret, a SID). Names are words: TWILIO_AUTH_TOKEN, Token2024 change 2
    times at most. An Account SID as a word of a longer name is no secret: apply reads a
    keyring connector's token from ``HUBSMS_TOKEN_<ACCOUNT SID>`` (and older exports named it)."""
    value = _SID_WORD_RE.sub("", value)
    if _HEX_RUN_RE.search(value):
        return True
    return any(len(_CHARACTER_CLASS_RE.findall(run)) > 6 for run in _ALNUM_RUN_RE.findall(value))


FROM_RULE: Final = (
    "use an E.164 number (+ or 00, then 8-15 digits), a 5-6 digit short code, an "
    "alphanumeric sender ID (1-11 letters, digits or spaces, at least one letter) or a "
    "Messaging Service SID (MG + 32 hex digits)"
)


def validate_from(value: str) -> tuple[str, str | None]:
    """The sender: E.164 number (a leading 00 read as +), short code, alphanumeric sender ID,
    or Messaging Service SID. Returns the normalised sender and a warning or None."""
    sender = value.strip()
    if _GIVEN_MG_RE.fullmatch(sender):
        return normal_sid(sender), None
    compact = re.sub(r"[\s().-]", "", sender)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        number, warning = validate_phone_number(compact, "from")
        return number, warning
    if _SHORT_CODE_RE.fullmatch(compact):
        return compact, None
    if _ALPHA_SENDER_RE.fullmatch(sender):
        return sender, None
    raise InvalidValue(
        "from",
        f"invalid From {value!r}",
        FROM_RULE,
    )


def normal_sender(value: str) -> str:
    """A stored From as hubsms saves it: a Messaging Service SID in Twilio's case (SIDs
    differing only in case are one service); any other sender as it is."""
    return normal_sid(value) if _GIVEN_MG_RE.fullmatch(value) else value


def is_sender_shape(value: str) -> bool:
    """Whether a stored From has one of the four accepted shapes (no phonenumbers check)."""
    return any(r.fullmatch(value) for r in (_E164_RE, _SHORT_CODE_RE, _GIVEN_MG_RE, _ALPHA_SENDER_RE))


def validate_phone_number(value: str, field_name: str = "to") -> tuple[str, str | None]:
    """An E.164 number checked with phonenumbers: not even possible is refused; possible but
    not valid (fictional ranges, Twilio's test numbers) is accepted with a warning."""
    compact = re.sub(r"[\s().-]", "", value.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    hint = "use E.164: '+' (or 00), the country code, then the number, 8-15 digits in all"
    if not _E164_RE.fullmatch(compact):
        raise InvalidValue(field_name, f"invalid phone number {value!r}", hint)
    import phonenumbers

    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(field_name, f"invalid phone number {value!r}: {exc}", hint) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidValue(
            field_name,
            f"{value!r} is not a possible phone number (wrong length for its country)",
            hint,
        )
    normalised = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(parsed):
        return normalised, None
    return normalised, f"{normalised} is not in any assigned number range (a test or fictional number?)"


@functools.lru_cache(maxsize=256)  # a config's connectors mostly share one address
def normal_server_address(value: str, provider: Provider = TWILIO) -> str:
    """The address as it is stored and shown, or InvalidValue: https only; plain http only
    for loopback hosts (the sandbox). The address is parsed strictly
    (``addresses.address_problem``): one that requests would read another way, or refuse only
    when sending, is refused now. An internationalised host is given in its IDNA (punycode)
    form, the one requests connects to: a host written in look-alike letters shows as what it is."""
    address = value.strip().rstrip("/")
    hint = f"use an https:// URL such as {provider.default_server_address}"
    problem = address_problem(address)
    if problem:
        shown = "" if "@" in address else f" {address!r}"  # credentials there are never repeated
        raise InvalidValue("server_address", f"invalid server address{shown}: {problem}", hint)
    address = with_ascii_host(address)
    host = urlsplit(address).hostname or ""
    if urlsplit(address).scheme == "http" and not is_loopback(host):
        raise InvalidValue(
            "server_address",
            f"plain http is refused for {host}: the auth token would cross the network unencrypted",
            f"{hint}; http is allowed only for 127.0.0.1, ::1 or localhost (the sandbox)",
        )
    return address


@functools.lru_cache(maxsize=256)
def validate_server_address(value: str, provider: Provider = TWILIO) -> tuple[str, str | None]:
    """``normal_server_address``, and a warning for any other host than the provider's,
    because the auth token will be sent there: a louder one when the host looks like the
    provider's but is not (``addresses.lookalike``: ``api.twіlio.com`` with a Cyrillic 'і',
    ``api.twilio.com.example.net``, ``api.twi1io.com``)."""
    address = normal_server_address(value, provider)
    if address == provider.default_server_address:
        return address, None
    host = urlsplit(address).hostname or ""
    if is_loopback(host):
        return address, f"server address {address} is not {provider.label}'s: messages go to a local server"
    own_host = urlsplit(provider.default_server_address).hostname or ""
    why = lookalike(host, ".".join(own_host.split(".")[-2:]))
    if why:
        return address, (
            f"server address {address} is not {provider.label}'s, though its host looks like {provider.label}'s: "
            f"{why}; the auth token will be sent to {host}"
        )
    return address, (
        f"server address {address} is not {provider.label}'s "
        f"({provider.default_server_address}): the auth token will be sent to {host}"
    )


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shape(value: str) -> str:
    """What is wrong with a rejected SID, without repeating it: it could be a pasted token."""
    parts = [f"{len(value)} characters, 34 needed" if len(value) != 34 else "34 characters"]
    if value[:2].upper() != "AC":
        parts.append("not starting with AC")
    if not re.fullmatch(r"[0-9a-fA-F]*", value[2:]):
        parts.append("not hexadecimal after AC")
    return ", ".join(parts)


def mask_sid(sid: str) -> str:
    """``AC…1234``: enough to tell accounts apart in a table."""
    return f"{sid[:2]}…{sid[-4:]}" if len(sid) > 6 else sid


def logo_filename(name: str, extension: str) -> str:
    """A file name for a connector's logo: the name in lower case, other characters as '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "logo"
    return f"{slug}.{extension}"


# --- SMS segments (used by otp and by the sandbox, which counts them as Twilio does) -----

GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: Final = frozenset("^{}\\[~]|€\f")


def is_gsm7(body: str) -> bool:
    """True when every character fits the GSM-7 alphabet (basic or extension set)."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in body)


def _pack(units: list[int], single: int, multi: int) -> int:
    """Segments for units of 1 or 2 (an escape pair or a surrogate pair is never split)."""
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_segments(body: str) -> int:
    """SMS segments of ``body``: GSM-7 160 or 153 per part, else UCS-2 70 or 67 per part."""
    if is_gsm7(body):
        return _pack([2 if ch in GSM7_EXTENSION else 1 for ch in body], 160, 153)
    return _pack([2 if ord(ch) > 0xFFFF else 1 for ch in body], 70, 67)
