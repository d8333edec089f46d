"""The sandbox's behaviour, apart from HTTP plumbing: a Request goes in, a Response comes out.

Twilio endpoints live under ``/2010-04-01/Accounts/``; the sandbox's own API (JSON, no auth)
under ``/api/``; the page at ``/``. Every Twilio-endpoint answer, errors included, has
Twilio's shape.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Callable, Final
from urllib.parse import parse_qs

from hubsms.model import count_segments
from hubsms.sandbox import page
from hubsms.sandbox.listing import list_messages
from hubsms.sandbox.state import (
    BadRequest,
    Fault,
    FaultQueue,
    Outcomes,
    RequestCounter,
    parse_fault,
    parse_outcome,
)
from hubsms.sandbox.store import MessageStore, Query
from hubsms.sandbox.twilio import (
    ACCOUNT_SID_RE,
    MESSAGE_SID_RE,
    TwilioError,
    account_resource,
    current_resource,
    find_code,
    message_resource,
    new_message_sid,
    plus_restored,
    validate_create,
)

JSON_TYPE: Final = "application/json; charset=utf-8"
FORM_TYPE: Final = "application/x-www-form-urlencoded"
MAX_WAIT: Final = 30.0
DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000

_TWILIO_ROUTE: Final = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+?)"
    r"(?P<rest>\.json|/Messages\.json|/Messages/(?P<sid>[^/]+)\.json)$"
)
_TEMPLATES: Final = {
    ".json": "/2010-04-01/Accounts/{Sid}.json",
    "/Messages.json": "/2010-04-01/Accounts/{AccountSid}/Messages.json",
    "message": "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Any  # email.message.Message: case-insensitive .get()
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


def api_error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def check_basic_auth(header: str | None, account: str, token: str | None) -> None:
    """HTTP Basic with the path's Account SID as user, and the token when the server has one."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise TwilioError(20003, 401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise TwilioError(20003, 401) from None
    user, colon, password = decoded.partition(":")
    if not colon or user != account:
        raise TwilioError(20003, 401)
    if token is not None and not hmac.compare_digest(password.encode(), token.encode()):
        raise TwilioError(20003, 401)


def _path_account(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) > 3 and parts[2] == "Accounts" and parts[3]:
        return parts[3].removesuffix(".json")
    return None


