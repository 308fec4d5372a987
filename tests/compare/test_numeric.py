"""Tolerances in decimal, as people read them (issue 10 item 1), and numbers that must not crash."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.compare import compare_json
from evalkit.compare.compiled import ResolvedRule, compile_rules
from evalkit.compare.numeric import as_decimal, number_text, numbers_within, within
from evalkit.compare.rules import CompareSpec
from evalkit.compare.values import compare_scalar

CENT = ResolvedRule(tolerance=0.01)
CENTS = range(100_000)  # 0.00 .. 999.99


def test_every_one_cent_step_is_within_a_one_cent_tolerance() -> None:
    # In binary, |1.11 - 1.10| is 0.010000000000000009 and about 18% of these pairs failed.
    outside = [c for c in CENTS if compare_scalar(CENT, c / 100, (c + 1) / 100) != "excused"]
    assert outside == []


def test_every_two_cent_step_is_outside_a_one_cent_tolerance() -> None:
    inside = [c for c in CENTS if compare_scalar(CENT, c / 100, (c + 2) / 100) != "changed"]
    assert inside == []


def test_a_relative_tolerance_is_exact_in_decimal_too() -> None:
    # expected * 1.1 exactly is within 10%; about 42% of these pairs failed in binary
    rule = ResolvedRule(relative_tolerance=0.1)
    exact = [c for c in range(1, 100_000) if not within_rule(rule, c / 100, c * 11 / 1000)]
    assert exact == []
    beyond = [c for c in range(1, 10_000) if within_rule(rule, c / 100, (c * 11 + 1) / 1000)]
    assert beyond == []


def within_rule(rule: ResolvedRule, expected: Any, actual: Any) -> bool:
    return compare_scalar(rule, expected, actual) in ("match", "excused")


def test_the_issue_example_through_json_and_rules() -> None:
    spec = CompareSpec.model_validate({"rules": {"/total": {"tolerance": 0.01}}})
    result = compare_json(json.loads('{"total": 1.10}'), json.loads('{"total": 1.11}'), spec)
    assert result.passed
    assert [a.detail for a in result.applied] == ["within tolerance 0.01"]


CENTS_AS_DECIMALS = st.decimals(min_value=-10_000, max_value=10_000, places=2)


@given(CENTS_AS_DECIMALS, CENTS_AS_DECIMALS, st.decimals(min_value=0, max_value=100, places=2))
def test_a_tolerance_decides_as_decimal_arithmetic_does(
    expected: Decimal, actual: Decimal, tolerance: Decimal
) -> None:
    rule = ResolvedRule(tolerance=float(tolerance))
    verdict = compare_scalar(rule, float(expected), float(actual))
    assert within_rule(rule, float(expected), float(actual)) == (
        abs(actual - expected) <= tolerance
    ), verdict


@given(
    st.decimals(min_value=-1_000, max_value=1_000, places=3),
    st.decimals(min_value=-1_000, max_value=1_000, places=3),
    st.decimals(min_value=0, max_value=2, places=2),
)
def test_a_relative_tolerance_decides_as_decimal_arithmetic_does(
    expected: Decimal, actual: Decimal, relative: Decimal
) -> None:
    rule = ResolvedRule(relative_tolerance=float(relative))
    assert within_rule(rule, float(expected), float(actual)) == (
        abs(actual - expected) <= relative * abs(expected)
    )


@given(CENTS_AS_DECIMALS, CENTS_AS_DECIMALS)
def test_two_numbers_written_as_text_compare_as_the_numbers_they_say(
    expected: Decimal, actual: Decimal
) -> None:
    assert within_rule(CENT, f"{expected}", f" {actual} ") == (abs(actual - expected) <= 0.01)


FLOATS = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
TOLERANCES = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6))


@given(FLOATS, st.data(), TOLERANCES, TOLERANCES)
def test_the_fast_path_in_binary_agrees_with_decimal(
    expected: float, data: st.DataObject, tolerance: float | None, relative: float | None
) -> None:
    # actual: anywhere, or right at the bound (where binary arithmetic errs)
    bound = Decimal(repr(tolerance if tolerance is not None else 0.0))
    near = float(Decimal(repr(expected)) + bound)
    actual = data.draw(st.one_of(FLOATS, st.just(near), st.just(math.nextafter(near, math.inf))))
    exact = within(Decimal(repr(expected)), Decimal(repr(actual)), tolerance, relative)
    assert numbers_within(expected, actual, tolerance, relative) == exact


@pytest.mark.parametrize(
    ("rule", "expected", "actual", "outcome"),
    [
        (CENT, 10**400, 10**400, "match"),
        (CENT, 10**400, 10**400 + 1, "changed"),
        (ResolvedRule(tolerance=1.0), 10**400, 10**400 + 1, "excused"),
        (CENT, 10**400, 1.5, "changed"),  # was OverflowError: int too large to convert to float
        pytest.param(
            ResolvedRule(relative_tolerance=0.5),
            10**5000,
            10**5000 + 10**4999,
            "excused",
            id="5001-digit ints",  # more digits than str() allows by default
        ),
        (CENT, math.nan, float("nan"), "match"),  # the same token (Python's json reads NaN)
        (CENT, math.nan, 1.0, "changed"),  # NaN is within no tolerance of a number
        (ResolvedRule(), math.nan, float("nan"), "match"),
        (ResolvedRule(), math.nan, math.inf, "changed"),
        (CENT, math.inf, math.inf, "match"),
        (CENT, math.inf, 1e308, "changed"),
        (CENT, -math.inf, math.inf, "changed"),
        (ResolvedRule(tolerance=1e308), 1e308, -1e308, "changed"),
        (CENT, "1e999999999999999999999", "1", "changed"),  # beyond any exponent: text
        (CENT, "1e999999999999999999", "1e999999999999999999", "match"),
        (CENT, "1e999999999999999998", "1.00000000000000000000001e999999999999999998", "changed"),
        (CENT, 1e-320, 0.0, "excused"),  # subnormal
        (ResolvedRule(tolerance=0.0), 0.1 + 0.2, 0.3, "changed"),  # 0.30000000000000004 != 0.3
    ],
)
def test_extreme_numbers_never_crash(
    rule: ResolvedRule, expected: Any, actual: Any, outcome: str
) -> None:
    assert compare_scalar(rule, expected, actual) == outcome


def test_huge_and_non_finite_numbers_through_a_whole_verdict() -> None:
    huge = 10**4000  # as large as json.loads reads
    expected = {"big": huge, "nan": math.nan, "inf": math.inf, "n": 1.5}
    actual = {"big": huge + 1, "nan": math.nan, "inf": -math.inf, "n": huge}
    spec = CompareSpec.model_validate({"rules": {"/**": {"tolerance": 0.5}}})
    result = compare_json(expected, actual, spec)
    assert sorted(d.pointer for d in result.differences) == ["/big", "/inf", "/n"]
    assert all(d.display() for d in result.differences)


def test_the_comparison_is_exact_however_long_the_numbers() -> None:
    long_gap = Decimal("0.01" + "0" * 58 + "1")  # 0.01 + 1e-60
    assert within(Decimal(0), Decimal("0.01"), 0.01)
    assert not within(Decimal(0), long_gap, 0.01)
    big = "1" + "0" * 40
    assert not within(Decimal(big), Decimal(big + str(long_gap)[1:]), 0.01)
    assert within(Decimal(big), Decimal(big + ".01"), 0.01)
    assert within(Decimal(100), Decimal("110"), relative_tolerance=0.1)
    assert not within(Decimal(100), Decimal("110.000000000000000000000000000001"), None, 0.1)


@pytest.mark.parametrize(
    ("value", "read_text", "number"),
    [
        (1.1, False, Decimal("1.1")),  # the shortest repr: what the document says
        (7, False, Decimal(7)),
        (True, False, None),
        ("5.00", False, None),
        ("5.00", True, Decimal("5.00")),
        (" -3e2 ", True, Decimal("-300")),
        ("5,00", True, None),
        ("NaN", True, None),
        ("Infinity", True, None),
    ],
)
def test_as_decimal(value: Any, read_text: bool, number: Decimal | None) -> None:
    assert as_decimal(value, read_text=read_text) == number


def test_rules_are_described_as_written() -> None:
    spec = CompareSpec.model_validate(
        {"rules": {"/n": {"tolerance": 0.12345678, "relative_tolerance": 1}}}
    )
    rule = compile_rules(spec).resolve("/n")
    assert rule.describe_numeric() == "tolerance 0.12345678 or relative tolerance 1"
    assert [number_text(x) for x in (0.01, 1.0, 2.5e-07, 10**20)] == [
        "0.01",
        "1",
        "2.5e-07",
        "100000000000000000000",
    ]
