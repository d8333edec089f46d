"""Twilio's answers: taken off the wire no larger than ``MAX_ANSWER_BYTES``, the JSON object of
a success (no deeper than ``MAX_JSON_DEPTH``), the error of a 4xx, and checks that a success
holds what the callers rely on (a message SID of the right shape, a known status), so that a
malformed or hostile answer is a NetworkError saying what was wrong with it, never a
KeyError, a RecursionError or a process out of memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from hubsms.errors import CredentialsRejected, HubsmsError, NetworkError, TwilioAPIError
from hubsms.twilio.codes import error_code, link, request_hint
from hubsms.twilio.failures import DEFAULT_SERVER_ADDRESS, host_of, unknown_outcome_hint
from hubsms.twilio.limits import MAX_ANSWER_BYTES, MAX_JSON_DEPTH, MESSAGE_SID_RE, MESSAGE_STATUSES

if TYPE_CHECKING:  # answers are taken from requests' responses; their checks need no requests
    import requests

# The enums of Twilio's Account resource (its OpenAPI description, tests/data/twilio-oai/).
ACCOUNT_STATUSES: Final = frozenset({"active", "suspended", "closed"})
ACCOUNT_TYPES: Final = frozenset({"Trial", "Full"})


def check_message(message: Mapping[str, Any], url: str, method: str, sid: str | None = None) -> None:
    """A Message resource must carry a message SID (``sid`` itself when given) and a known status."""
    found = message.get("sid")
    if not (isinstance(found, str) and MESSAGE_SID_RE.fullmatch(found)):
        raise _lacking(url, method, "a message SID (SM or MM and 32 hex digits)", found)
    if sid is not None and found != sid:
        raise _lacking(url, method, f"the SID asked for ({sid})", found)
    status = message.get("status")
    if status not in MESSAGE_STATUSES:
        raise _lacking(url, method, "a known message status", status)


def check_account(account: Mapping[str, Any], url: str, account_sid: str) -> None:
    """An Account resource must carry the account's SID, a known status and a known type."""
    if account.get("sid") != account_sid:
        raise _lacking(url, "GET", f"this account's SID ({account_sid})", account.get("sid"))
    if account.get("status") not in ACCOUNT_STATUSES:
        raise _lacking(url, "GET", "a known account status", account.get("status"))
    if account.get("type") not in ACCOUNT_TYPES:
        raise _lacking(url, "GET", "a known account type (Trial or Full)", account.get("type"))


def _lacking(url: str, method: str, what: str, found: Any) -> NetworkError:
    shown = "nothing" if found is None else repr(found)[:60]
    return _not_twilio(f"Twilio's answer from {host_of(url)} lacked {what} (got {shown})", method)


def _not_twilio(message: str, method: str) -> NetworkError:
    """An answer that is not Twilio's: say what was wrong with it, and that a POST's message
    may have been sent all the same."""
    outcome = " The message may have been sent: check before sending again." if method == "POST" else ""
    return NetworkError(
        message, "Check the connector's Server Address: a proxy or another server may have answered." + outcome,
    )


class Answer(NamedTuple):
    """An HTTP answer as taken off the wire: what ``read_answer`` reads."""

    status_code: int
    url: str
    content_type: str
    body: bytes


def take_answer(response: requests.Response, method: str) -> Answer:
    """Read ``response`` (opened with ``stream=True``) in full, and close it; a body larger
    than MAX_ANSWER_BYTES, as declared or as decoded (gzip included), is a NetworkError, read
    no further. Runs in the exchange's worker, within its deadline."""
    with response:
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise _too_large(response.url, method)
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_ANSWER_BYTES:
                raise _too_large(response.url, method)
    content_type = response.headers.get("Content-Type") or "no content type"
    return Answer(response.status_code, response.url, content_type, bytes(body))


def _too_large(url: str, method: str) -> NetworkError:
    limit = f"{MAX_ANSWER_BYTES // (1024 * 1024)} MiB"
    return _not_twilio(f"{host_of(url)} sent an answer larger than {limit}, not one of Twilio's (not read further)", method)


def read_answer(answer: Answer, method: str) -> dict[str, Any]:
    status = answer.status_code
    if 200 <= status < 300:
        data = _json_object(answer, method)
        if data is None:
            raise _unreadable_answer(answer, method)
        return data
    if status >= 500:
        raise NetworkError(
            f"{host_of(answer.url)} answered HTTP {status}: the outcome is unknown",
            unknown_outcome_hint(method),
        )
    if 300 <= status < 400:
        raise NetworkError(
            f"{host_of(answer.url)} answered with a redirect (HTTP {status}), not Twilio's API",
            "Check the connector's Server Address: it should be " + DEFAULT_SERVER_ADDRESS,
        )
    raise _client_error(answer, method)


def _json_object(answer: Answer, method: str) -> dict[str, Any] | None:
    """The body's JSON object; None when it is not JSON or not an object; a NetworkError when
    it is nested deeper than MAX_JSON_DEPTH (Twilio's go 4 deep)."""
    try:
        data = json.loads(answer.body)
        too_deep = _deeper_than(data, MAX_JSON_DEPTH)
    except RecursionError:  # the parser recurses once a level: about 1000 levels end it
        too_deep = True
    except ValueError:
        return None
    if too_deep:
        raise _not_twilio(
            f"{host_of(answer.url)} answered with JSON nested deeper than {MAX_JSON_DEPTH} levels, "
            "not one of Twilio's", method,
        )
    return data if isinstance(data, dict) else None


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether arrays and objects nest in ``data`` more than ``limit`` levels (without recursion)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _unreadable_answer(answer: Answer, method: str) -> NetworkError:
    kind = answer.content_type.split(";")[0]
    return _not_twilio(f"{host_of(answer.url)} answered HTTP {answer.status_code} with {kind}, not a Twilio JSON object", method)


def _twilio_fields(answer: Answer, method: str) -> tuple[int | None, str | None, str | None]:
    data = _json_object(answer, method) or {}
    code, message, more_info = error_code(data.get("code")), data.get("message"), data.get("more_info")
    message = message if isinstance(message, str) and message.strip() else None
    more_info = more_info if isinstance(more_info, str) and more_info.startswith("http") else None
    return code, message, more_info


def _client_error(answer: Answer, method: str) -> HubsmsError:
    status = answer.status_code
    code, message, more_info = _twilio_fields(answer, method)
    if code is None and status == 429:
        code, message = 20429, message or "Too Many Requests"
    if status == 401 or code == 20003:
        return _credentials_rejected(answer, code, message, more_info)
    if code is None or message is None:
        return TwilioAPIError(
            f"{host_of(answer.url)} answered HTTP {status} without a Twilio error body",
            "check the connector's Server Address and Account SID.", status=status,
        )
    more_info = more_info or link(code)
    return TwilioAPIError(
        f"Twilio error {code}: {message}", request_hint(code, more_info),
        code=code, status=status, more_info=more_info,
    )


def _credentials_rejected(
    answer: Answer, code: int | None, message: str | None, more_info: str | None
) -> CredentialsRejected:
    detail = f"Twilio error {code}: {message}" if code and message else f"HTTP {answer.status_code}"
    err = CredentialsRejected(
        f"{host_of(answer.url)} rejected the credentials ({detail})",
        request_hint(20003, more_info),
    )
    return err
