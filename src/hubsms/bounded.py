"""One way to run a call that may not come back: in a worker thread, waited for a time limit.

Used by the keyring (a locked or hung backend) and the HTTP client (a server that trickles).
The worker is a daemon thread: after the limit the caller goes on and the process can end; the
worker itself ends when its call does. What the caller must do at the limit to wake or stop
the call (shut a socket down) is ``cancel``; what the worker must do when the call really ends
(let a lock go) is the caller's own ``finally`` inside ``work``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Expired(Exception):
    """The call did not end within its time limit (it may still be running)."""

    def __init__(self, name: str, seconds: float) -> None:
        super().__init__(f"{name} did not end within {seconds:g} s")
        self.name = name
        self.seconds = seconds


def call_within(
    work: Callable[[], T],
    seconds: float,
    *,
    name: str,
    cancel: Callable[[], None] | None = None,
    start: Callable[[], None] | None = None,
) -> T:
    """``work()``'s result, or what it raised, or ``Expired`` after ``seconds``.

    ``start`` runs first in the worker thread (to set thread-local state the call reads);
    ``cancel`` runs in the caller's thread when the wait ends without a result: at the limit,
    or when the wait itself is interrupted (Ctrl-C)."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def worker() -> None:
        try:
            if start is not None:
                start()
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller's thread as is
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=worker, name=name, daemon=True).start()
    try:
        finished = done.wait(max(0.0, seconds))
    finally:
        if not done.is_set() and cancel is not None:
            cancel()
    if not finished:
        raise Expired(name, seconds)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
