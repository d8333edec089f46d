"""Twilio's answers: the JSON object of a success, the error of a 4xx, and checks that a
success holds what the callers rely on (a message SID of the right shape, a known status),
so that a malformed answer is a NetworkError naming what it lacked, never a KeyError later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from hubsms.errors import CredentialsRejected, HubsmsError, NetworkError, TwilioAPIError
from hubsms.twilio.codes import error_code, link, request_hint
from hubsms.twilio.failures import DEFAULT_SERVER_ADDRESS, host_of, unknown_outcome_hint
from hubsms.twilio.limits import MESSAGE_SID_RE, MESSAGE_STATUSES

if TYPE_CHECKING:  # answers are read from requests' responses; their checks need no requests
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
    outcome = " The message may have been sent: check before sending again." if method == "POST" else ""
    return NetworkError(
        f"Twilio's answer from {host_of(url)} lacked {what} (got {shown})",
        "Check the connector's Server Address: a proxy or another server may have answered."
        + outcome,
    )


def read_answer(response: requests.Response, method: str) -> dict[str, Any]:
    status = response.status_code
    if 200 <= status < 300:
        data = _json_object(response)
        if data is None:
            raise _unreadable_answer(response, method)
        return data
    if status >= 500:
        raise NetworkError(
            f"{host_of(response.url)} answered HTTP {status}: the outcome is unknown",
            unknown_outcome_hint(method),
        )
    if 300 <= status < 400:
        raise NetworkError(
            f"{host_of(response.url)} answered with a redirect (HTTP {status}), not Twilio's API",
            "Check the connector's Server Address: it should be " + DEFAULT_SERVER_ADDRESS,
        )
    raise _client_error(response)


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _unreadable_answer(response: requests.Response, method: str) -> NetworkError:
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    outcome = " The message may have been sent." if method == "POST" else ""
    return NetworkError(
        f"{host_of(response.url)} answered HTTP {response.status_code} with {kind}, "
        "not a Twilio JSON object",
        "Check the connector's Server Address (a proxy or another server answered)." + outcome,
    )


def _twilio_fields(response: requests.Response) -> tuple[int | None, str | None, str | None]:
    data = _json_object(response) or {}
    code, message, more_info = error_code(data.get("code")), data.get("message"), data.get("more_info")
    message = message if isinstance(message, str) and message.strip() else None
    more_info = more_info if isinstance(more_info, str) and more_info.startswith("http") else None
    return code, message, more_info


def _client_error(response: requests.Response) -> HubsmsError:
    status = response.status_code
    code, message, more_info = _twilio_fields(response)
    if code is None and status == 429:
        code, message = 20429, message or "Too Many Requests"
    if status == 401 or code == 20003:
        return _credentials_rejected(response, code, message, more_info)
    if code is None or message is None:
        return TwilioAPIError(
            f"{host_of(response.url)} answered HTTP {status} without a Twilio error body",
            "check the connector's Server Address and Account SID.", status=status,
        )
    more_info = more_info or link(code)
    return TwilioAPIError(
        f"Twilio error {code}: {message}", request_hint(code, more_info),
        code=code, status=status, more_info=more_info,
    )


def _credentials_rejected(
    response: requests.Response, code: int | None, message: str | None, more_info: str | None
) -> CredentialsRejected:
    detail = f"Twilio error {code}: {message}" if code and message else f"HTTP {response.status_code}"
    err = CredentialsRejected(
        f"{host_of(response.url)} rejected the credentials ({detail})",
        request_hint(20003, more_info),
    )
    return err
