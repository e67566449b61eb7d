"""Money values: parsing request input and formatting responses.

Money is always `decimal.Decimal`. A binary float cannot hold 0.1 exactly, and a
billing caller that compares `remaining < 0` must see the exact difference, so
this module rejects `float` input outright instead of converting it. The HTTP
layer parses JSON with `parse_float=Decimal`, so a JSON number such as `10.50`
arrives here as `Decimal("10.50")` and keeps its scale.

Sizes are bounded so that arithmetic stays exact: at most `MAX_INTEGER_DIGITS`
digits before the decimal point, and after it at most `MAX_FRACTION_DIGITS` in a
decimal string (as the spec's pattern requires) or `MAX_NUMBER_FRACTION_DIGITS` in a
JSON number. JSON Schema cannot bound a number's digits, so the mock accepts every
number the schema accepts: the shortest spelling of any IEEE 754 double, such as
`5e-324`, has fewer than 350 digits after the point. Every sum and difference runs
in `MONEY_CONTEXT`, whose precision covers the sum of far more values of that size
than a store can hold, and which raises instead of rounding if that ever stops
being true.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, Inexact, InvalidOperation

MAX_INTEGER_DIGITS = 18
MAX_FRACTION_DIGITS = 18
MAX_NUMBER_FRACTION_DIGITS = 400
# Every stored quota and spend stays below this, so a value the mock returns can be sent back.
MONEY_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS

# 18 + 400 digits per value plus headroom for sums of up to 10**80 values.
MONEY_CONTEXT = Context(prec=500, traps=[Inexact, InvalidOperation])

MONEY_STRING_PATTERN = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"
_MONEY_STRING = re.compile(MONEY_STRING_PATTERN)

EXPECTED_FORM = (
    'a non-negative JSON number or a decimal string such as "125.50" '
    f"(pattern {MONEY_STRING_PATTERN}, at most {MAX_INTEGER_DIGITS} digits before "
    f"and {MAX_FRACTION_DIGITS} after the point in a string)"
)


def parse_money(value: object) -> Decimal:
    """Convert a request money value to `Decimal`, keeping its scale.

    Accepted: `int` (not `bool`), a finite non-negative `Decimal`, or a string
    matching `MONEY_STRING_PATTERN`. Everything else, `float` included, raises
    `ValueError` naming the value and the expected form.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"invalid money value {value!r}: expected {EXPECTED_FORM}")
    if isinstance(value, int):
        return _check_amount(Decimal(value), value, MAX_NUMBER_FRACTION_DIGITS)
    if isinstance(value, Decimal):
        return _check_amount(value, value, MAX_NUMBER_FRACTION_DIGITS)
    if isinstance(value, str) and _MONEY_STRING.fullmatch(value):
        return _check_amount(Decimal(value), value, MAX_FRACTION_DIGITS)
    raise ValueError(f"invalid money value {value!r}: expected {EXPECTED_FORM}")


def _check_amount(amount: Decimal, original: object, max_fraction_digits: int) -> Decimal:
    """Reject non-finite, negative and oversized amounts; turn -0 into 0."""
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"invalid money value {original!r}: expected {EXPECTED_FORM}")
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, so never 'n', 'N' or 'F'
    if amount.is_zero():
        # "0e30" is a valid JSON zero; its exponent must not count as digits.
        return amount.copy_abs() if exponent <= 0 else Decimal(0)
    integer_digits = len(digits) + exponent
    fraction_digits = max(0, -exponent)
    if integer_digits > MAX_INTEGER_DIGITS or fraction_digits > max_fraction_digits:
        raise ValueError(f"money value {original!r} is too large or too precise: expected {EXPECTED_FORM}")
    return amount


def format_money(amount: Decimal) -> str:
    """Format `amount` in fixed-point notation, keeping its scale.

    `Decimal("1.10")` gives `"1.10"`, `Decimal("1E+3")` gives `"1000"` and a
    negative zero gives `"0"`. Negative values keep their sign, as `remaining`
    and the `"-1.0"` spend sentinel need.
    """
    if amount.is_zero():
        amount = amount.copy_abs()
    return format(amount, "f")


def exceeds_limit(amount: Decimal) -> bool:
    """Tell whether a computed sum has more than `MAX_INTEGER_DIGITS` digits before the point."""
    return amount >= MONEY_LIMIT


def describe_limit() -> str:
    """Return the money bound in words, for error messages."""
    return f"below 10^{MAX_INTEGER_DIGITS} (at most {MAX_INTEGER_DIGITS} digits before the point)"


def add_money(left: Decimal, right: Decimal) -> Decimal:
    """Return `left + right` exactly, raising `decimal.Inexact` rather than rounding."""
    return MONEY_CONTEXT.add(left, right)


def subtract_money(left: Decimal, right: Decimal) -> Decimal:
    """Return `left - right` exactly, raising `decimal.Inexact` rather than rounding."""
    return MONEY_CONTEXT.subtract(left, right)
