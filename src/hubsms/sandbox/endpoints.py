"""The sandbox's Twilio endpoints: API 2010-04-01 under ``/2010-04-01/Accounts/`` and
Messaging v1 under ``/v1/`` (Twilio serves it from messaging.twilio.com; the sandbox from the
same origin). Every answer, errors included, has Twilio's shape.

Order of checks, as Twilio's: Basic auth (401/20003), unknown path (404/20404), method
(405/20004), a closed or suspended declared account, a declared account's restricted rights
(``forbidden``: 403/70051), test credentials (403/20008), then the request itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Final, NamedTuple, Protocol
from urllib.parse import parse_qs

from hubsms.model import count_segments
from hubsms.sandbox import resources
from hubsms.sandbox.accounts import AccountRegistry, DeclaredAccount
from hubsms.sandbox.exchange import Request, Response, json_response
from hubsms.sandbox.listing import Item, Items, Match, list_messages, list_page, matching
from hubsms.sandbox.rules import check_send, check_status, check_test_send
from hubsms.sandbox.state import Outcomes
from hubsms.sandbox.store import MessageStore
from hubsms.sandbox.twilio import (
    ACCOUNT_SID_RE,
    MESSAGE_SID_RE,
    SERVICE_SID_RE,
    TwilioError,
    account_resource,
    current_resource,
    find_code,
    message_resource,
    new_message_sid,
    validate_create,
)

FORM_TYPE: Final = "application/x-www-form-urlencoded"
_ACCOUNT: Final = r"^/2010-04-01/Accounts/(?P<account>[^/]+?)"
_AS: Final = "/2010-04-01/Accounts/{AccountSid}"


class Route(NamedTuple):
    pattern: re.Pattern[str]
    template: str  # the spec's path: the key of /api/stats
    methods: tuple[str, ...]
    kind: str


ROUTES: Final = tuple(Route(re.compile(p), t, m, k) for p, t, m, k in (
    (_ACCOUNT + r"\.json$", "/2010-04-01/Accounts/{Sid}.json", ("GET",), "account"),
    (_ACCOUNT + r"/Messages\.json$", f"{_AS}/Messages.json", ("GET", "POST"), "messages"),
    (_ACCOUNT + r"/Messages/(?P<sid>[^/]+)\.json$", f"{_AS}/Messages/{{Sid}}.json", ("GET",), "message"),
    (_ACCOUNT + r"/IncomingPhoneNumbers\.json$", f"{_AS}/IncomingPhoneNumbers.json", ("GET",), "numbers"),
    (_ACCOUNT + r"/SMS/ShortCodes\.json$", f"{_AS}/SMS/ShortCodes.json", ("GET",), "short_codes"),
    (_ACCOUNT + r"/OutgoingCallerIds\.json$", f"{_AS}/OutgoingCallerIds.json", ("GET",), "caller_ids"),
    (_ACCOUNT + r"/Balance\.json$", f"{_AS}/Balance.json", ("GET",), "balance"),
    (r"^/v1/Services$", "/v1/Services", ("GET",), "services"),
    (r"^/v1/Services/(?P<service>[^/]+)$", "/v1/Services/{Sid}", ("GET",), "service"),
    *((rf"^/v1/Services/(?P<service>[^/]+)/{name}$", f"/v1/Services/{{ServiceSid}}/{name}", ("GET",), name)
      for name in resources.SENDER_PATHS),
))


def find_route(path: str) -> tuple[Route | None, re.Match[str] | None]:
    for route in ROUTES:
        match = route.pattern.match(path)
        if match:
            return route, match
    return None, None


def basic_credentials(header: str | None) -> tuple[str, str]:
    """The user and password of an HTTP Basic header; 401/20003 when there is none."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise TwilioError(20003, 401)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise TwilioError(20003, 401) from None
    user, colon, password = decoded.partition(":")
    if not colon:
        raise TwilioError(20003, 401)
    return user, password


def _path_account(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) > 3 and parts[2] == "Accounts" and parts[3]:
        return parts[3].removesuffix(".json")
    return None


class Call(NamedTuple):
    """One authenticated request on its way to a handler."""

    req: Request
    match: re.Match[str]
    account: str
    declared: DeclaredAccount | None


class SandboxState(Protocol):
    """What the Twilio endpoints read of a sandbox (``hubsms.sandbox.api.Sandbox`` has it)."""

    store: MessageStore
    accounts: AccountRegistry
    test_accounts: set[str]
    auth_token: str | None
    status_delay: float
    outcomes: Outcomes


