"""What a running sandbox knows besides its messages: injected faults, delivery outcomes
and request counts. Each is guarded by its own lock (handlers run in many threads)."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any, Final, NamedTuple

from hubsms.sandbox.twilio import FINAL_FAILURES, delivery_error_message

FAULT_MODES: Final = ("429", "500", "delay", "close")
MAX_FAULT_DELAY: Final = 120.0


class BadRequest(ValueError):
    """A request to the sandbox's own API that it cannot act on (answered 400)."""


class Fault:
    """A fault for the next ``remaining`` requests (the queue counts them down)."""

    __slots__ = ("mode", "remaining", "retry_after", "delay")

    def __init__(self, mode: str, remaining: int, retry_after: int | None = None, delay: float = 0.0) -> None:
        self.mode, self.remaining, self.retry_after, self.delay = mode, remaining, retry_after, delay

    def public(self) -> dict[str, Any]:
        return {"mode": self.mode, "count": self.remaining, "retry_after": self.retry_after,
                "delay": self.delay}


def _number(data: dict[str, Any], key: str, kind: type, low: float, high: float) -> Any:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{key} must be a number")
    if kind is int and value != int(value):
        raise BadRequest(f"{key} must be a whole number")
    if not low <= value <= high:
        raise BadRequest(f"{key} must be between {low:g} and {high:g}")
    return kind(value)


def parse_fault(data: dict[str, Any]) -> Fault:
    """``{"mode", "count", "retry_after" (429 only), "delay" (delay only)}`` -> Fault."""
    mode = str(data.get("mode", ""))
    if mode not in FAULT_MODES:
        raise BadRequest(f"mode must be one of {', '.join(FAULT_MODES)}")
    count = _number(data, "count", int, 1, 1_000_000) if "count" in data else 1
    fault = Fault(mode, count)
    if mode == "429" and data.get("retry_after") is not None:
        fault.retry_after = _number(data, "retry_after", int, 0, 86_400)
    if mode == "delay":
        fault.delay = _number(data, "delay", float, 0, MAX_FAULT_DELAY)
    return fault


class FaultQueue:
    """Faults for the next requests to Twilio endpoints, taken in the order they were added."""

    __slots__ = ("_lock", "_queue")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._queue.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self) -> Fault | None:
        """Use up one request of the first pending fault."""
        with self._lock:
            if not self._queue:
                return None
            fault = self._queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._queue.popleft()
            return Fault(fault.mode, 1, fault.retry_after, fault.delay)

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.public() for f in self._queue]


class DeliveryOutcome(NamedTuple):
    status: str
    error_code: int
    error_message: str


def parse_outcome(data: dict[str, Any]) -> tuple[str, DeliveryOutcome]:
    """``{"to", "status": undelivered|failed, "error_code": 30xxx}`` -> (number, DeliveryOutcome)."""
    to = data.get("to")
    if not isinstance(to, str) or not to.strip():
        raise BadRequest("to must be a phone number")
    status = data.get("status")
    if status not in FINAL_FAILURES:
        raise BadRequest("status must be undelivered or failed")
    code = _number(data, "error_code", int, 30000, 30999)
    message = data.get("error_message") or delivery_error_message(code)
    return to.strip(), DeliveryOutcome(status, code, str(message))


def parse_outcome_option(text: str) -> tuple[str, DeliveryOutcome]:
    """``NUMBER=STATUS:CODE`` (the ``--outcome`` option) -> (number, DeliveryOutcome)."""
    number, _, rest = text.partition("=")
    status, _, code = rest.partition(":")
    if not number or not code.strip().isdigit():
        raise BadRequest(f"{text!r} is not NUMBER=STATUS:CODE, e.g. +15557654321=undelivered:30007")
    return parse_outcome({"to": number, "status": status.strip(), "error_code": int(code)})


class Outcomes:
    """Numbers whose messages end ``undelivered`` or ``failed`` instead of ``delivered``."""

    __slots__ = ("_lock", "_by_number")

    def __init__(self, initial: dict[str, DeliveryOutcome] | None = None) -> None:
        self._lock = threading.Lock()
        self._by_number = dict(initial or {})

    def set(self, number: str, outcome: DeliveryOutcome) -> None:
        with self._lock:
            self._by_number[number] = outcome

    def get(self, number: str) -> DeliveryOutcome | None:
        with self._lock:
            return self._by_number.get(number)

    def clear(self) -> None:
        with self._lock:
            self._by_number.clear()

    def public(self) -> dict[str, Any]:
        with self._lock:
            return {n: o._asdict() for n, o in self._by_number.items()}


class RequestCounter:
    """Requests seen on Twilio endpoints, by ``"<METHOD> <route>"``."""

    __slots__ = ("_lock", "_counts")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def hit(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
