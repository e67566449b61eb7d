"""The money schemas of the contract, checked as JSON Schemas."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

import spec

VALID_REQUEST_MONEY = ["0", "10", "125.50", "0.001", "9" * 18 + "." + "9" * 18, 0, 10, 10.5, 10**18 - 1]
INVALID_REQUEST_MONEY = [
    "1e3",
    "-5",
    -5,
    -0.01,
    "NaN",
    "Infinity",
    "inf",
    "1,000",
    "",
    " 10",
    "10 ",
    "+10",
    "010",
    "10.",
    ".5",
    "1_000",
    "1" + "0" * 18,
    "0." + "0" * 18 + "1",
    10**18,
    True,
    None,
    [],
]


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec.load_spec()["components"]["schemas"][name]
    return schema


def _is_valid(name: str, value: object) -> bool:
    return Draft202012Validator(_schema(name)).is_valid(value)


@pytest.mark.parametrize("value", VALID_REQUEST_MONEY, ids=repr)
def test_request_money_accepts(value: object) -> None:
    assert _is_valid("MoneyInput", value)


@pytest.mark.parametrize("value", INVALID_REQUEST_MONEY, ids=repr)
def test_request_money_rejects(value: object) -> None:
    assert not _is_valid("MoneyInput", value)


@pytest.mark.parametrize("value", ["0", "1000.00", "1.1"])
def test_response_money_accepts_plain_decimal(value: str) -> None:
    assert _is_valid("Money", value)


@pytest.mark.parametrize("value", [10, 10.5, "-1.0", "1e3", "1E+3", "", " 1"], ids=repr)
def test_response_money_rejects(value: object) -> None:
    assert not _is_valid("Money", value)


@pytest.mark.parametrize("value", ["874.50", "-12.25", "0"])
def test_remaining_may_be_negative(value: str) -> None:
    assert _is_valid("SignedMoney", value)


def test_spend_accepts_sentinel_only_as_negative() -> None:
    assert _is_valid("SpendAmount", "-1.0")
    assert _is_valid("SpendAmount", "125.50")
    assert not _is_valid("SpendAmount", "-1")
    assert not _is_valid("SpendAmount", "-2.0")
    assert not _is_valid("SpendAmount", "-1.00")


def test_python_jsonschema_lets_nan_through() -> None:
    # JSON Schema compares numbers with < and >, and every comparison with NaN is
    # false, so jsonschema cannot keep NaN out. The guards are the JSON text itself
    # (RFC 8259 has no NaN or Infinity), the compiled validator and the mock's parser.
    assert _is_valid("MoneyInput", math.nan)


def test_upper_bound_rejects_infinity() -> None:
    assert not _is_valid("MoneyInput", math.inf)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=repr)
def test_compiled_validator_rejects_non_finite_numbers(value: float) -> None:
    # jsonschema-rs validates the mock's requests, and it cannot represent NaN or inf.
    validator = jsonschema_rs.validator_for(_schema("MoneyInput"))

    assert not validator.is_valid(value)


def test_money_pattern_agrees_with_mock_parser() -> None:
    from mock_server.money import parse_money

    for value in ["0", "10", "125.50"]:
        assert str(parse_money(value)) == value
    for value in ["1e3", "-5", "NaN", "1,000", "", " 10"]:
        with pytest.raises(ValueError, match="invalid money value"):
            parse_money(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), math.nan, math.inf], ids=repr)
def test_mock_parser_rejects_non_finite_numbers(value: object) -> None:
    # The mock decodes JSON numbers as Decimal, so this is the last guard behind
    # jsonschema's blind spot for NaN and inf.
    from mock_server.money import parse_money

    with pytest.raises(ValueError, match="invalid money value"):
        parse_money(value)
