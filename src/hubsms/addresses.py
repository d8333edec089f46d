"""Server addresses, parsed strictly. Pure: no I/O but the Unicode data its libraries load.

An address that requests would read another way than the user meant (a space, a control
character, credentials, an empty query), or that it would refuse only when a message is
sent, is refused when it is given, and when a config file holding it is loaded. An
internationalised host is kept in its punycode form (``with_ascii_host``), and a host that
passes for Twilio's without being it is found (``lookalike``).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

# RFC 3986 characters of a path: unreserved, sub-delims, ':', '@', '/' and '%' escapes.
_PATH_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%")
_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def address_problem(address: str) -> str | None:
    """What is wrong with a server address, or None: a scheme, a host and perhaps a port and
    a path, nothing else (no spaces or control characters, credentials, query or fragment)."""
    if any(ch.isspace() or not ch.isprintable() for ch in address):
        return "it contains a space or a control character"
    if "?" in address or "#" in address:
        return "it must not hold a query (?) or a fragment (#)"
    try:
        parts = urlsplit(address)
    except ValueError as exc:  # unbalanced brackets around an IPv6 address
        return str(exc)
    if parts.scheme not in ("https", "http") or not address.lower().startswith(parts.scheme + "://"):
        return "it must start with https://"
    if "@" in parts.netloc:
        return "it must not hold credentials (user:password@)"
    return _check_port(parts.netloc) or _check_host(parts.netloc, parts.hostname or "") or _check_path(parts.path)


def _check_port(netloc: str) -> str | None:
    port = netloc.rpartition("]")[2].partition(":")[2] if ":" in netloc.rpartition("]")[2] else None
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return f"the port {port!r} is not a number from 1 to 65535"
    return None


def _check_host(netloc: str, host: str) -> str | None:
    """An IP address (IPv6 in brackets) or a DNS name of letter-digit-hyphen labels (an
    internationalised name is checked in its IDNA form)."""
    import ipaddress

    if not host:
        return "it names no host"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if netloc.startswith("["):
        return None if isinstance(address, ipaddress.IPv6Address) else f"{host!r} is not an IPv6 address"
    if address is not None:
        return None if address.version == 4 else "an IPv6 address goes in brackets: https://[::1]/"
    try:
        labels = ascii_host(host).removesuffix(".").split(".")
    except UnicodeError:
        return f"the host {host!r} is not a valid host name"
    if len(".".join(labels)) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return f"the host {host!r} is not a valid host name (letters, digits and inner hyphens, between dots)"
    if labels[-1].isdigit():
        return f"the host {host!r} is not a valid IP address"
    return None


def _check_path(path: str) -> str | None:
    if not set(path) <= _PATH_CHARS or _PERCENT_RE.search(path):
        return "its path holds characters a URL cannot (percent-encode them)"
    return None


def ascii_host(host: str) -> str:
    """The host as DNS and requests see it: an internationalised name in its IDNA (punycode)
    form, mapped by UTS #46 as requests maps it (``api.twіlio.com`` with a Cyrillic 'і' is
    ``api.xn--twlio-o2e.com``); UnicodeError when it is no valid name. The idna package (a
    dependency of requests) is imported only for a name that is not ASCII already."""
    if host.isascii():
        return host
    import idna

    return idna.encode(host, uts46=True).decode("ascii")


def with_ascii_host(address: str) -> str:
    """A checked address (``address_problem`` found nothing) with its host in ASCII: as it is
    stored and shown, so that a host written in look-alike letters shows as what it is."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    if host.isascii():
        return address
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{ascii_host(host)}{port}{parts.path}"


# Letters and digits that ASCII itself has in two shapes; "vv" and "rn" pass for "w" and "m".
_ASCII_LOOKALIKES: Final = str.maketrans({"0": "o", "1": "l"})
_ASCII_PAIRS: Final = (("vv", "w"), ("rn", "m"))


def lookalike(host: str, own_domain: str) -> str | None:
    """Why ``host`` (ASCII, as ``ascii_host`` gives it) looks like a host of ``own_domain``
    (``twilio.com``) although it is not one, or None: a label that, read as a person reads it
    (UTS #39 confusables mapped to Latin letters, 0 as o, 1 as l), holds the domain's name or
    is one letter added, removed or swapped away from it. Hosts under ``own_domain`` are its own."""
    host = host.lower().removesuffix(".")
    if host == own_domain or host.endswith("." + own_domain):
        return None
    brand = own_domain.split(".")[0]
    for label in host.split("."):
        shown = _unicode_label(label)
        seen = _skeleton(shown)
        if any(brand in part or (len(part) > 3 and _one_edit_apart(part, brand)) for part in (seen, *seen.split("-"))):
            foreign = [ch for ch in dict.fromkeys(shown) if not ch.isascii()]
            if foreign:
                return "it is written with " + ", ".join(_named(ch) for ch in foreign)
            return f"it is not under {own_domain}"
    return None


def _unicode_label(label: str) -> str:
    """A label as a person would see it: an IDNA label (``xn--…``) decoded."""
    if not label.startswith("xn--"):
        return label
    import idna

    try:
        return idna.decode(label)
    except UnicodeError:  # not valid IDNA: shown as it is
        return label


def _skeleton(label: str) -> str:
    """The label with each character as the ASCII letter it passes for (UTS #39 data from
    confusable_homoglyphs, loaded only for a label that is not ASCII)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", label).casefold()
    if not text.isascii():
        from confusable_homoglyphs import confusables

        text = "".join(_prototype(ch, confusables.confusables_data) for ch in text)
    text = text.translate(_ASCII_LOOKALIKES)
    for pair, letter in _ASCII_PAIRS:
        text = text.replace(pair, letter)
    return text


def _prototype(ch: str, data: dict[str, list[dict[str, str]]]) -> str:
    if ch.isascii():
        return ch
    glyphs = [g["c"] for g in data.get(ch, []) if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
    return glyphs[0].lower() if glyphs else ch


def _one_edit_apart(a: str, b: str) -> bool:
    """Equal, or one letter added or removed, or two neighbours swapped (``twillio``, ``twlilo``)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i, j = diffs
            return (a[i], a[j]) == (b[j], b[i])
        return not diffs  # a letter for another is a look-alike only by the confusables
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _named(ch: str) -> str:
    import unicodedata

    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED CHARACTER')} ('{ch}')"
