"""The pure rules of messages lookup: --since, --status, OTP masking, Twilio's times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hubsms.errors import InvalidValue
from hubsms.service.messages import (
    iso_time,
    mask_codes,
    parse_since,
    parse_statuses,
    summarize,
)

NOW = datetime(2024, 5, 2, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "back"), [
    ("30m", timedelta(minutes=30)), ("24h", timedelta(hours=24)), ("7d", timedelta(days=7)),
    (" 2W ", timedelta(weeks=2)), ("90s", timedelta(seconds=90)),
])
def test_since_durations_count_back_from_now(text, back):
    assert parse_since(text, NOW) == NOW - back


@pytest.mark.parametrize(("text", "moment"), [
    ("2024-05-01", datetime(2024, 5, 1, tzinfo=timezone.utc)),
    ("2024-05-01T09:30:00Z", datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)),
    ("2024-05-01T09:30:00+02:00", datetime(2024, 5, 1, 7, 30, tzinfo=timezone.utc)),
    ("2024-05-01 09:30", datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)),
])
def test_since_dates_are_utc_unless_they_say_otherwise(text, moment):
    assert parse_since(text, NOW) == moment


@pytest.mark.parametrize("text", ["", "h", "-1h", "1.5h", "2024-05-03", "01/05/2024", "3661w"])
def test_since_refuses_what_is_not_a_past_time(text):
    with pytest.raises(InvalidValue):
        parse_since(text, NOW)


def test_statuses_are_known_ones_any_case():
    assert parse_statuses("Failed, undelivered,") == {"failed", "undelivered"}
    for text in (",", "failed,bounced"):
        with pytest.raises(InvalidValue):
            parse_statuses(text)


@pytest.mark.parametrize(("body", "masked"), [
    ("Your code is 123456", "Your code is ******"),
    ("1234 and 12345678901", "**** and 12345678901"),
    ("Room 123, code 0042-99", "Room 123, code ****-99"),
    ("no digits", "no digits"),
])
def test_runs_of_4_to_10_digits_are_masked(body, masked):
    assert mask_codes(body) == masked


def test_twilio_times_become_iso_utc():
    assert iso_time("Thu, 24 Aug 2023 05:01:45 +0200") == "2023-08-24T03:01:45Z"
    assert iso_time(None) is None
    assert iso_time("not a date") == "not a date"


def test_a_failure_without_a_code_is_still_explained():
    row = summarize({"sid": "SM" + "0" * 32, "status": "failed", "error_code": None, "body": "x"})
    assert row["error_explained"] == "no error code given"
    assert "Twilio console" in row["advice"]
