"""Money parsing and formatting: what requests may send and what responses show."""

import json
from decimal import Decimal

import pytest

from mock_server.money import add_money, exceeds_limit, format_money, parse_money, subtract_money

VALID = [
    ("0", Decimal("0")),
    ("10", Decimal("10")),
    ("125.50", Decimal("125.50")),
    (10, Decimal("10")),
    (0, Decimal("0")),
    (Decimal("10.5"), Decimal("10.5")),
    (Decimal("1E+3"), Decimal("1000")),
    ("999999999999999999.999999999999999999", Decimal("999999999999999999.999999999999999999")),
]

INVALID = [
    "1e3",
    "-5",
    -5,
    "NaN",
    "1,000",
    "",
    " 10",
    "10 ",
    "01",
    ".5",
    "5.",
    "+5",
    "Infinity",
    True,
    False,
    None,
    float("nan"),
    float("inf"),
    1.5,
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-0.01"),
    "1" * 19,
    "0." + "1" * 19,
    Decimal("1E+18"),
    [],
    {"amount": "1"},
]


@pytest.mark.parametrize(("value", "expected"), VALID, ids=repr)
def test_parse_money_accepts_valid_value(value: object, expected: Decimal) -> None:
    assert parse_money(value) == expected


@pytest.mark.parametrize("value", INVALID, ids=repr)
def test_parse_money_rejects_invalid_value(value: object) -> None:
    with pytest.raises(ValueError, match="expected a non-negative JSON number or a decimal string") as caught:
        parse_money(value)
    assert repr(value) in str(caught.value)


def test_parse_money_rejects_every_float() -> None:
    # JSON is parsed with parse_float=Decimal, so a float here is a caller bug, not input.
    with pytest.raises(ValueError, match=r"invalid money value 0\.1"):
        parse_money(0.1)


def test_parse_money_keeps_scale() -> None:
    assert format_money(parse_money("125.50")) == "125.50"
    assert format_money(parse_money(Decimal("1.10"))) == "1.10"
    assert format_money(parse_money("1.1")) == "1.1"


def test_int_and_string_nine_equal() -> None:
    from_int = parse_money(9)
    from_string = parse_money("9")

    assert from_int == from_string
    assert format_money(from_int) == format_money(from_string) == "9"


def test_negative_zero_becomes_zero() -> None:
    parsed = parse_money(Decimal("-0.00"))

    assert not parsed.is_signed()
    assert format_money(parsed) == "0.00"


def test_zero_with_exponent_is_zero() -> None:
    assert format_money(parse_money(Decimal("0E+30"))) == "0"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1.1"), "1.1"),
        (Decimal("9"), "9"),
        (Decimal("-20"), "-20"),
        (Decimal("-1.0"), "-1.0"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.5E+2"), "150"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0"), "0"),
        (Decimal("0.00"), "0.00"),
    ],
    ids=str,
)
def test_format_money_is_fixed_point(amount: Decimal, text: str) -> None:
    assert format_money(amount) == text


def test_add_money_is_exact_beyond_default_precision() -> None:
    # The default decimal context keeps 28 digits; 36 digits must survive unrounded.
    large = Decimal("999999999999999999.999999999999999999")

    total = add_money(large, Decimal("0.000000000000000001"))

    assert total == Decimal("1000000000000000000.000000000000000000")
    assert format_money(total) == "1000000000000000000.000000000000000000"


def test_subtract_money_goes_negative() -> None:
    assert format_money(subtract_money(Decimal("100"), Decimal("120.00"))) == "-20.00"


def test_exceeds_limit_at_nineteen_digits() -> None:
    assert exceeds_limit(Decimal("999999999999999999.999999999999999999")) is False
    assert exceeds_limit(Decimal("1000000000000000000")) is True
    assert exceeds_limit(Decimal("1999999999999999998")) is True


def test_json_number_keeps_every_digit() -> None:
    # JSON Schema cannot bound a number's digits, so the smallest double must be accepted exactly.
    amount = parse_money(json.loads("5e-324", parse_float=Decimal))

    assert amount == Decimal("5e-324")
    assert format_money(amount) == "0." + "0" * 323 + "5"


def test_json_number_past_digit_cap_rejected() -> None:
    with pytest.raises(ValueError, match="too large or too precise"):
        parse_money(json.loads("1e-401", parse_float=Decimal))


def test_string_past_eighteen_fraction_digits_rejected() -> None:
    with pytest.raises(ValueError, match="too large or too precise"):
        parse_money("0." + "1" * 19)
