"""Unit tests of hubsms.otp: code generation, code checks, message rendering, segments."""

from __future__ import annotations

from collections import Counter

import pytest

from hubsms.errors import ExitCode, InvalidValue
from hubsms.model import count_segments, is_gsm7
from hubsms.otp import (
    DEFAULT_TEMPLATE,
    format_validity,
    generate_code,
    render_message,
    template_fields,
    validate_code,
)


@pytest.mark.parametrize("length", [4, 6, 9])
def test_generate_code_returns_that_many_ascii_digits(length: int) -> None:
    code = generate_code(length)
    assert len(code) == length
    assert set(code) <= set("0123456789")


def test_generate_code_defaults_to_six_digits() -> None:
    assert len(generate_code()) == 6


@pytest.mark.parametrize("length", [0, 3, 5, 7, 8, 10, -6])
def test_generate_code_refuses_lengths_signinghub_does_not_use(length: int) -> None:
    with pytest.raises(InvalidValue) as info:
        generate_code(length)
    assert info.value.exit_code == ExitCode.USAGE
    assert "4, 6 or 9" in info.value.hint


def test_generate_code_keeps_leading_zeros() -> None:
    # P(no code of 3000 starts with 0) = 0.9**3000, about 1e-137
    assert any(generate_code(4).startswith("0") for _ in range(3000))


def test_generate_code_draws_digits_uniformly() -> None:
    digits = Counter("".join(generate_code(9) for _ in range(4000)))  # 36,000 digits
    expected = 36000 / 10
    chi_square = sum((digits[d] - expected) ** 2 / expected for d in "0123456789")
    # 9 degrees of freedom: 50 is far beyond p = 1e-6 (27.9 is p = 0.001)
    assert chi_square < 50
    assert len(digits) == 10


def test_generate_code_gives_different_codes() -> None:
    assert len({generate_code(9) for _ in range(50)}) > 45


@pytest.mark.parametrize("code", ["0000", "123456", "0123456789"])
def test_validate_code_accepts_4_to_10_digits(code: str) -> None:
    assert validate_code(code) == code


@pytest.mark.parametrize("code", ["123", "12345678901", "", "12a456", " 123456", "12 34", "١٢٣٤٥٦", "+12345"])
def test_validate_code_refuses_anything_but_4_to_10_ascii_digits(code: str) -> None:
    with pytest.raises(InvalidValue) as info:
        validate_code(code)
    assert info.value.field == "code"
    assert info.value.hint


def test_render_message_uses_the_default_template_without_validity() -> None:
    assert render_message(None, "123456") == "Your SigningHub verification code is 123456."


def test_render_message_default_template_adds_a_validity_sentence() -> None:
    body = render_message(None, "0421", 600)
    assert body == "Your SigningHub verification code is 0421. It expires in 10 minutes."


def test_default_template_contains_the_code_placeholder() -> None:
    assert "{code}" in DEFAULT_TEMPLATE


def test_render_message_fills_code_minutes_and_validity() -> None:
    body = render_message("{code} ok {minutes} min ({validity})", "987654", 90)
    assert body == "987654 ok 2 min (90 seconds)"


def test_render_message_keeps_escaped_braces_literal() -> None:
    assert render_message("{{code}} is {code}", "1234") == "{code} is 1234"


def test_render_message_refuses_a_template_without_code() -> None:
    with pytest.raises(InvalidValue) as info:
        render_message("Your code is ready.", "1234")
    assert "{code}" in info.value.message
    assert "{minutes}" in info.value.hint and "{validity}" in info.value.hint


@pytest.mark.parametrize("template", ["{code} {name}", "{code} {}", "{code} {0}", "{code:>8}", "{code!r}", "{code.real}"])
def test_render_message_refuses_unknown_placeholders_with_a_hint_listing_the_allowed(template: str) -> None:
    with pytest.raises(InvalidValue) as info:
        render_message(template, "1234")
    assert "placeholder" in info.value.message
    assert "{code}" in info.value.hint


@pytest.mark.parametrize("template", ["{code", "code}", "{code} }", "{code} {"])
def test_render_message_refuses_unbalanced_braces(template: str) -> None:
    with pytest.raises(InvalidValue) as info:
        render_message(template, "1234")
    assert "brace" in info.value.message
    assert "{{" in info.value.hint


def test_render_message_refuses_minutes_without_a_validity() -> None:
    with pytest.raises(InvalidValue) as info:
        render_message("{code} valid {minutes} min", "1234")
    assert "{minutes}" in info.value.message


@pytest.mark.parametrize("validity", [0, -5, 36001])
def test_render_message_refuses_a_validity_outside_twilio_range(validity: int) -> None:
    with pytest.raises(InvalidValue) as info:
        render_message(None, "1234", validity)
    assert info.value.field == "validity"


def test_render_message_refuses_a_bad_code() -> None:
    with pytest.raises(InvalidValue):
        render_message(None, "12ab")


def test_render_message_accepts_exactly_1600_characters() -> None:
    template = "{code}" + "x" * (1600 - 4)
    assert len(render_message(template, "1234")) == 1600


def test_render_message_refuses_a_body_over_1600_characters() -> None:
    with pytest.raises(InvalidValue) as info:
        render_message("{code}" + "x" * (1600 - 3), "1234")
    assert "1601" in info.value.message


def test_template_fields_lists_the_placeholders_used() -> None:
    assert template_fields("{code} {validity} {code}") == {"code", "validity"}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(60, "1 minute"), (600, "10 minutes"), (1, "1 second"), (90, "90 seconds")],
)
def test_format_validity_says_minutes_when_whole(seconds: int, words: str) -> None:
    assert format_validity(seconds) == words


def test_minutes_placeholder_rounds_up() -> None:
    assert render_message("{code} {minutes}", "1234", 61) == "1234 2"


def test_count_segments_is_one_for_160_gsm_characters() -> None:
    assert count_segments("a" * 160) == 1


def test_count_segments_uses_153_per_part_beyond_160_gsm_characters() -> None:
    assert count_segments("a" * 161) == 2
    assert count_segments("a" * 306) == 2
    assert count_segments("a" * 307) == 3


def test_count_segments_counts_gsm_extension_characters_twice() -> None:
    assert count_segments("€" * 80) == 1
    assert count_segments("€" * 81) == 2


def test_count_segments_never_splits_an_escape_pair() -> None:
    # 152 single septets then a two-septet euro: it cannot fit in the first 153-septet part
    assert count_segments("a" * 152 + "€" + "a" * 152) == 3


def test_count_segments_switches_to_ucs2_for_other_characters() -> None:
    assert count_segments("é" * 160) == 1  # é is in GSM-7
    assert count_segments("ę" * 70) == 1
    assert count_segments("ę" * 71) == 2
    assert count_segments("ę" * 134) == 2
    assert count_segments("ę" * 135) == 3


def test_count_segments_counts_an_emoji_as_two_ucs2_units() -> None:
    assert count_segments("😀" * 35) == 1
    assert count_segments("😀" * 36) == 2


def test_is_gsm7_tells_gsm_from_unicode() -> None:
    assert is_gsm7("Your code is 1234. [ok] €")
    assert not is_gsm7("Ваш код 1234")


def test_count_segments_of_the_default_message_is_one() -> None:
    assert count_segments(render_message(None, generate_code(9), 36000)) == 1
