"""Single values under one rule: types, tolerance, text, regex."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.compare.compiled import ResolvedRule
from evalkit.compare.rules import TextNormalisation as T
from evalkit.compare.scorers import judged_ok
from evalkit.compare.user_regex import compile_user_regex
from evalkit.compare.values import (
    compare_scalar,
    identical,
    json_type,
    normalise_text,
    within_tolerance,
)

PLAIN = ResolvedRule()
ABS = ResolvedRule(tolerance=0.01)
REL = ResolvedRule(relative_tolerance=0.1)
NUM = ResolvedRule(tolerance=0.01, strings_as_numbers=True)
TEXT_NUM = ResolvedRule(strings_as_numbers=True)
CASE = ResolvedRule(text=(T.CASEFOLD,))
CODE = ResolvedRule(regex=compile_user_regex(r"[A-Z]{3}-\d+"))


@pytest.mark.parametrize(
    ("rule", "expected", "actual", "outcome"),
    [
        (PLAIN, 1, 1, "match"),
        (PLAIN, 1, 1.0, "match"),  # one JSON number
        (PLAIN, 1, 2, "changed"),
        (PLAIN, True, 1, "type_changed"),  # never equal, although Python says True == 1
        (PLAIN, 0, False, "type_changed"),
        (PLAIN, None, 0, "type_changed"),
        (PLAIN, None, None, "match"),
        (PLAIN, "a", "A", "changed"),
        (PLAIN, "1", 1, "type_changed"),
        (PLAIN, {"a": 1}, [1], "type_changed"),
        (ABS, 10.0, 10.005, "excused"),
        (ABS, 10.0, 10.02, "changed"),
        (ABS, 10.0, 10.0, "match"),
        (ABS, "10.00", "10.004", "excused"),  # numbers written as text, under a numeric rule
        (ABS, 10, "10.004", "type_changed"),  # the tolerance forgives the amount, not the type
        (NUM, 10, "10.004", "excused"),  # ...unless strings are read as numbers
        (NUM, "10.004", 10, "excused"),
        (NUM, 10, "10.02", "changed"),
        (NUM, "10.00", "ten", "changed"),
        (TEXT_NUM, 5, "5.00", "excused"),  # equal numbers, one written as text
        (TEXT_NUM, "5", "5.00", "excused"),
        (TEXT_NUM, "5", "5.01", "changed"),
        (TEXT_NUM, 5, True, "type_changed"),
        (ABS, "ten", 10, "type_changed"),
        (ABS, "ten", "10", "changed"),
        (ABS, "ten", "eleven", "changed"),
        (ABS, True, 1, "type_changed"),
        (PLAIN, "10.00", "10.004", "changed"),  # no numeric rule: text is text
        (REL, 100, 109, "excused"),
        (REL, 100, 111, "changed"),
        (REL, 0, 0.001, "changed"),  # relative to 0 allows nothing
        (CASE, "ACME Corp", "acme corp", "excused"),
        (CASE, "ACME", "ACMEE", "changed"),
        (CASE, "Straße", "STRASSE", "excused"),  # casefold, not lower
    ],
)
def test_compare_scalar(rule: ResolvedRule, expected: Any, actual: Any, outcome: str) -> None:
    assert compare_scalar(rule, expected, actual) == outcome


@pytest.mark.parametrize(
    ("expected", "actual", "accepted"),
    [
        ("anything", "ABC-12", True),  # the regex judges the actual value alone
        ("ABC-12", "ABC-12x", False),  # full match
        ("ABC-12", 12, False),
    ],
)
def test_a_regex_judges_the_actual_value_alone(expected: Any, actual: Any, accepted: bool) -> None:
    assert judged_ok(CODE, expected, actual) is accepted


@pytest.mark.parametrize(
    ("text", "normalisations", "result"),
    [
        ("  A  b\t\nC ", (T.WHITESPACE,), " A b C "),
        ("  A  b ", (T.STRIP,), "A  b"),
        ("  A  b ", (T.CASEFOLD, T.STRIP, T.WHITESPACE), "a b"),
        ("  A  b ", (T.WHITESPACE, T.STRIP, T.CASEFOLD), "a b"),  # order as written is irrelevant
        ("x", (), "x"),
    ],
)
def test_normalise_text(text: str, normalisations: tuple[T, ...], result: str) -> None:
    assert normalise_text(text, normalisations) == result


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 10, allow_nan=False),
)
def test_absolute_tolerance_is_symmetric(left: float, right: float, tolerance: float) -> None:
    rule = ResolvedRule(tolerance=tolerance)
    assert within_tolerance(rule, left, right) == within_tolerance(rule, right, left)
    assert compare_scalar(rule, left, right) == compare_scalar(rule, right, left)


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0, 10, allow_nan=False))
def test_a_number_is_within_any_tolerance_of_itself(value: float, tolerance: float) -> None:
    assert within_tolerance(ResolvedRule(tolerance=tolerance), value, value)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ({"a": [1, True]}, {"a": [1, True]}, True),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ({"a": True}, {"a": 1}, False),
        ([1], [1.0], False),  # conservative: equal numbers, different text; compared in full
        ("x", "x", True),
    ],
)
def test_identical(left: Any, right: Any, same: bool) -> None:
    assert identical(left, right) is same


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "number"),
        (1.5, "number"),
        ("s", "string"),
        ({}, "object"),
        ([], "array"),
    ],
)
def test_json_type(value: Any, name: str) -> None:
    assert json_type(value) == name
