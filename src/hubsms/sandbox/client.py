"""A small client of the sandbox's own API, for ``hubsms sandbox messages`` and ``otp``.

stdlib urllib only (start-up time matters); never through a proxy, since the sandbox runs
beside the user. Failures become hubsms errors with a hint.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from hubsms.errors import InvalidValue, NetworkError, NothingArrived

DEFAULT_URL: Final = "http://127.0.0.1:8765"
URL_ENV: Final = "HUBSMS_SANDBOX_URL"
SERVER_WAIT_CAP: Final = 30.0  # the server answers a long-poll after 30 s at most
START_HINT: Final = (
    "start it with 'hubsms sandbox serve', or point at a running one with --url "
    f"or ${URL_ENV}"
)


WRITE_HEADERS: Final = {"X-Hubsms-Sandbox": "1"}  # the own API refuses writes without it


def resolve_url(option: str | None) -> str:
    """``--url``, else ``$HUBSMS_SANDBOX_URL``, else http://127.0.0.1:8765."""
    url = (option or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as exc:
        raise InvalidValue("url", f"{url!r} is not a valid address: {exc}", f"for example {DEFAULT_URL}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue("url", f"{url!r} is not an http:// address of a sandbox",
                           f"for example {DEFAULT_URL}")
    return url


def checked_number(number: str) -> str:
    """A number as ``otp send`` posts it, and so as the sandbox stores it: model's E.164
    rule (a ``00`` prefix read as ``+``); a bad one is a usage error. A fictional number is
    fine here: the sandbox's numbers are."""
    from hubsms.model import validate_phone_number

    return validate_phone_number(number, "to")[0]


def _request(url: str, path: str, params: dict[str, Any], timeout: float,
             method: str = "GET") -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    query = urlencode({k: v for k, v in params.items() if v is not None})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    headers = WRITE_HEADERS if method != "GET" else {}
    request = urllib.request.Request(f"{url}{path}?{query}", method=method, headers=headers)
    try:
        with opener.open(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, _json_or_none(err.read())
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise NetworkError(f"cannot reach the sandbox at {url}: {reason}", START_HINT) from None


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _unexpected(url: str, status: int, data: Any) -> NetworkError:
    detail = data.get("error") if isinstance(data, dict) else None
    return NetworkError(f"the sandbox at {url} answered HTTP {status}" + (f": {detail}" if detail else ""),
                        "check that --url points at a hubsms sandbox")


def list_messages(url: str, to: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Captured messages, newest first."""
    status, data = _request(url, "/api/messages", {"to": to, "limit": limit}, timeout=10)
    if status != 200 or not isinstance(data, dict):
        raise _unexpected(url, status, data)
    return list(data.get("messages") or [])


def clear_messages(url: str, to: str | None = None) -> int:
    """Delete the captured messages (those to ``to`` only, if given); how many went."""
    status, data = _request(url, "/api/messages", {"to": to}, timeout=10, method="DELETE")
    if status != 200 or not isinstance(data, dict):
        raise _unexpected(url, status, data)
    return int(data.get("deleted") or 0)


def wait_for_otp(url: str, to: str, wait: float = 0.0, after: str | None = None) -> dict[str, Any]:
    """The newest OTP sent to ``to`` (newer than message ``after``, if given), waiting up to
    ``wait`` seconds (in long-polls of at most 30 s each) for one to arrive; NothingArrived
    when none did."""
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        left = max(deadline - time.monotonic(), 0.0)
        step = min(left, SERVER_WAIT_CAP)
        params = {"to": to, "wait": f"{step:.3f}", "after": after}
        status, data = _request(url, "/api/otp", params, timeout=step + 10)
        if status == 200 and isinstance(data, dict):
            return data
        if status == 400 and after:
            raise InvalidValue("after", f"--after {after}: the sandbox has no such message",
                               "give the SID of a message it captured (see 'hubsms sandbox messages --json')")
        if status != 404:
            raise _unexpected(url, status, data)
        if left <= SERVER_WAIT_CAP:
            raise NothingArrived(
                f"no code for {to} arrived at the sandbox" + (f" in {wait:g} s" if wait else ""),
                "check the number, send the OTP again, or wait longer with --wait SECONDS",
            )
