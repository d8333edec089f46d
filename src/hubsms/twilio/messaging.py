"""Where Twilio's Messaging API (v1: Messaging Services and their sender pools) is, given a
connector's Server Address. Pure: no I/O."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

TWILIO_DOMAIN: Final = ".twilio.com"


def messaging_origin(server_address: str) -> str:
    """The origin (scheme, host and port) of the Messaging API for a Server Address.

    Twilio names each product's host ``{product}.twilio.com``, and a regional one
    ``{product}.{edge}.{region}.twilio.com``; so a host ``api.`` + REST under ``twilio.com``
    becomes ``messaging.`` + REST: api.twilio.com -> messaging.twilio.com,
    api.dublin.ie1.twilio.com -> messaging.dublin.ie1.twilio.com. Any other host (the local
    sandbox, a proxy in front of Twilio) serves Messaging from its own origin.
    """
    parts = urlsplit(server_address.strip())
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.rsplit("@", 1)[-1]  # never carry user:password@ along
    if host.startswith("api.") and host.endswith(TWILIO_DOMAIN):
        port = f":{parts.port}" if parts.port else ""
        netloc = f"messaging.{host[len('api.'):]}{port}"
    return f"{parts.scheme}://{netloc}"