class TwilioEndpoints:
    """Routes a Twilio request of one sandbox to the handler of its resource."""

    __slots__ = ("sandbox", "_handlers")

    def __init__(self, sandbox: SandboxState) -> None:
        self.sandbox = sandbox
        self._handlers: dict[str, Callable[[Call], Any]] = {
            "account": self._account, "messages": self._messages, "message": self._message,
            "numbers": partial(self._listed, "incoming_phone_numbers", resources.list_numbers,
                               resources.NUMBER_FILTERS),
            "short_codes": partial(self._listed, "short_codes", resources.list_short_codes,
                                   resources.SHORT_CODE_FILTERS),
            "caller_ids": partial(self._listed, "outgoing_caller_ids", resources.list_caller_ids,
                                  resources.CALLER_ID_FILTERS),
            "balance": self._balance, "services": self._services, "service": self._service,
            **{name: self._senders for name in resources.SENDER_PATHS},
        }

    def route(self, req: Request, route: Route | None, match: re.Match[str] | None) -> Response:
        account = self._authenticate(req, match)
        if route is None or match is None or not ACCOUNT_SID_RE.match(account):
            raise TwilioError(20404, 404, path=req.path)
        if req.method not in route.methods:
            raise TwilioError(20004, 405)
        declared = self.sandbox.accounts.get(account)
        check_status(declared, route.kind == "account")
        if declared is not None and route.kind in declared.forbidden:  # a key with restricted rights
            raise TwilioError(70051, 403, "Authorization Failed")
        creating = route.kind == "messages" and req.method == "POST"
        if account in self.sandbox.test_accounts and not creating:
            raise TwilioError(20008, 403)  # test credentials can only create messages
        if creating:
            return self._create(req, account, declared)
        return json_response(200, self._handlers[route.kind](Call(req, match, account, declared)))

    def _authenticate(self, req: Request, match: re.Match[str] | None) -> str:
        """The account of the request: the path's (API 2010) or Basic auth's user (v1). The
        password must be the declared account's token, else the server's, if either is set."""
        on_v1 = req.path.startswith("/v1/")
        account = None if on_v1 else (match["account"] if match else _path_account(req.path))
        if account is None and not on_v1:
            return ""
        user, password = basic_credentials(req.headers.get("Authorization"))
        if not ACCOUNT_SID_RE.match(user) if on_v1 else user != account:
            raise TwilioError(20003, 401)
        declared = self.sandbox.accounts.get(user)
        token = declared.auth_token if declared and declared.auth_token else self.sandbox.auth_token
        if token is not None and not hmac.compare_digest(password.encode(), token.encode()):
            raise TwilioError(20003, 401)
        return user

    # --- API 2010-04-01 ---------------------------------------------------------------

    def _account(self, call: Call) -> dict[str, Any]:
        d = call.declared
        if d is None:
            return account_resource(call.account)
        return account_resource(call.account, d.friendly_name, d.status, d.type)

    def _message(self, call: Call) -> dict[str, Any]:
        sid = call.match["sid"]
        row = self.sandbox.store.get(sid, call.account) if MESSAGE_SID_RE.match(sid) else None
        if row is None:
            raise TwilioError(20404, 404, path=call.req.path)
        return current_resource(row)

    def _messages(self, call: Call) -> dict[str, Any]:
        return list_messages(self.sandbox.store, call.account, call.req.path, call.req.query)

    def _listed(self, key: str, items: Callable[[str, DeclaredAccount | None, Mapping[str, list[str]]], list[Item]],
                filters: Mapping[str, Match], call: Call) -> dict[str, Any]:
        """One of the account's lists (``items`` makes it) under ``key``, with Twilio's filters."""
        return _page(call, key, items(call.account, call.declared, call.req.query), filters)

    def _balance(self, call: Call) -> dict[str, Any]:
        return resources.balance(call.account, call.declared)

    def _create(self, req: Request, account: str, declared: DeclaredAccount | None) -> Response:
        content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form: dict[str, list[str]] = {}
        if content_type == FORM_TYPE:  # JSON or anything else: no To was given (21604)
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        new = validate_create(form)
        test = account in self.sandbox.test_accounts
        if test:
            check_test_send(new)
        elif declared is not None:
            check_send(declared, new, self.sandbox.accounts)
        outcome = None if test else self.sandbox.outcomes.get(new.to)
        row = {
            "sid": new_message_sid(bool(new.media)), "account_sid": account,
            "to_": new.to, "from_": new.from_, "service_sid": new.service_sid,
            "body": new.body, "code": find_code(new.body),
            "num_segments": count_segments(new.body) if new.body else 0,
            "num_media": len(new.media), "created": time.time(),
            "step_delay": float(self.sandbox.status_delay),
            # Test credentials: answered, never delivered (the status stays queued).
            "final_status": "queued" if test else (outcome.status if outcome else "delivered"),
            "error_code": outcome.error_code if outcome else None,
            "error_message": outcome.error_message if outcome else None,
        }
        return json_response(201, message_resource(self.sandbox.store.add(row), 0))

    # --- Messaging v1 -----------------------------------------------------------------

    def _pool(self, call: Call) -> tuple[str, tuple[str, ...]]:
        """The service's SID and sender pool; 404 when the account has no such service."""
        sid = call.match["service"]
        declared = call.declared
        if not SERVICE_SID_RE.match(sid) or (declared and sid not in declared.messaging_services):
            raise TwilioError(20404, 404, path=call.req.path)
        return sid, declared.messaging_services[sid] if declared else ()

    def _services(self, call: Call) -> dict[str, Any]:
        """The account's Messaging Services: the declared ones; none for an undeclared account."""
        declared, origin = call.declared, _origin(call.req)
        items = [resources.service(origin, call.account, sid, declared.friendly_name)
                 for sid in declared.messaging_services] if declared else []
        return _page(call, "services", items, {}, v1=True)

    def _service(self, call: Call) -> dict[str, Any]:
        sid, _ = self._pool(call)
        name = call.declared.friendly_name if call.declared else "hubsms sandbox"
        return resources.service(_origin(call.req), call.account, sid, name)

    def _senders(self, call: Call) -> dict[str, Any]:
        sid, pool = self._pool(call)
        kind = resources.SENDER_PATHS[call.req.path.rsplit("/", 1)[1]]
        items = resources.service_senders(kind, _origin(call.req), call.account, sid, pool)
        return _page(call, kind, items, {}, v1=True)


def _page(call: Call, key: str, items: list[Item], filters: Mapping[str, Match], v1: bool = False) -> dict[str, Any]:
    """The page the request asks for of an in-memory list, filtered as Twilio documents."""
    query = call.req.query
    link = _origin(call.req) + call.req.path if v1 else call.req.path
    return list_page(Items(matching(items, query, filters)), query, key, link, tuple(filters), v1=v1)


def _origin(req: Request) -> str:
    """Absolute v1 URLs (as Twilio's) on the address the client used."""
    return f"http://{req.headers.get('Host') or '127.0.0.1'}"
