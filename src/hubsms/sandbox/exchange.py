"""What goes in and out of the sandbox: a Request, a Response, and the JSON and Twilio-error
answers built from them. Below both the request handling (``api``) and the Twilio endpoints
(``endpoints``), which both build answers; it imports only ``twilio``'s error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from hubsms.sandbox.twilio import TwilioError

JSON_TYPE: Final = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # a mapping whose .get() ignores case (server.Headers)
    body: bytes = b""


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), headers=headers or {})


def twilio_error(err: TwilioError) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if err.status == 401 else None
    return json_response(err.status, err.body(), headers)
