"""Numbers compared as people read them: in decimal, exactly, never in binary floating point.

A float is taken by its shortest repr, which is the number the JSON or YAML wrote (``1.1`` is
1.1, not 1.100000000000000088817841970012523...), an int exactly, however large, and a
string written as a decimal number (``"10.00"``, ``" -3e2 "``) when the caller reads text as
numbers. So ``|1.11 - 1.10|`` is 0.01, within ``tolerance: 0.01``, as the rule reads.

The comparison is exact whatever the size of the numbers: the gap is computed rounded up, at a
precision that holds the bound it is compared with, so "gap <= bound" never errs. NaN and
the infinities (not JSON, but Python's json reads them) are within any tolerance of themselves
only.
"""

from __future__ import annotations

import math
import re
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_CEILING,
    Context,
    Decimal,
    InvalidOperation,
)
from functools import lru_cache
from typing import Any

#: a string that holds a decimal number (white space around it allowed, as in CSV cells)
DECIMAL_TEXT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")
_MIN_PRECISION = 28
# Float arithmetic decides when the gap is farther than this (relative to the magnitudes
# involved) from the bound: 8 times the worst error of reading, subtracting and multiplying.
_MARGIN = 2.0**-50
_TINY = 1e-300  # subnormal numbers: an absolute error term
_EXACT_INTS = 2**53


def as_decimal(value: Any, *, read_text: bool = False) -> Decimal | None:
    """The number ``value`` stands for, or ``None`` (booleans, and text unless ``read_text``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if read_text and isinstance(value, str) and DECIMAL_TEXT.match(value):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # an exponent beyond what any number can have: text it is
            return None
    return None


def is_number(value: Any, *, read_text: bool = False) -> bool:
    """A number, or (``read_text``) a string written as one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return read_text and as_decimal(value, read_text=True) is not None


def numbers_within(
    expected: Any, actual: Any, tolerance: Any = None, relative_tolerance: Any = None
) -> bool:
    """``within`` for two numbers (or strings written as numbers), with a fast path: plain
    floats far enough from the bound are decided in binary, which then agrees with decimal."""
    quick = _decided_in_binary(expected, actual, tolerance, relative_tolerance)
    if quick is not None:
        return quick
    left = as_decimal(expected, read_text=True)
    right = as_decimal(actual, read_text=True)
    if left is None or right is None:
        raise TypeError(f"not numbers: {expected!r}, {actual!r}")
    return within(left, right, tolerance, relative_tolerance)


def _decided_in_binary(
    expected: Any, actual: Any, tolerance: Any, relative_tolerance: Any
) -> bool | None:
    if not (_plain(expected) and _plain(actual)):
        return None
    if tolerance is None and relative_tolerance is None:
        return bool(expected == actual)  # repr is one-to-one: equal floats, equal decimals
    gap = abs(actual - expected)
    verdicts = []
    for bound in (
        tolerance,
        None if relative_tolerance is None else relative_tolerance * abs(expected),
    ):
        if bound is None:
            continue
        slack = (abs(expected) + abs(actual) + gap + bound) * _MARGIN + _TINY
        if not (math.isfinite(gap) and math.isfinite(slack)):
            return None
        if gap < bound - slack:
            return True
        verdicts.append(gap > bound + slack)
    return False if all(verdicts) else None


def _plain(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -_EXACT_INTS < value < _EXACT_INTS
    )


def is_decimal_text(value: Any) -> bool:
    return isinstance(value, str) and DECIMAL_TEXT.match(value) is not None


def within(
    expected: Decimal, actual: Decimal, tolerance: Any = None, relative_tolerance: Any = None
) -> bool:
    """``|actual - expected| <= tolerance``, or ``<= relative_tolerance * |expected|``; with
    neither, the two numbers must be equal."""
    if not (expected.is_finite() and actual.is_finite()):
        if expected.is_nan() or actual.is_nan():
            return expected.is_nan() and actual.is_nan()
        return expected == actual
    absolute = as_decimal(tolerance)
    relative = as_decimal(relative_tolerance)
    if absolute is None and relative is None:
        return expected == actual
    bound_digits = _digits(absolute) if absolute is not None else 0
    if relative is not None:
        bound_digits = max(bound_digits, _digits(relative) + _digits(expected))
    context = _context(max(bound_digits + 1, _MIN_PRECISION))
    gap = context.subtract(max(expected, actual), min(expected, actual))  # rounded up
    if absolute is not None and gap <= absolute:
        return True
    # exact: the precision holds every digit of the product
    return relative is not None and gap <= context.multiply(relative, abs(expected))


def number_text(value: float | int) -> str:
    """A number as written in a rule: ``0.01``, ``1``, ``2.5e-07`` (never ``0.0100000``)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _digits(number: Decimal) -> int:
    return len(number.as_tuple().digits)


@lru_cache(maxsize=64)
def _context(precision: int) -> Context:
    return Context(prec=precision, rounding=ROUND_CEILING, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


def score_text(score: float, minimum: float) -> str:
    """A score beside its minimum: two decimals, or as many as the minimum has, floored."""
    written = f"{minimum:g}"
    places = len(written.split(".", 1)[1]) if "." in written else 0
    return floored(score, max(2, places))


def floored(score: float, places: int) -> str:
    """``score`` with ``places`` decimals, floored: a value just below the minimum never
    reads as equal to it."""
    factor = 10**places
    return f"{math.floor(score * factor + 1e-9) / factor:.{places}f}"
