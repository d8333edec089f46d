"""The retry policy (README, Sending): retry only what Twilio never processed, or what does
no harm twice.

Connection failures before the request was sent, and 429, are retried; a read timeout, a
dropped connection or a 5xx leaves the outcome unknown and is never retried: a second OTP is
worse than an error. The one exception is a GET (a status poll, a lookup), which changes
nothing: a connection closed before its answer (typically a kept-alive one the server had just
closed) is retried once, at once. ``BoundedRetry`` overrides urllib3 2.x internals (``new``,
``increment``, ``sleep``, ``get_backoff_time``): pyproject.toml keeps urllib3 below 3 for that
reason.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from urllib3.exceptions import InvalidHeader, MaxRetryError, ProtocolError, ResponseError
from urllib3.util.retry import Retry

from hubsms.twilio.transport import current_deadline


class BoundedRetry(Retry):
    """urllib3 Retry bounded in total time as well as in count.

    The budget runs from the first failure; a wait (backoff or Retry-After) that would end
    past it is not slept: the last answer (e.g. the 429) is returned or the error raised.
    Only 429 is retried on status, even when a 503 carries Retry-After; of the failures after
    the request was sent, only a GET's closed connection (``read``, once).
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
        dropped = isinstance(error, ProtocolError) and method == "GET"
        if error is not None and self._is_read_error(error) and not dropped:
            raise error.with_traceback(_stacktrace)  # sent, perhaps processed: never twice
        new_retry = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.budget
        overall = current_deadline()  # the exchange's own deadline, when it has one
        deadline = min(deadline, overall) if overall is not None else deadline
        pause = 0.0 if dropped else new_retry._planned_pause(response)
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
            why = (
                "Twilio answered 429 (too many requests)" if last.status == 429
                else "the server closed the connection before answering" if isinstance(last.error, ProtocolError)
                else "could not connect"
            )
            when = f"in {self.pause:.1f} s" if self.pause > 0 else "at once"
            self.on_retry(f"{why}; retrying {when} (retry {len(self.history)})")
        if self.pause > 0:
            time.sleep(self.pause)


def make_retry(
    retries: int, total_seconds: float, backoff_factor: float = 0.5, on_retry: Callable[[str], None] | None = None
) -> BoundedRetry:
    """The retry policy: connect failures and 429, for every method; a GET's closed
    connection, once. ``on_retry`` is told of each retry before its pause."""
    return BoundedRetry(
        on_retry=on_retry,
        total=retries, connect=retries, status=retries, read=1, other=0, redirect=0,
        allowed_methods=None, status_forcelist={429}, raise_on_status=False,
        raise_on_redirect=False, respect_retry_after_header=True,
        backoff_factor=backoff_factor, backoff_jitter=backoff_factor, backoff_max=8.0,
        budget=total_seconds,
    )
