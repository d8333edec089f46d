"""The sandbox's behaviour, apart from HTTP plumbing: a Request goes in, a Response comes out.

Twilio endpoints live under ``/2010-04-01/Accounts/``; the sandbox's own API (JSON, no auth)
under ``/api/``; the page at ``/``. Every Twilio-endpoint answer, errors included, has
Twilio's shape.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable
from typing import Any, Callable, Final

from hubsms.model import is_loopback
from hubsms.sandbox import page
from hubsms.sandbox.accounts import (
    AccountError,
    AccountRegistry,
    DeclaredAccount,
    parse_account,
)
from hubsms.sandbox.endpoints import TwilioEndpoints, find_route
from hubsms.sandbox.exchange import Request, Response, json_response, twilio_error
from hubsms.sandbox.listing import one
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
    TwilioError,
    current_resource,
)

WRITE_HEADER: Final = "X-Hubsms-Sandbox"
MAX_WAIT: Final = 30.0
DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000

_ACCOUNT_PATH: Final = re.compile(r"^/api/accounts/(?P<sid>[^/]+)$")
_WRITES: Final = ("POST", "DELETE", "PUT", "PATCH")


def api_error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


class _NotFound(BadRequest):
    """The own API has no such item (answered 404)."""


@functools.lru_cache(maxsize=256)  # clients send the same Host again and again
def host_allowed(header: str | None) -> bool:
    """A loopback name in ``Host`` (127.0.0.0/8, localhost, [::1], any port): a page of
    another site that had its name resolve to 127.0.0.1 (DNS rebinding) sends its own."""
    host = (header or "").strip()
    if not host:
        return True  # no browser omits Host; HTTP/1.0 tools may
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    return is_loopback(host.rstrip(".")) if host else False


def write_allowed(req: Request) -> bool:
    """A write to the own API must say it is one: JSON, or the sandbox's own header. A form
    or text/plain POST, which any web page may send across sites, is neither."""
    content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    return content_type == "application/json" or bool(req.headers.get(WRITE_HEADER))


class Sandbox:
    """The state of one sandbox and the handling of every request."""

    def __init__(self, store: MessageStore, auth_token: str | None = None,
                 status_delay: float = 0.5, outcomes: Outcomes | None = None,
                 test_accounts: Iterable[str] = (), accounts: Iterable[DeclaredAccount] = (),
                 allow_remote: bool = False) -> None:
        self.store = store
        # Accounts whose credentials act as Twilio's test credentials: they can only send.
        self.test_accounts = set(test_accounts)
        self.accounts = AccountRegistry(accounts)
        self.auth_token = auth_token
        self.status_delay = status_delay
        self.allow_remote = allow_remote
        self.outcomes = outcomes or Outcomes()
        self.faults = FaultQueue()
        self.requests = RequestCounter()
        self.stopping = threading.Event()
        self.twilio = TwilioEndpoints(self)
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
            ("GET", "/api/accounts"): self._api_accounts,
            ("POST", "/api/accounts"): self._api_add_account,
            ("GET", "/api/accounts/{sid}"): self._api_account,
            ("DELETE", "/api/accounts/{sid}"): self._api_remove_account,
            ("GET", "/readyz"): lambda r: json_response(200, {"status": "ready"}),
        }

    def reset(self) -> None:
        """Forget messages, faults, outcomes, request counts and accounts (between tests)."""
        self.store.delete()
        self.faults.clear()
        self.outcomes.clear()
        self.requests.clear()
        self.test_accounts.clear()
        self.accounts.clear()

    def handle(self, req: Request) -> Response:
        if not self.allow_remote and not host_allowed(req.headers.get("Host")):
            return Response(421, b"421 Misdirected Request: the sandbox answers only loopback host names "
                            b"(127.0.0.1, localhost, [::1]); see --allow-remote\n", "text/plain; charset=utf-8")
        if req.path.startswith(("/2010-04-01/", "/v1/")):
            return self._twilio(req)
        if req.path.startswith("/api/") or req.path == "/readyz":
            return self._own_api(req)
        static = page.asset(req.path) if req.method == "GET" else None
        if static is not None:
            return Response(200, static[1], static[0], dict(page.HEADERS))
        return twilio_error(TwilioError(20404, 404, path=req.path))

    # --- Twilio endpoints ----------------------------------------------------------------

    def _twilio(self, req: Request) -> Response:
        route, match = find_route(req.path)
        self.requests.hit(f"{req.method} {route.template if route else req.path}")
        fault = self.faults.take()
        if fault is not None and fault.mode != "delay":
            return self._fault(fault)
        if fault is not None:
            self.stopping.wait(fault.delay)
        try:
            return self.twilio.route(req, route, match)
        except TwilioError as err:
            return twilio_error(err)

    def _fault(self, fault: Fault) -> Response:
        if fault.mode == "close":
            return Response(0, drop=True)
        if fault.mode == "500":
            return twilio_error(TwilioError(20500, 500))
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        return json_response(429, TwilioError(20429, 429).body(), headers)

    # --- the sandbox's own API -----------------------------------------------------------

    def _own_api(self, req: Request) -> Response:
        path = "/api/accounts/{sid}" if _ACCOUNT_PATH.match(req.path) else req.path
        handler = self._own.get((req.method, path))
        if handler is None:
            known = any(p == path for _, p in self._own)
            return api_error(405 if known else 404, f"no route {req.method} {req.path}")
        if req.method in _WRITES and not write_allowed(req):
            return api_error(415, f"send the body as Content-Type: application/json, or add the header "
                             f"{WRITE_HEADER}: 1 (a guard against writes from other web pages)")
        try:
            return handler(req)
        except _NotFound as err:
            return api_error(404, str(err))
        except BadRequest as err:
            return api_error(400, str(err))

    def _item(self, row: dict[str, Any]) -> dict[str, Any]:
        return {**current_resource(row), "code": row["code"]}

    def _filters(self, req: Request, with_code: bool = False) -> Query:
        after = one(req.query, "after")
        after_id = None
        if after is not None:
            after_id = self.store.row_id(after)
            if after_id is None:
                raise BadRequest(f"after: no message {after}")
        return Query(to=one(req.query, "to"), from_=one(req.query, "from"), after_id=after_id,
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
            return api_error(404, f"no message for {one(req.query, 'to') or 'any number'} arrived")
        return json_response(200, self._item(row))

    def _api_otp(self, req: Request) -> Response:
        row = self._wait_newest(req, with_code=True)
        if row is None:
            return api_error(404, f"no code for {one(req.query, 'to') or 'any number'} arrived")
        keys = ("code", "sid", "body", "date_created")
        item = self._item(row)
        return json_response(200, {**{k: item[k] for k in keys}, "to": item["to"]})

    def _api_delete(self, req: Request) -> Response:
        return json_response(200, {"deleted": self.store.delete(one(req.query, "to"))})

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

    def _api_accounts(self, req: Request) -> Response:
        return json_response(200, {"accounts": [a.public() for a in self.accounts.all()]})

    def _api_add_account(self, req: Request) -> Response:
        """The same fields as a table of the accounts file, with ``sid``; the token as
        ``auth_token`` (or ``auth_token_env``, read from the server's environment)."""
        data = _json_object(req)
        try:
            account = parse_account(data.get("sid"), data, from_json=True, where="account")
        except AccountError as err:
            raise BadRequest(str(err)) from None
        replaced = self.accounts.put(account)
        return json_response(200 if replaced else 201, account.public())

    def _declared(self, req: Request) -> DeclaredAccount:
        sid = req.path.rsplit("/", 1)[1]
        account = self.accounts.get(sid)
        if account is None:
            raise _NotFound(f"no declared account {sid}")
        return account

    def _api_account(self, req: Request) -> Response:
        return json_response(200, self._declared(req).public())

    def _api_remove_account(self, req: Request) -> Response:
        self.accounts.remove(self._declared(req).sid)
        return json_response(200, {"deleted": req.path.rsplit("/", 1)[1]})

    def _api_stats(self, req: Request) -> Response:
        return json_response(200, {"messages": self.store.count(), "requests": self.requests.snapshot()})

    def _api_clear_stats(self, req: Request) -> Response:
        self.requests.clear()
        return json_response(200, {"requests": {}})


def _float_param(req: Request, name: str, default: float, low: float, high: float) -> float:
    text = one(req.query, name)
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
    except RecursionError:  # json refuses nesting deeper than the interpreter's recursion limit
        raise BadRequest("the body is nested too deeply: give a flat JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data