class Sandbox:
    """The state of one sandbox and the handling of every request."""

    def __init__(self, store: MessageStore, auth_token: str | None = None,
                 status_delay: float = 0.5, outcomes: Outcomes | None = None,
                 test_accounts: Iterable[str] = ()) -> None:
        self.store = store
        # Accounts whose credentials act as Twilio's test credentials: they can only send.
        self.test_accounts = set(test_accounts)
        self.auth_token = auth_token
        self.status_delay = status_delay
        self.outcomes = outcomes or Outcomes()
        self.faults = FaultQueue()
        self.requests = RequestCounter()
        self.stopping = threading.Event()
        self._own: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "/api/messages"): self._api_messages,
            ("DELETE", "/api/messages"): self._api_delete,
            ("GET", "/api/messages/latest"): self._api_latest,
            ("GET", "/api/otp"): self._api_otp,
            ("GET", "/api/faults"): lambda r: json_response(200, {"faults": self.faults.pending()}),
            ("POST", "/api/faults"): self._api_add_fault,
            ("DELETE", "/api/faults"): self._api_clear_faults,
            ("GET", "/api/outcomes"): lambda r: json_response(200, {"outcomes": self.outcomes.public()}),
            ("POST", "/api/outcomes"): self._api_add_outcome,
            ("DELETE", "/api/outcomes"): self._api_clear_outcomes,
            ("GET", "/api/stats"): self._api_stats,
            ("DELETE", "/api/stats"): self._api_clear_stats,
            ("POST", "/api/test-accounts"): self._api_add_test_account,
            ("DELETE", "/api/test-accounts"): self._api_clear_test_accounts,
            ("GET", "/readyz"): lambda r: json_response(200, {"status": "ready"}),
        }

    def reset(self) -> None:
        """Forget messages, faults, outcomes and request counts (between tests)."""
        self.store.delete()
        self.faults.clear()
        self.outcomes.clear()
        self.requests.clear()
        self.test_accounts.clear()

    def handle(self, req: Request) -> Response:
        if req.path.startswith("/2010-04-01/"):
            return self._twilio(req)
        if req.path.startswith("/api/") or req.path == "/readyz":
            return self._own_api(req)
        static = page.asset(req.path) if req.method == "GET" else None
        if static is not None:
            return Response(200, static[1], static[0], dict(page.HEADERS))
        return twilio_error(TwilioError(20404, 404, path=req.path))

    # --- Twilio endpoints ----------------------------------------------------------------

    def _twilio(self, req: Request) -> Response:
        match = _TWILIO_ROUTE.match(req.path)
        kind = None if match is None else ("message" if match["sid"] else match["rest"])
        self.requests.hit(f"{req.method} {_TEMPLATES.get(kind or '', req.path)}")
        fault = self.faults.take()
        if fault is not None and fault.mode != "delay":
            return self._fault(fault)
        if fault is not None:
            self.stopping.wait(fault.delay)
        try:
            return self._twilio_route(req, match, kind)
        except TwilioError as err:
            return twilio_error(err)

    def _fault(self, fault: Fault) -> Response:
        if fault.mode == "close":
            return Response(0, drop=True)
        if fault.mode == "500":
            return twilio_error(TwilioError(20500, 500))
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return json_response(429, TwilioError(20429, 429).body(), headers)

    def _twilio_route(self, req: Request, match: re.Match[str] | None, kind: str | None) -> Response:
        account = match["account"] if match else _path_account(req.path)
        if account is not None:
            check_basic_auth(req.headers.get("Authorization"), account, self.auth_token)
        if match is None or not ACCOUNT_SID_RE.match(account or ""):
            raise TwilioError(20404, 404, path=req.path)
        allowed = {".json": ("GET",), "/Messages.json": ("GET", "POST"), "message": ("GET",)}[kind or ""]
        if req.method not in allowed:
            raise TwilioError(20004, 405)
        if account in self.test_accounts and not (kind == "/Messages.json" and req.method == "POST"):
            raise TwilioError(20008, 403)  # test credentials can only create messages
        if kind == ".json":
            return json_response(200, account_resource(account))
        if kind == "message":
            return self._fetch(account, match["sid"], req.path)
        if req.method == "POST":
            return self._create(req, account)
        return json_response(200, list_messages(self.store, account, req.query))

    def _fetch(self, account: str, sid: str, path: str) -> Response:
        row = self.store.get(sid, account) if MESSAGE_SID_RE.match(sid) else None
        if row is None:
            raise TwilioError(20404, 404, path=path)
        return json_response(200, current_resource(row))

    def _create(self, req: Request, account: str) -> Response:
        content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form: dict[str, list[str]] = {}
        if content_type == FORM_TYPE:  # JSON or anything else: no To was given (21604)
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        new = validate_create(form)
        outcome = self.outcomes.get(new.to)
        row = {
            "sid": new_message_sid(bool(new.media)), "account_sid": account,
            "to_": new.to, "from_": new.from_, "service_sid": new.service_sid,
            "body": new.body, "code": find_code(new.body),
            "num_segments": count_segments(new.body) if new.body else 0,
            "num_media": len(new.media), "created": time.time(),
            "step_delay": float(self.status_delay),
            "final_status": outcome.status if outcome else "delivered",
            "error_code": outcome.error_code if outcome else None,
            "error_message": outcome.error_message if outcome else None,
        }
        stored = self.store.add(row)
        return json_response(201, message_resource(stored, 0))

    # --- the sandbox's own API -----------------------------------------------------------

    def _own_api(self, req: Request) -> Response:
        handler = self._own.get((req.method, req.path))
        if handler is None:
            known = any(path == req.path for _, path in self._own)
            return api_error(405 if known else 404, f"no route {req.method} {req.path}")
        try:
            return handler(req)
        except BadRequest as err:
            return api_error(400, str(err))

    def _item(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**current_resource(row), "code": row["code"]}

    def _filters(self, req: Request, with_code: bool = False) -> Query:
        after = _param(req, "after")
        after_id = None
        if after is not None:
            after_id = self.store.row_id(after)
            if after_id is None:
                raise BadRequest(f"after: no message {after}")
        return Query(to=_number_param(req, "to"), from_=_number_param(req, "from"), after_id=after_id,
                     with_code=with_code)

    def _api_messages(self, req: Request) -> Response:
        limit = _int_param(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        rows = self.store.find(self._filters(req), limit)
        return json_response(200, {"messages": [self._item(r) for r in rows]})

    def _wait_newest(self, req: Request, with_code: bool) -> dict[str, Any] | None:
        query = self._filters(req, with_code)
        wait = _float_param(req, "wait", 0.0, 0.0, float("inf"))
        return self.store.wait_newest(query, min(wait, MAX_WAIT))

    def _api_latest(self, req: Request) -> Response:
        row = self._wait_newest(req, with_code=False)
        if row is None:
            return api_error(404, f"no message for {_number_param(req, 'to') or 'any number'} arrived")
        return json_response(200, self._item(row))

    def _api_otp(self, req: Request) -> Response:
        row = self._wait_newest(req, with_code=True)
        if row is None:
            return api_error(404, f"no code for {_number_param(req, 'to') or 'any number'} arrived")
        keys = ("code", "sid", "body", "date_created")
        item = self._item(row)
        return json_response(200, {**{k: item[k] for k in keys}, "to": item["to"]})

    def _api_delete(self, req: Request) -> Response:
        return json_response(200, {"deleted": self.store.delete(_number_param(req, "to"))})

    def _api_add_fault(self, req: Request) -> Response:
        fault = parse_fault(_json_object(req))
        self.faults.add(fault)
        return json_response(201, {"faults": self.faults.pending()})

    def _api_clear_faults(self, req: Request) -> Response:
        self.faults.clear()
        return json_response(200, {"faults": []})

    def _api_add_outcome(self, req: Request) -> Response:
        number, outcome = parse_outcome(_json_object(req))
        self.outcomes.set(number, outcome)
        return json_response(201, {"outcomes": self.outcomes.public()})

    def _api_clear_outcomes(self, req: Request) -> Response:
        self.outcomes.clear()
        return json_response(200, {"outcomes": {}})

    def _api_add_test_account(self, req: Request) -> Response:
        sid = _json_object(req).get("sid")
        if not isinstance(sid, str) or not ACCOUNT_SID_RE.match(sid):
            return api_error(400, "give {\"sid\": \"AC...\"}: an Account SID, AC + 32 hex digits")
        self.test_accounts.add(sid)
        return json_response(200, {"test_accounts": sorted(self.test_accounts)})

    def _api_clear_test_accounts(self, req: Request) -> Response:
        self.test_accounts.clear()
        return json_response(200, {"test_accounts": []})

    def _api_stats(self, req: Request) -> Response:
        return json_response(200, {"messages": self.store.count(), "requests": self.requests.snapshot()})

    def _api_clear_stats(self, req: Request) -> Response:
        self.requests.clear()
        return json_response(200, {"requests": {}})


def _param(req: Request, name: str) -> str | None:
    values = req.query.get(name)
    return values[0] if values and values[0] != "" else None


def _number_param(req: Request, name: str) -> str | None:
    """``?to=+1555...`` typed by hand sends the ``+`` unencoded: read it back as ``+``."""
    value = _param(req, name)
    return plus_restored(value) if value is not None else None


def _float_param(req: Request, name: str, default: float, low: float, high: float) -> float:
    text = _param(req, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
    if not low <= value <= high:  # also refuses NaN
        raise BadRequest(f"{name} must be between {low:g} and {high:g}")
    return value


def _int_param(req: Request, name: str, default: int, low: int, high: int) -> int:
    value = _float_param(req, name, default, low, high)
    if value != int(value):
        raise BadRequest(f"{name} must be a whole number")
    return int(value)


def _json_object(req: Request) -> dict[str, Any]:
    try:
        data = json.loads(req.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data
