"""Compiled validators: exact Decimal checks and FastAPI-shaped errors."""

from __future__ import annotations

from decimal import Decimal

from mock_server.validation import SchemaValidator

COMPONENTS = {"schemas": {"Money": {"type": "number", "minimum": 0}}}


def money_validator() -> SchemaValidator:
    return SchemaValidator({"$ref": "#/components/schemas/Money"}, COMPONENTS, "#/test")


def test_decimal_below_zero_by_tiny_amount_rejected() -> None:
    assert not money_validator().is_valid(Decimal("-0.0000000000000000000001"))


def test_decimal_beyond_float_range_checked_exactly() -> None:
    assert money_validator().is_valid(Decimal("1E+400"))
    assert not money_validator().is_valid(Decimal("-1E+400"))


def test_exclusive_bound_compares_without_rounding() -> None:
    validator = SchemaValidator({"type": "number", "exclusiveMaximum": 1}, {}, "#/t")

    assert validator.is_valid(Decimal("0.99999999999999999999"))
    assert not validator.is_valid(Decimal("1.00000000000000000001"))


def test_decimal_is_not_a_string() -> None:
    validator = SchemaValidator({"type": "string"}, {}, "#/t")

    assert not validator.is_valid(Decimal("1"))


def test_missing_field_reported_like_fastapi() -> None:
    validator = SchemaValidator({"type": "object", "required": ["quota"]}, {}, "#/t")

    errors = validator.errors({}, ("body",))

    assert errors == [{"type": "missing", "loc": ["body", "quota"], "msg": "Field required", "input": None}]


def test_pattern_error_names_pattern_and_input() -> None:
    validator = SchemaValidator({"properties": {"id": {"pattern": "^[a-z]+$"}}}, {}, "#/t")

    [error] = validator.errors({"id": "A/B"}, ("body",))

    assert error["type"] == "string_pattern_mismatch"
    assert error["loc"] == ["body", "id"]
    assert error["input"] == "A/B"
    assert error["ctx"] == {"pattern": "^[a-z]+$"}


def test_first_violation_names_schema_location() -> None:
    message = money_validator().first_violation(Decimal("-1"))

    assert message is not None
    assert "#/components/schemas/Money/minimum" in message


def test_first_violation_none_when_valid() -> None:
    assert money_validator().first_violation(Decimal("2.50")) is None


def test_uri_format_asserted() -> None:
    validator = SchemaValidator({"type": "string", "format": "uri"}, {}, "#/t")

    assert validator.is_valid("https://example.test/hook")
    assert not validator.is_valid("not a uri")
