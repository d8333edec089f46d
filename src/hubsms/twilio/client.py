"""TwilioClient: one requests.Session talking to Twilio's 2010-04-01 REST API.

Every request has an overall deadline (retries included, see ``transport``); the retry policy
is in ``retry``; failures are worded in ``failures``; answers are checked in ``answers``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import requests
from requests.auth import HTTPBasicAuth

from hubsms import __version__
from hubsms.errors import CredentialsRejected, DeliveryFailed, NetworkError
from hubsms.model import is_loopback
from hubsms.seconds import SMALLEST, check_seconds
from hubsms.twilio.answers import Answer, check_account, check_message, read_answer, take_answer
from hubsms.twilio.codes import delivery_advice, describe_delivery_error, error_code
from hubsms.twilio.failures import DEFAULT_SERVER_ADDRESS, deadline_error, network_error
from hubsms.twilio.limits import (
    DEFAULT_TIMEOUTS,
    FAILED_STATUSES,
    FINAL_STATUSES,
    MAX_DEADLINE,
    deadline_from_env,
    messages_url,
)
from hubsms.twilio.retry import make_retry
from hubsms.twilio.transport import (
    DeadlinePassed,
    WatchedAdapter,
    current_watch,
    run_with_deadline,
)

USER_AGENT: Final = f"hubsms/{__version__}"

StatusCallback = Callable[[str, dict[str, Any]], None]


class TwilioClient:
    """Twilio's Accounts and Messages endpoints under a connector's Server Address.

    ``deadline``: seconds within which each request (retries included) finishes or fails;
    None reads HUBSMS_DEADLINE, else 30. The auth token lives only in the request auth
    object: never in repr, messages or logs. A session passed in gets the retry policy
    mounted too, and is not closed by ``close()``.
    """

    def __init__(
        self, account_sid: str, auth_token: str, base_url: str = DEFAULT_SERVER_ADDRESS, *,
        connect_timeout: float = DEFAULT_TIMEOUTS[0], read_timeout: float = DEFAULT_TIMEOUTS[1],
        retries: int = 3, retry_total_seconds: float = 30.0, backoff_factor: float = 0.5,
        deadline: float | None = None, token_source: str | None = None,
        session: requests.Session | None = None, on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.token_source = token_source  # said when the credentials are refused
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = check_seconds(deadline, "deadline", SMALLEST, MAX_DEADLINE) or deadline_from_env()
        self._auth = HTTPBasicAuth(account_sid, auth_token)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        if is_loopback(urlsplit(self.base_url).hostname or ""):
            self._session.trust_env = False  # a local sandbox is never reached through a proxy
        retry = make_retry(retries, retry_total_seconds, backoff_factor, on_retry)
        adapter = WatchedAdapter(max_retries=retry)
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
        return messages_url(self.base_url, self.account_sid)

    def create_message(self, form: dict[str, str], *, ends: float | None = None) -> dict[str, Any]:
        """POST exactly ``form`` (see ``message_form``) and return the created Message, which
        is checked to carry a message SID and a known status. ``ends``: a ``time.monotonic()``
        by which the exchange is over when that comes before the deadline (the end of ``otp
        send --wait``'s ``--timeout``)."""
        message = self._request("POST", self.messages_url, form, ends=ends)
        check_message(message, self.messages_url, "POST")
        return message

    def fetch_message(self, sid: str, *, ends: float | None = None) -> dict[str, Any]:
        """Fetch a Message; checked to be that message, with a known status. ``ends`` as for
        ``create_message``."""
        url = f"{self.base_url}/{self.account_sid}/Messages/{sid}.json"
        message = self._request("GET", url, ends=ends)
        check_message(message, url, "GET", sid)
        return message

    def fetch_account(self) -> dict[str, Any]:
        """Fetch the Account resource (checked: its SID, status and type); its ``auth_token``
        field is dropped, never kept."""
        url = f"{self.base_url}/{self.account_sid}.json"
        account = self._request("GET", url)
        account.pop("auth_token", None)
        check_account(account, url, self.account_sid)
        return account

    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET any resource of the account (an absolute URL, or a path on the API's origin
        such as a list's ``next_page_uri``) and return its JSON object; errors mapped as for
        every request."""
        if url.startswith("/"):
            parts = urlsplit(self.base_url)
            url = f"{parts.scheme}://{parts.netloc}{url}"
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        return self._request("GET", url)

    @property
    def account_url(self) -> str:
        """The account's own URL: ``{server_address}/{AccountSid}``; its lists are below it."""
        return f"{self.base_url}/{self.account_sid}"

    def list_account(self, resource: str, key: str, params: Mapping[str, str], max_pages: int = 10) -> list[dict[str, Any]]:
        """The items of one of the account's lists (``IncomingPhoneNumbers``, ``SMS/ShortCodes``,
        ``OutgoingCallerIds``), filtered by ``params``, following ``next_page_uri`` for at
        most ``max_pages`` pages: a filter by a whole number leaves one page or none."""
        page = self.get_json(f"{self.account_url}/{resource}.json", {"PageSize": "100", **params})
        items = list(page.get(key) or [])
        for _ in range(max_pages - 1):
            next_uri = page.get("next_page_uri")
            if not isinstance(next_uri, str) or not next_uri:
                break
            page = self.get_json(next_uri)
            items += page.get(key) or []
        return [item for item in items if isinstance(item, dict)]

    @property
    def messaging_url(self) -> str:
        """The Messaging API (v1) root for this Server Address (see ``messaging_origin``)."""
        from hubsms.twilio.messaging import messaging_origin

        return f"{messaging_origin(self.base_url)}/v1"

    def fetch_messaging_service(self, service_sid: str) -> dict[str, Any]:
        """GET the Messaging Service ``/v1/Services/{Sid}`` (a TwilioAPIError 20404 when the
        account has none of that SID)."""
        return self.get_json(f"{self.messaging_url}/Services/{service_sid}")

    def count_service_senders(self, service_sid: str) -> dict[str, int]:
        """How many phone numbers, short codes and alphanumeric sender IDs the service's
        sender pool has (on their first page: enough to tell an empty pool)."""
        counts = {}
        for path, key in (("PhoneNumbers", "phone_numbers"), ("ShortCodes", "short_codes"),
                          ("AlphaSenders", "alpha_senders")):
            page = self.get_json(f"{self.messaging_url}/Services/{service_sid}/{path}", {"PageSize": "50"})
            counts[key] = len(page.get(key) or [])
        return counts

    def wait_for_final_status(
        self, sid: str, *, timeout: float = 60.0, interval: float = 1.0,
        max_interval: float = 5.0, on_status: StatusCallback | None = None,
        last: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Poll a message until its status is final or ``timeout`` seconds have passed.

        Calls ``on_status(status, message)`` on each change of status. Returns the last
        message seen (``last``, the message as known before, when no poll answered in time):
        its status is not final when the time ran out. No poll is waited for past ``timeout``,
        its name lookup and connect included: one still unanswered then is given up. The pause
        between polls grows from ``interval`` to ``max_interval`` and never passes ``timeout``.
        """
        deadline = time.monotonic() + timeout
        seen: str | None = None
        while True:
            try:
                message = self.fetch_message(sid, ends=deadline)
            except NetworkError:
                if last is None or time.monotonic() < deadline:
                    raise
                return last  # the time ran out during this poll
            last = message
            status = str(message.get("status"))
            if status != seen and on_status is not None:
                on_status(status, message)
            seen = status
            remaining = deadline - time.monotonic()
            if status in FINAL_STATUSES or remaining <= 0:
                return message
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, max_interval)

    def _request(
        self, method: str, url: str, form: dict[str, str] | None = None, *, ends: float | None = None,
    ) -> dict[str, Any]:
        """One exchange within the deadline, or by ``ends`` (a ``time.monotonic()``) if sooner."""
        left = None if ends is None else ends - time.monotonic()
        cut = left is not None and left < self.deadline  # --timeout is the nearer limit
        seconds = max(left, 0.0) if cut else self.deadline
        if seconds <= 0:
            raise deadline_error(method, url, 0.0, False, "--timeout")
        try:
            answer = run_with_deadline(lambda: self._exchange(method, url, form), seconds)
        except DeadlinePassed as exc:
            if cut:
                raise deadline_error(method, url, round(seconds, 1), exc.sent, "--timeout") from None
            raise deadline_error(method, url, seconds, exc.sent) from None
        except _Failed as exc:
            raise network_error(exc.error, method, url, exc.sent) from None
        try:
            return read_answer(answer, method)
        except CredentialsRejected as err:
            if self.token_source:
                err.message += f"; the auth token came from {self.token_source}"
            raise

    def _exchange(self, method: str, url: str, form: dict[str, str] | None) -> Answer:
        """One exchange, run in the deadline's worker thread (the body is read there too, no
        larger than ``take_answer`` allows)."""
        try:
            response = self._session.request(
                method, url, data=form, auth=self._auth, timeout=self.timeout,
                allow_redirects=False, stream=True,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )
            return take_answer(response, method)
        except requests.RequestException as exc:
            watch = current_watch()
            raise _Failed(exc, watch.sent if watch is not None else True) from None


class _Failed(Exception):
    """A requests failure, with whether the request had been written when it happened."""

    def __init__(self, error: requests.RequestException, sent: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.sent = sent


def check_delivery(message: Mapping[str, Any]) -> None:
    """Raise DeliveryFailed when a message ended ``failed`` or ``undelivered``."""
    status = message.get("status")
    if status not in FAILED_STATUSES:
        return
    code = error_code(message.get("error_code"))
    raise DeliveryFailed(
        f"message {message.get('sid')} to {message.get('to')} ended {status}: "
        f"{describe_delivery_error(code)}",
        delivery_advice(code),
    )
