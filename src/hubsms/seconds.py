"""One reading of "a number of seconds", from a flag or an environment variable.

Every duration hubsms takes (timeouts, the send deadline, lock and keyring waits) goes through
``parse_seconds`` or ``check_seconds``: a finite number in a closed range, or a one-line error
naming where the value came from. ``float()`` alone accepts "nan" and "inf", which then break
comparisons and sleeps far from where they were given.
"""

from __future__ import annotations

from hubsms.errors import HubsmsError, InvalidValue

# The shortest duration worth waiting for: keeps "more than 0" a closed range.
SMALLEST: float = 0.001
MAX_SECONDS: float = 600.0  # for one connection or one answer
MAX_WAIT_SECONDS: float = 86400.0  # for a delivery report


def parse_seconds(
    text: str, source: str, *, lowest: float, highest: float,
    error: type[HubsmsError] = InvalidValue, example: str | None = None,
) -> float:
    """Read ``text`` as seconds from ``lowest`` to ``highest`` (both included).

    ``source`` names the flag or environment variable in the message. Raises ``error``
    (InvalidValue, exit 2, unless the caller says ConfigError) for a non-number, nan, inf, or
    a value out of range.
    """
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    return _in_range(value, text, source, lowest, highest, error, example)


def check_seconds(
    value: float | None, source: str, lowest: float, highest: float,
    error: type[HubsmsError] = InvalidValue, example: str | None = None,
) -> float | None:
    """``value`` when it is None or finite seconds from ``lowest`` to ``highest``, else ``error``."""
    if value is None:
        return None
    return _in_range(value, value, source, lowest, highest, error, example)


def _in_range(
    value: float, given: object, source: str, lowest: float, highest: float,
    error: type[HubsmsError], example: str | None,
) -> float:
    if lowest <= value <= highest:  # false for nan; inf is above any finite highest
        return value
    shown = given if isinstance(given, str) else f"{given:g}"
    message = f"{source} must be seconds from {lowest:g} to {highest:g}, got {shown!r}"
    hint = f"e.g. {example}" if example else f"give a number of seconds, e.g. {min(highest, 30):g}."
    if issubclass(error, InvalidValue):
        raise error(source, message, hint)
    raise error(message, hint)
