"""Pointers: RFC 6901 escaping, wildcard matching, and which pattern is most specific."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.compare.pointers import (
    PointerPattern,
    escape_segment,
    format_pointer,
    is_within,
    parse_pointer,
    specificity,
    unescape_segment,
)


@pytest.mark.parametrize(
    ("segments", "pointer"),
    [
        ((), ""),
        (("a",), "/a"),
        (("a", 0, "b"), "/a/0/b"),
        (("a/b",), "/a~1b"),
        (("m~n",), "/m~0n"),
        (("~1",), "/~01"),
        (("",), "/"),
        (("a", ""), "/a/"),
    ],
)
def test_format_and_parse_are_inverse(segments: tuple[str | int, ...], pointer: str) -> None:
    assert format_pointer(segments) == pointer
    assert parse_pointer(pointer) == tuple(str(s) for s in segments)


@given(st.lists(st.text(max_size=6), max_size=5))
def test_any_segments_round_trip(segments: list[str]) -> None:
    assert parse_pointer(format_pointer(segments)) == tuple(segments)
    for segment in segments:
        assert unescape_segment(escape_segment(segment)) == segment


@pytest.mark.parametrize(
    ("pointer", "message"),
    [("a/b", "must start with '/'"), ("/a~2", "'~' must be followed by 0 or 1"), ("/~", "'~'")],
)
def test_malformed_pointers_say_what_is_wrong(pointer: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pointer(pointer)


@pytest.mark.parametrize(
    ("pattern", "pointer", "matches"),
    [
        ("", "", True),
        ("", "/a", False),
        ("/a", "/a", True),
        ("/a", "/a/b", False),
        ("/a", "/ab", False),
        ("/*", "/a", True),
        ("/*", "", False),
        ("/*", "/a/b", False),
        ("/*", "/", True),  # the empty key is a segment too
        ("/a/*/c", "/a/0/c", True),
        ("/a/*/c", "/a/0/1/c", False),
        ("/**", "", True),
        ("/**", "/a/b/c", True),
        ("/a/**", "/a", True),  # zero segments
        ("/a/**", "/a/b/c", True),
        ("/a/**", "/b", False),
        ("/**/id", "/id", True),
        ("/**/id", "/x/0/id", True),
        ("/**/id", "/x/idx", False),
        ("/a/**/z", "/a/z", True),
        ("/a/**/z", "/a/b/c/z", True),
        ("/a/**/z", "/a/b/c/zz", False),
        ("/a~1b", "/a~1b", True),  # a literal '/' in a key
        ("/a~1b", "/a/b", False),
        ("/*", "/a~1b", True),  # one segment, even with an escaped '/'
        ("/x.y", "/xzy", False),  # literal segments are not regexes
        ("/(a)", "/(a)", True),
    ],
)
def test_pattern_matching(pattern: str, pointer: str, matches: bool) -> None:
    assert PointerPattern.compile(pattern).matches(pointer) is matches


@pytest.mark.parametrize(
    ("pattern", "pointer", "covers"),
    [
        ("/a", "/a", True),
        ("/a", "/a/b/c", True),
        ("/a", "/ab", False),
        ("/a", "", False),
        ("", "/anything", True),
        ("/*/id", "/0/id/x", True),
        ("/*/id", "/0/name", False),
    ],
)
def test_pattern_covers_the_path_or_an_ancestor(pattern: str, pointer: str, covers: bool) -> None:
    assert PointerPattern.compile(pattern).covers(pointer) is covers


@pytest.mark.parametrize(
    ("more", "less"),
    [
        ("/items/0/id", "/items/*/id"),  # more literal segments
        ("/items/*/id", "/items/**"),
        ("/**/id", "/**"),  # longer beats shorter at equal literals
        ("/a/*", "/a"),
        ("/a/*", "/a/**"),  # '*' beats '**'
        ("/a/b", "/**/b"),
        ("/a", ""),
        ("/**", ""),
    ],
)
def test_specificity_order(more: str, less: str) -> None:
    assert specificity(parse_pointer(more)) > specificity(parse_pointer(less))


@pytest.mark.parametrize(
    ("pointer", "ancestor", "within"),
    [("/a/b", "/a", True), ("/a", "/a", True), ("/ab", "/a", False), ("/a", "", True)],
)
def test_is_within(pointer: str, ancestor: str, within: bool) -> None:
    assert is_within(pointer, ancestor) is within
