"""Twilio's codes in words: every code hubsms explains has a meaning, what to do, and its
Twilio link, in one table that docs/twilio.md lists; a message that ended failed says both."""

from __future__ import annotations

import re

import pytest
from helpers import REPO

from hubsms.errors import DeliveryFailed, ExitCode
from hubsms.twilio.client import check_delivery
from hubsms.twilio.codes import (
    CODES,
    delivery_advice,
    describe_delivery_error,
    error_code,
)

REQUEST = [21211, 21408, 21606, 21608, 21610, 21612, 21614, 21659, 21660, 21661, 20003, 20403, 21704]
DELIVERY = [30001, 30002, 30003, 30004, 30005, 30006, 30007, 30008, 30010, 30032, 30034, 30044]
DOC = REPO / "docs" / "twilio.md"


@pytest.mark.parametrize("code", REQUEST + DELIVERY)
def test_each_required_code_has_words_and_a_next_step(code: int) -> None:
    entry = CODES[code]
    assert len(entry.words) > 10 and len(entry.step) > 10
    assert describe_delivery_error(code) == f"{entry.words} (error {code}, https://www.twilio.com/docs/api/errors/{code})"
    assert delivery_advice(code) == entry.step


def test_docs_twilio_md_lists_every_code_of_the_table_and_only_those() -> None:
    rows = re.findall(r"^\| (\d{5}) \| (.+?) \| (.+?) \| (\S+) \|$", DOC.read_text(), re.M)
    assert sorted(int(code) for code, *_ in rows) == sorted(CODES)
    for code, words, step, url in rows:
        entry = CODES[int(code)]
        assert (words, step) == (entry.words, entry.step.replace("|", "\\|")), code
        assert url == f"https://www.twilio.com/docs/api/errors/{code}"


def test_the_description_is_the_meaning_and_link_only() -> None:
    assert describe_delivery_error(30003) == (
        "unreachable destination handset (switched off, out of coverage or roaming) "
        "(error 30003, https://www.twilio.com/docs/api/errors/30003)"
    )


def test_an_unknown_code_still_gets_its_link_and_a_pointer() -> None:
    assert describe_delivery_error(30999) == "delivery error (error 30999, https://www.twilio.com/docs/api/errors/30999)"
    assert "error dictionary" in delivery_advice(30999) and "Twilio console" in delivery_advice(30999)
    assert "Twilio console" in delivery_advice(None) and "error dictionary" not in delivery_advice(None)


@pytest.mark.parametrize("value", [True, False, "30003", 30003.0, None])
def test_only_an_int_is_an_error_code(value: object) -> None:
    assert error_code(value) is None
    assert error_code(30003) == 30003


def test_a_failed_message_names_the_error_and_what_to_do() -> None:
    message = {"sid": "SM" + "0" * 32, "to": "+14155552671", "status": "undelivered", "error_code": 30005}
    with pytest.raises(DeliveryFailed) as info:
        check_delivery(message)
    assert info.value.exit_code == ExitCode.DELIVERY_FAILED
    assert "unknown destination handset" in info.value.message and "30005" in info.value.message
    assert info.value.hint == CODES[30005].step


def test_a_failed_message_without_a_code_keeps_the_general_hint() -> None:
    with pytest.raises(DeliveryFailed) as info:
        check_delivery({"sid": "SM" + "0" * 32, "status": "failed", "error_code": None})
    assert "no error code given" in info.value.message
    assert "Twilio console" in info.value.hint


def test_a_delivered_message_passes() -> None:
    check_delivery({"status": "delivered", "error_code": None})
