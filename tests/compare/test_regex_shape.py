"""Reading a regex without running it: the patterns known to backtrack catastrophically are
flagged, common safe ones are not, and oversized patterns are refused before compiling.

Each BACKTRACKS pattern was checked by hand to take seconds or more with Python's ``re`` (or
the ``regex`` package) on a short hostile value; each SAFE one to stay fast on values built to
hurt it. The test itself times nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.compare.regex_shape import MAX_SIZE, RegexShape, RegexTooLarge, quoted, read_shape

# pattern -> the repeated group flagged
BACKTRACKS = {
    r"(a+)+$": "(a+)+",
    r"(a|a)*$": "(a|a)*",
    r"(.*)*$": "(.*)*",
    r"(a*)*b": "(a*)*",
    r"(a|aa)+$": "(a|aa)+",
    r"(x+x+)+y": "(x+x+)+",
    r"(\w+\s?)+$": r"(\w+\s?)+",
    r"^(([a-z])+.)+[A-Z]([a-z])+$": "(([a-z])+.)+",
    r"(a{1,5})+$": "(a{1,5})+",
    r"(?:a+)+$": "(?:a+)+",
    r"(\d+,?)*$": r"(\d+,?)*",
    r"(.+,)*$": "(.+,)*",
    r"(?:.*?,)*$": "(?:.*?,)*",
    r"^([\w.-]+)+@example\.com$": r"([\w.-]+)+",
    r"(?:[a-z]+\s*)+$": r"(?:[a-z]+\s*)+",
    r"^(\s*\w+)*$": r"(\s*\w+)*",
    r"(\r\n|\r|\n)+$": r"(\r\n|\r|\n)+",
    r"((?:ab)+)+$": "((?:ab)+)+",
    r"(a+|b)+$": "(a+|b)+",
    r"((a+)b?)+$": "((a+)b?)+",
    r"(?i)(A|a)+$": "(A|a)+",
    r"(?P<run>a+)+$": "(?P<run>a+)+",
    r"(?x) ( a + ) + $  # spaced out": "( a + ) +",
    r"(?:x+|y)*$": "(?:x+|y)*",
    r"(?=x)(a+)+$": "(a+)+",
    r"(?:(a+)+)?$": "(a+)+",
    r"(a|b|ab)*c": "(a|b|ab)*",
}

SAFE = [
    r"[A-Z]{3}-\d+",
    r"\d{4}-\d{2}-\d{2}T.*",
    r"INV-[0-9]+",
    r".*",
    r"(ab+)+$",  # every round starts with 'a'
    r"(a+b)+$",
    r"(\w+\.)+\w+$",
    r"([^,]+,)*$",
    r"(\d+,)*$",
    r"^(\d+)(,\d+)*$",
    r"(?:\s*,\s*\w+)*$",
    r"(\d{1,3}\.){3}\d{1,3}",  # counted, not open-ended
    r"(a?)+$",
    r"(a?)*$",
    r"(?>a+)+$",  # atomic
    r"(a++)+$",  # possessive inside
    r"(a+)++$",  # possessive outside
    r'^(?:[^"\\]|\\.)*$',
    r"(?:\w|-)+$",
    r"(?:.|\n)*$",
    r"(a|b)*$",
    r"(ab|ac)*$",
    r"(k1|k10)+$",
    r"(?:GET|GIVE)+",
    r"(\(a+\))+$",
    r"(?:a+\d)+$",
    r"[(a+)+]",  # a character class, not a group
    r"\(a+\)+",  # escaped parentheses
    r"(?#(a+)+)x",  # a comment
]


@pytest.mark.parametrize("pattern", sorted(BACKTRACKS))
def test_known_catastrophic_patterns_are_flagged(pattern: str) -> None:
    found = read_shape(pattern).backtracking()
    assert [b.group for b in found][:1] == [BACKTRACKS[pattern]]
    # as written: single backslashes (a repr would double them)
    assert found[0].describe().startswith(f"the repeated group '{BACKTRACKS[pattern]}' ")


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_are_not(pattern: str) -> None:
    assert read_shape(pattern).backtracking() == []


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+", "repeats 'a+' inside it: the same text splits in many ways"),
        ("(a|aa)+", "has alternatives that can match the same text ('a', 'aa')"),
    ],
)
def test_the_reason_names_the_part_to_change(pattern: str, reason: str) -> None:
    (found,) = read_shape(pattern).backtracking()
    assert found.reason == reason


def test_every_repeated_group_at_fault_is_listed_in_order() -> None:
    found = read_shape(r"(a+)+-(b|b)*").backtracking()
    assert [b.group for b in found] == ["(a+)+", "(b|b)*"]


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        ("abc", 4),
        ("x{3}", 4),
        ("(ab){2}", 1 + 2 * 3),
        ("a{2,}", 3),
        ("a*", 2),
        ("(?:a{10}){10}", 1 + 10 * 11),
    ],
)
def test_size_counts_counted_repeats_expanded(pattern: str, size: int) -> None:
    assert RegexShape.read(pattern).size == size


@pytest.mark.parametrize(
    "pattern",
    [
        "(?:(?:a|bc){1000}){1000}",  # crashes the regex package's compiler
        "a{1000000}",
        "x" * (MAX_SIZE + 1),
        "(?=(?:a{200}){200})",  # inside a lookahead too
        "a{200}{200}",
    ],
)
def test_oversized_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(RegexTooLarge, match="counted repeats expand to"):
        RegexShape.read(pattern)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(RegexTooLarge, match="nests groups more than 100 deep"):
        RegexShape.read("(" * 101 + ")" * 101)
    assert RegexShape.read("(" * 100 + ")" * 100).size > 0


@given(st.text(alphabet="()[]{}|*+?.\\^$-,:=!<>#axP0123456789 \n", max_size=40))
def test_any_text_reads_or_is_refused_as_too_large(pattern: str) -> None:
    try:
        shape = RegexShape.read(pattern)
    except RegexTooLarge:
        return
    for found in shape.backtracking():
        assert found.group in pattern


def test_a_pattern_is_quoted_as_written_and_only_control_characters_escaped() -> None:
    assert quoted(r"(\w+\s?)+!") == "'(\\w+\\s?)+!'"
    assert quoted("it's\n") == "'it's\\n'"
