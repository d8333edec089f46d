"""TwilioClient: one requests.Session talking to Twilio's 2010-04-01 REST API.

The retry policy (DESIGN.md, Sending) retries only what Twilio never processed: connection
failures before the request was sent, and 429. A read timeout, a dropped connection or a 5xx
leaves the outcome unknown and is never retried: a second OTP is worse than an error.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import InvalidHeader, MaxRetryError, ProtocolError, ResponseError
from urllib3.util.retry import Retry

from hubsms import __version__
from hubsms.model import is_loopback
from hubsms.errors import (
    CredentialsRejected,
    DeliveryFailed,
    HubsmsError,
    InvalidValue,
    NetworkError,
    TwilioAPIError,
)

DEFAULT_SERVER_ADDRESS: Final = "https://api.twilio.com/2010-04-01/Accounts"
USER_AGENT: Final = f"hubsms/{__version__}"
TIMEOUT_ENV: Final = "HUBSMS_TIMEOUT"
DEFAULT_TIMEOUTS: Final = (5.0, 15.0)
MAX_TIMEOUT: Final = 600.0

# FACTS.md §5: statuses after which a message never changes again.
FINAL_STATUSES: Final = frozenset(
    {"delivered", "undelivered", "failed", "read", "canceled", "received"}
)
FAILED_STATUSES: Final = frozenset({"undelivered", "failed"})

_DOCS: Final = "https://www.twilio.com/docs/errors/"
_CONNECT_HINT: Final = (
    "The request was not sent. Check the network and the connector's Server Address "
    "(for a local address, that the sandbox is running)."
)

CODE_HINTS: Final[Mapping[int, str]] = {
    20003: "The Account SID and auth token do not match: copy both again from the Twilio "
    "console (Account Info) and store the token again. Live and test credentials cannot be mixed.",
    20008: "These are test credentials: with them Twilio only allows sending messages; fetching "
    "messages or the account is refused (403). Use the live credentials to check a connector "
    "or to wait for delivery.",
    20404: "Twilio does not know this resource: check the Account SID, the message SID and that "
    "the Server Address ends in /2010-04-01/Accounts.",
    20429: "Too many concurrent requests: Twilio did not process this one, so sending again "
    "is safe. hubsms retries within a time budget (a longer Retry-After is not waited for). "
    "Wait a moment and try again.",
    21211: "'To' is not a valid phone number: give it in E.164 form (+, country code, number, "
    "e.g. +14155552671); it cannot be the sender itself, a short code or an alphanumeric ID.",
    21212: "'From' is not a valid sender for this account: use a phone number of the account in "
    "E.164 form, a short code, an alphanumeric sender ID, or a Messaging Service SID (MG...).",
    21408: "The account's Messaging Geo Permissions do not allow SMS to this country: enable it "
    "in the Twilio console under Messaging > Settings > Geo permissions.",
    21602: "The message body is empty: give a body or a template that renders to text.",
    21603: "Give a 'From' number or a Messaging Service SID (MG...) in the connector.",
    21604: "Give a 'To' number (Twilio also reports this when the body is not form-encoded).",
    21606: "'From' is not an SMS-capable Twilio number of this account, or cannot send to this "
    "destination: use a number the account owns with SMS capability, or a Messaging Service.",
    21608: "This is a trial account and 'To' is not verified: verify the number in the Twilio "
    "console (Phone Numbers > Verified Caller IDs) or upgrade the account.",
    21610: "The recipient replied STOP to this sender and is unsubscribed: Twilio blocks further "
    "messages until they reply START.",
    21611: "The 'From' number has too many queued messages: wait for the queue to drain or "
    "send from another number or a Messaging Service.",
    21612: "Twilio cannot route a message between this 'To' and 'From': try another sender "
    "(e.g. a local number or a Messaging Service).",
    21614: "'To' is not a mobile number (a landline or unassigned number), so it cannot receive "
    "SMS: use a mobile number.",
    21617: "The body is longer than 1,600 characters: shorten the message template.",
}

# Delivery-time errors: the send succeeded, the message later became undelivered/failed.
DELIVERY_ERRORS: Final[Mapping[int, str]] = {
    30001: "queue overflow: too many messages queued for the sender",
    30002: "the Twilio account is suspended",
    30003: "unreachable destination handset (switched off or out of coverage)",
    30004: "message blocked (by the recipient, the carrier or a block list)",
    30005: "unknown destination handset (the number does not exist or is inactive)",
    30006: "landline or unreachable carrier: the number cannot receive SMS",
    30007: "message filtered by the carrier (spam or content filtering)",
    30008: "unknown error from the carrier",
    30009: "a segment of a multi-part message was missing",
    30010: "the message price exceeds the max price set",
    30022: "US A2P 10DLC throughput limit exceeded",
    30023: "US A2P 10DLC daily message cap reached",
    30032: "the toll-free sender number is not verified",
    30034: "US A2P 10DLC: the sender number is not registered to a campaign",
}

StatusCallback = Callable[[str, dict[str, Any]], None]


def describe_delivery_error(code: int | None) -> str:
    """Name a 30xxx delivery error code in words, with its Twilio documentation link."""
    if code is None:
        return "no error code given"
    meaning = DELIVERY_ERRORS.get(code, "delivery error")
    return f"{meaning} (error {code}, {_DOCS}{code})"


def parse_timeouts(text: str, source: str = TIMEOUT_ENV) -> tuple[float, float]:
    """Read "SECONDS" (connect and read alike) or "CONNECT,READ" into a (connect, read) pair."""
    parts = [p.strip() for p in text.split(",")]
    hint = 'Give seconds, e.g. "10", or connect and read seconds, e.g. "5,30".'
    if len(parts) not in (1, 2):
        raise InvalidValue(source, f"{source} must be one or two numbers, got {text!r}", hint)
    values = [_positive_seconds(p, source, text, hint) for p in parts]
    return (values[0], values[-1])


def _positive_seconds(part: str, source: str, text: str, hint: str) -> float:
    try:
        value = float(part)
    except ValueError:
        value = math.nan
    if not (0 < value <= MAX_TIMEOUT):  # also rejects nan and inf
        raise InvalidValue(
            source, f"{source} must hold seconds between 0 and {MAX_TIMEOUT:g}, got {text!r}", hint
        )
    return value


def timeouts_from_env(
    environ: Mapping[str, str] | None = None,
    default: tuple[float, float] = DEFAULT_TIMEOUTS,
) -> tuple[float, float]:
    """The (connect, read) timeouts from HUBSMS_TIMEOUT, else the default."""
    text = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "").strip()
    return parse_timeouts(text) if text else default


class BoundedRetry(Retry):
    """urllib3 Retry bounded in total time as well as in count.

    The budget runs from the first failure; a wait (backoff or Retry-After) that would end
    past it is not slept: the last answer (e.g. the 429) is returned or the error raised.
    Only 429 is retried on status, even when a 503 carries Retry-After.
    """

    # urllib3 would also retry 413 and 503 carrying Retry-After: a 503's outcome is unknown.
    RETRY_AFTER_STATUS_CODES = frozenset({429})

    def __init__(
        self, *args: Any, budget: float = 30.0, deadline: float | None = None,
        pause: float = 0.0, on_retry: Callable[[str], None] | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.deadline = deadline
        self.pause = pause
        self.on_retry = on_retry

    def new(self, **kw: Any) -> BoundedRetry:
        kw.setdefault("budget", self.budget)
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("on_retry", self.on_retry)
        return super().new(**kw)

    def get_backoff_time(self) -> float:
        # urllib3 retries the first failure at once; back off from the first one instead.
        failures = len(self.history)
        if failures == 0 or self.backoff_factor <= 0:
            return 0.0
        value = self.backoff_factor * 2 ** (failures - 1) + random.random() * self.backoff_jitter
        return min(self.backoff_max, value)

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None,
                  ) -> BoundedRetry:
        new_retry = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.budget
        pause = new_retry._planned_pause(response)
        if time.monotonic() + pause > deadline:
            reason = error or ResponseError("retry time budget exhausted")
            raise MaxRetryError(_pool, url, reason) from reason  # type: ignore[arg-type]
        new_retry.deadline, new_retry.pause = deadline, pause
        return new_retry

    def _planned_pause(self, response: Any) -> float:
        if response is not None and self.respect_retry_after_header:
            try:
                retry_after = self.get_retry_after(response)
            except InvalidHeader:  # a malformed Retry-After falls back to backoff
                retry_after = None
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def sleep(self, response: Any = None) -> None:
        if self.on_retry is not None and self.history:
            last = self.history[-1]
            why = "Twilio answered 429 (too many requests)" if last.status == 429 else "could not connect"
            self.on_retry(f"{why}; retrying in {self.pause:.1f} s (retry {len(self.history)})")
        if self.pause > 0:
            time.sleep(self.pause)


def make_retry(
    retries: int, total_seconds: float, backoff_factor: float = 0.5, on_retry: Callable[[str], None] | None = None
) -> BoundedRetry:
    """The retry policy of DESIGN.md: connect failures and 429 only, for every method.
    ``on_retry`` is told of each retry before its pause."""
    return BoundedRetry(
        on_retry=on_retry,
        total=retries, connect=retries, status=retries, read=False, other=0, redirect=0,
        allowed_methods=None, status_forcelist={429}, raise_on_status=False,
        raise_on_redirect=False, respect_retry_after_header=True,
        backoff_factor=backoff_factor, backoff_jitter=backoff_factor, backoff_max=8.0,
        budget=total_seconds,
    )


class TwilioClient:
    """Twilio's Accounts and Messages endpoints under a connector's Server Address.

    The auth token lives only in the request auth object: never in repr, messages or logs.
    A session passed in gets the retry policy mounted too, and is not closed by ``close()``.
    """

    def __init__(
        self, account_sid: str, auth_token: str, base_url: str = DEFAULT_SERVER_ADDRESS, *,
        connect_timeout: float = DEFAULT_TIMEOUTS[0], read_timeout: float = DEFAULT_TIMEOUTS[1],
        retries: int = 3, retry_total_seconds: float = 30.0, backoff_factor: float = 0.5,
        session: requests.Session | None = None, on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self._auth = HTTPBasicAuth(account_sid, auth_token)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        if is_loopback(urlsplit(self.base_url).hostname or ""):
            self._session.trust_env = False  # a local sandbox is never reached through a proxy
        adapter = HTTPAdapter(max_retries=make_retry(retries, retry_total_seconds, backoff_factor, on_retry))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def __repr__(self) -> str:
        return f"TwilioClient(account_sid={self.account_sid!r}, base_url={self.base_url!r})"

    def __enter__(self) -> TwilioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    @property
    def messages_url(self) -> str:
        return f"{self.base_url}/{self.account_sid}/Messages.json"

    def send_message(
        self, to: str, body: str, *, from_: str | None = None,
        messaging_service_sid: str | None = None, validity_period: int | None = None,
    ) -> dict[str, Any]:
        """Create a message: POST form-encoded To, From or MessagingServiceSid, Body."""
        if bool(from_) == bool(messaging_service_sid):
            raise InvalidValue(
                "from", "give exactly one of a From sender and a Messaging Service SID",
                "Set the connector's 'from' to a number, sender ID or MG... SID.",
            )
        form = {"To": to, "Body": body}
        form.update({"From": from_} if from_ else {"MessagingServiceSid": messaging_service_sid})
        if validity_period is not None:
            form["ValidityPeriod"] = str(validity_period)
        return self._request("POST", self.messages_url, form)

    def fetch_message(self, sid: str) -> dict[str, Any]:
        return self._request("GET", f"{self.base_url}/{self.account_sid}/Messages/{sid}.json")

    def fetch_account(self) -> dict[str, Any]:
        """Fetch the Account resource; its ``auth_token`` field is dropped, never kept."""
        account = self._request("GET", f"{self.base_url}/{self.account_sid}.json")
        account.pop("auth_token", None)
        return account

    def wait_for_final_status(
        self, sid: str, *, timeout: float = 60.0, interval: float = 1.0,
        max_interval: float = 5.0, on_status: StatusCallback | None = None,
    ) -> dict[str, Any]:
        """Poll a message until its status is final or ``timeout`` seconds have passed.

        Calls ``on_status(status, message)`` on each change of status. Returns the last
        message seen: its status is not final when the time ran out. The pause between
        polls grows from ``interval`` to ``max_interval`` and never passes the deadline.
        """
        deadline = time.monotonic() + timeout
        seen: str | None = None
        while True:
            message = self.fetch_message(sid)
            status = str(message.get("status"))
            if status != seen and on_status is not None:
                on_status(status, message)
            seen = status
            remaining = deadline - time.monotonic()
            if status in FINAL_STATUSES or remaining <= 0:
                return message
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, max_interval)

    def _request(self, method: str, url: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        try:
            response = self._session.request(
                method, url, data=form, auth=self._auth, timeout=self.timeout,
                allow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )
        except requests.RequestException as exc:
            raise _network_error(exc, method, url) from None
        with response:
            return _read_answer(response, method)


def check_delivery(message: Mapping[str, Any]) -> None:
    """Raise DeliveryFailed when a message ended ``failed`` or ``undelivered``."""
    status = message.get("status")
    if status not in FAILED_STATUSES:
        return
    code = message.get("error_code")
    code = code if isinstance(code, int) else None
    raise DeliveryFailed(
        f"message {message.get('sid')} to {message.get('to')} ended {status}: "
        f"{describe_delivery_error(code)}",
        "The carrier did not deliver the SMS; check the number, or look the message up in "
        "the Twilio console (Monitor > Logs > Messaging).",
    )


def _host(url: str) -> str:
    # hostname and port only: a Server Address could carry user:password@
    parts = urlsplit(url)
    host = parts.hostname or url
    return f"{host}:{parts.port}" if parts.port else host


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    for _ in range(10):  # bounded walk down the cause chain
        nested = getattr(seen, "reason", None) or seen.__cause__ or (
            seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        )
        if nested is None or nested is seen:
            break
        seen = nested
    return seen


def _cause_text(exc: BaseException) -> str:
    root = _root_cause(exc)
    if isinstance(root, OSError) and root.strerror:
        return root.strerror
    return type(root).__name__


def _unknown_outcome_hint(method: str) -> str:
    if method == "POST":
        return (
            "It was not retried, to avoid a second OTP: check the Twilio console (Monitor > "
            "Logs > Messaging) or the sandbox's message list before sending again."
        )
    return "It was not retried; try again in a moment."


def _unknown_outcome(method: str) -> str:
    return "the message may or may not have been sent" if method == "POST" else "no answer"


def _sent_then_dropped(exc: requests.RequestException) -> bool:
    """The request went out and the connection broke before an answer: outcome unknown."""
    root = _root_cause(exc)
    return isinstance(root, (ProtocolError, ConnectionResetError, http.client.HTTPException))


def _network_error(exc: requests.RequestException, method: str, url: str) -> NetworkError:
    host = _host(url)
    if isinstance(exc, requests.ReadTimeout):
        return NetworkError(
            f"{host} did not answer in time: {_unknown_outcome(method)}",
            _unknown_outcome_hint(method),
        )
    if isinstance(exc, requests.ConnectTimeout):
        return NetworkError(f"cannot connect to {host} (connection timed out)", _CONNECT_HINT)
    if isinstance(exc, requests.ConnectionError) and not _sent_then_dropped(exc):
        return NetworkError(f"cannot connect to {host} ({_cause_text(exc)})", _CONNECT_HINT)
    return NetworkError(
        f"{host} closed the connection before answering: {_unknown_outcome(method)}",
        _unknown_outcome_hint(method),
    )


def _read_answer(response: requests.Response, method: str) -> dict[str, Any]:
    status = response.status_code
    if 200 <= status < 300:
        data = _json_object(response)
        if data is None:
            raise _unreadable_answer(response, method)
        return data
    if status >= 500:
        raise NetworkError(
            f"{_host(response.url)} answered HTTP {status}: the outcome is unknown",
            _unknown_outcome_hint(method),
        )
    if 300 <= status < 400:
        raise NetworkError(
            f"{_host(response.url)} answered with a redirect (HTTP {status}), not Twilio's API",
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
        f"{_host(response.url)} answered HTTP {response.status_code} with {kind}, "
        "not a Twilio JSON object",
        "Check the connector's Server Address (a proxy or another server answered)." + outcome,
    )


def _twilio_fields(response: requests.Response) -> tuple[int | None, str | None, str | None]:
    data = _json_object(response) or {}
    code, message, more_info = data.get("code"), data.get("message"), data.get("more_info")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
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
            f"{_host(response.url)} answered HTTP {status} without a Twilio error body",
            "Check the connector's Server Address and Account SID.", status=status,
        )
    hint = CODE_HINTS.get(code, "See Twilio's description of this error.")
    more_info = more_info or f"{_DOCS}{code}"
    return TwilioAPIError(
        f"Twilio error {code}: {message}", f"{hint} More: {more_info}",
        code=code, status=status, more_info=more_info,
    )


def _credentials_rejected(
    response: requests.Response, code: int | None, message: str | None, more_info: str | None
) -> CredentialsRejected:
    detail = f"Twilio error {code}: {message}" if code and message else f"HTTP {response.status_code}"
    err = CredentialsRejected(
        f"{_host(response.url)} rejected the credentials ({detail})",
        f"{CODE_HINTS[20003]} More: {more_info or _DOCS + '20003'}",
    )
    return err
