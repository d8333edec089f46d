"""hubsms.seconds: one reading of a number of seconds, used by the Twilio client's
HUBSMS_TIMEOUT and HUBSMS_DEADLINE and meant for every other duration hubsms reads."""

from __future__ import annotations

import math

import pytest

from hubsms.errors import ConfigError, ExitCode, InvalidValue
from hubsms.seconds import check_seconds, parse_seconds
from hubsms.twilio.limits import parse_timeouts


@pytest.mark.parametrize(("text", "value"), [("5", 5.0), (" 2.5 ", 2.5), ("1e1", 10.0), ("0", 0.0), ("60", 60.0)])
def test_parse_seconds_reads_numbers_in_range(text: str, value: float) -> None:
    assert parse_seconds(text, "--wait", lowest=0, highest=60) == value


@pytest.mark.parametrize("text", ["", "abc", "nan", "NaN", "inf", "-inf", "Infinity", "-0.5", "60.01", "1e400", "5s"])
def test_parse_seconds_refuses_what_is_not_finite_seconds_in_range(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_seconds(text, "HUBSMS_LOCK_TIMEOUT", lowest=0, highest=60)
    err = info.value
    assert err.exit_code == ExitCode.USAGE and err.field == "HUBSMS_LOCK_TIMEOUT"
    assert err.message == f"HUBSMS_LOCK_TIMEOUT must be seconds from 0 to 60, got {text!r}"
    assert err.hint


def test_parse_seconds_can_raise_a_config_error_with_an_example() -> None:
    with pytest.raises(ConfigError) as info:
        parse_seconds("nan", "timeout in the file", lowest=1, highest=10, error=ConfigError, example="5")
    assert info.value.exit_code == ExitCode.CONFIG
    assert info.value.hint == "e.g. 5"


def test_check_seconds_passes_none_and_values_in_range() -> None:
    assert check_seconds(None, "--timeout", 0.001, 600) is None
    assert check_seconds(600.0, "--timeout", 0.001, 600) == 600.0


@pytest.mark.parametrize("value", [0.0, -1.0, math.nan, math.inf, 600.5])
def test_check_seconds_refuses_values_out_of_range(value: float) -> None:
    with pytest.raises(InvalidValue) as info:
        check_seconds(value, "--read-timeout", 0.001, 600)
    assert info.value.message.startswith("--read-timeout must be seconds from 0.001 to 600, got ")


@pytest.mark.parametrize("text", ["nan,5", "5,inf", "0,1"])
def test_parse_timeouts_refuses_each_part_naming_the_variable(text: str) -> None:
    with pytest.raises(InvalidValue) as info:
        parse_timeouts(text)
    assert info.value.message.startswith("HUBSMS_TIMEOUT must be seconds")
