"""Server addresses, parsed strictly with the standard library. Pure: no I/O.

An address that requests would read another way than the user meant (a space, a control
character, credentials, an empty query), or that it would refuse only when a message is
sent, is refused when it is given, and when a config file holding it is loaded.
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
    try:  # the IDNA codec (1 ms to import) only for a name that is not ASCII already
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"the host {host!r} is not a valid host name"
    labels = ascii_host.removesuffix(".").split(".")
    if len(".".join(labels)) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return f"the host {host!r} is not a valid host name (letters, digits and inner hyphens, between dots)"
    if labels[-1].isdigit():
        return f"the host {host!r} is not a valid IP address"
    return None


def _check_path(path: str) -> str | None:
    if not set(path) <= _PATH_CHARS or _PERCENT_RE.search(path):
        return "its path holds characters a URL cannot (percent-encode them)"
    return None
