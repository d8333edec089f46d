"""What goes in and out of the sandbox: a Request, a Response, and the JSON and Twilio-error
answers built from them. Below both the request handling (``api``) and the Twilio endpoints
(``endpoints``), which both build answers; it imports only ``twilio``'s error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from hubsms.sandbox.twilio import TwilioError

JSON_TYPE: Final = "application/json; charset=utf-8"
NO_HEADERS: Final[Mapping[str, str]] = MappingProxyType({})


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # a mapping whose .get() ignores case (server.Headers)
    body: bytes = b""


class Response(NamedTuple):
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: Mapping[str, str] = NO_HEADERS  # more headers, after those the server writes
    drop: bool = False  # close the connection without answering


def json_response(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), headers=headers or NO_HEADERS)


def twilio_error(err: TwilioError) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if err.status == 401 else None
    return json_response(err.status, err.body(), headers)
