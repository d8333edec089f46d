"""Twilio's rules as the sandbox plays them, tested on the pure functions."""

from __future__ import annotations

import email.utils

import pytest

from hubsms.model import count_segments
from hubsms.sandbox.state import BadRequest, parse_fault, parse_outcome_option
from hubsms.sandbox.twilio import (
    TwilioError,
    find_code,
    new_message_sid,
    rfc2822,
    status_steps,
    validate_create,
)


def form(**values: str) -> dict[str, list[str]]:
    base = {"To": "+15551234567", "From": "+15005550006", "Body": "hi"}
    base.update({k.replace("from_", "From"): v for k, v in values.items()})
    return {k: [v] for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("é" * 160, 1),  # é is in the GSM-7 basic set
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("ж" * 134, 2),
        ("ж" * 135, 3),
        ("👍" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("👍" * 36, 2),
    ],
)
def test_segments_are_counted_as_twilio_does(body: str, segments: int) -> None:
    assert count_segments(body) == segments


def test_an_escape_pair_is_never_split_across_segments() -> None:
    # 152 plain characters then one '€' (2 septets) overflow the first 153-septet segment.
    assert count_segments("a" * 152 + "€" + "a" * 10) == 2
    assert count_segments("a" * 152 + "€" + "a" * 153) == 3


def test_dates_are_rfc_2822_with_plus_zero_offset() -> None:
    assert rfc2822(1692853305) == "Thu, 24 Aug 2023 05:01:45 +0000"
    parsed = email.utils.parsedate_to_datetime(rfc2822(0))
    assert parsed.timestamp() == 0


def test_message_sids_are_sm_and_32_hex_and_unique() -> None:
    sids = {new_message_sid() for _ in range(100)}
    assert len(sids) == 100
    assert all(s.startswith("SM") and len(s) == 34 and int(s[2:], 16) >= 0 for s in sids)
    assert new_message_sid(media=True).startswith("MM")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Your code is 123456", "123456"),
        ("1234 then 5678", "1234"),
        ("code 123", None),
        ("call +15551234567 for 987654", "987654"),  # 11 digits are not a code
        ("", None),
        ("id 12345678901 code 0042", "0042"),
    ],
)
def test_the_otp_code_is_the_first_run_of_4_to_10_digits(body: str, code: str | None) -> None:
    assert find_code(body) == code


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"To": None}, 21604),
        ({"To": ""}, 21604),
        ({"To": "5551234"}, 21211),
        ({"To": "+0123456789"}, 21211),
        ({"To": "+15005550001"}, 21211),
        ({"To": "+15005550002"}, 21612),
        ({"To": "+15005550003"}, 21408),
        ({"To": "+15005550004"}, 21610),
        ({"To": "+15005550009"}, 21614),
        ({"from_": None}, 21603),
        ({"from_": "+15005550001"}, 21212),
        ({"from_": "+15005550007"}, 21606),
        ({"from_": "+15005550008"}, 21611),
        ({"from_": "+15005550000"}, 21606),
        ({"from_": "not a number!"}, 21212),
        ({"from_": "123"}, 21212),
        ({"Body": None}, 21602),
        ({"Body": ""}, 21602),
        ({"Body": "x" * 1601}, 21617),
        ({"from_": None, "MessagingServiceSid": "MG123"}, 21705),
        ({"from_": None, "MessagingServiceSid": "MG" + "a" * 32, "Body": None}, 21619),
    ],
)
def test_create_is_refused_with_twilios_code(values: dict[str, str | None], code: int) -> None:
    with pytest.raises(TwilioError) as caught:
        validate_create(form(**values))
    assert caught.value.code == code
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "values",
    [
        {"To": "+15005550006"},  # To magic numbers not listed are ordinary numbers
        {"To": "+447700900123"},
        {"from_": "+15557654321"},  # every number but the magic ones is a real one
        {"from_": "12345"},  # short code
        {"from_": "SigningHub"},  # alphanumeric sender ID
        {"Body": "x" * 1600},
        {"from_": None, "MessagingServiceSid": "MG" + "a" * 32},
    ],
)
def test_create_accepts_valid_requests(values: dict[str, str | None]) -> None:
    assert validate_create(form(**values)).to


def test_a_plus_sent_unencoded_by_curl_is_read_back_as_plus() -> None:
    new = validate_create({"To": [" 15551234567"], "From": [" 15005550006"], "Body": ["x"]})
    assert (new.to, new.from_) == ("+15551234567", "+15005550006")


def test_status_steps_follow_twilios_lifecycle() -> None:
    assert status_steps(False, "delivered") == ("queued", "sending", "sent", "delivered")
    assert status_steps(True, "undelivered") == ("accepted", "queued", "sending", "sent", "undelivered")
    assert status_steps(False, "failed") == ("queued", "failed")


def test_outcome_option_is_number_status_code() -> None:
    number, outcome = parse_outcome_option("+15557654321=undelivered:30007")
    assert number == "+15557654321"
    assert (outcome.status, outcome.error_code, outcome.error_message) == ("undelivered", 30007, "Message filtered")


@pytest.mark.parametrize("text", ["+1555", "+1555=delivered:30007", "+1555=failed:200", "+1555=failed:x"])
def test_bad_outcome_options_are_refused(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_outcome_option(text)


@pytest.mark.parametrize(
    "data",
    [{"mode": "teapot"}, {"mode": "429", "count": 0}, {"mode": "delay"}, {"mode": "429", "retry_after": "soon"},
     {"mode": "500", "count": 1.5}, {"mode": "delay", "delay": -1}],
)
def test_bad_faults_are_refused(data: dict) -> None:
    with pytest.raises(BadRequest):
        parse_fault(data)
