"""What a rule reaches in documents, and the hints for one that reaches nothing."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.compare.reach import (
    NUMBER_TEXT,
    DocumentPaths,
    keys_never_applying,
    pattern_of,
    reach,
    suggest_name,
    suggest_pointer,
)

INVOICE = {
    "total": 1.1,
    "price": "9.99",
    "vendor": {"name": "ACME", "id": None},
    "lines": [{"sku": "A", "amount": 1}, {"sku": "B", "amount": 2}],
    "a/b": {"~x": 1},
}
PATHS = DocumentPaths.of([INVOICE, {"total": 2, "extra": True}])


def test_paths_and_kinds_across_documents() -> None:
    assert PATHS.documents == 2
    assert PATHS.kinds["/total"] == {"number"}
    assert PATHS.kinds["/price"] == {"string", NUMBER_TEXT}
    assert PATHS.kinds["/lines/1/amount"] == {"number"}
    assert PATHS.segments["/a~1b/~0x"] == ("a/b", "~x")
    assert PATHS.kinds[""] == {"object"}


@pytest.mark.parametrize(
    ("pattern", "matched", "own", "subtree"),
    [
        ("/total", True, {"number"}, {"number"}),
        ("/vendor", True, {"object"}, {"object", "string", "null"}),
        ("/lines/*/sku", True, {"string"}, {"string"}),
        ("/**/amount", True, {"number"}, {"number"}),
        ("/a~1b/~0x", True, {"number"}, {"number"}),
        ("/lines/2", False, set(), set()),
        ("/totl", False, set(), set()),
    ],
)
def test_reach(pattern: str, matched: bool, own: set[str], subtree: set[str]) -> None:
    found = reach(pattern, PATHS)
    assert (found.matched, set(found.own_kinds), set(found.subtree_kinds)) == (
        matched,
        own,
        subtree,
    )


@pytest.mark.parametrize(
    ("pattern", "fields", "unused"),
    [
        ("/price", {"tolerance": 0.01}, []),  # a number written as text
        ("/vendor", {"tolerance": 0.01, "text": ["strip"]}, ["tolerance"]),
        ("/vendor", {"order": "ignore"}, ["order"]),
        ("/lines", {"order": "ignore", "tolerance": 0.1}, []),
        ("/total", {"regex": "[0-9.]+"}, ["regex"]),
        ("/vendor/id", {"regex": "x"}, []),  # null: a placeholder, fine
        ("/total", {"strings_as_numbers": True, "weight": 2.0, "ignore": False}, []),
    ],
)
def test_keys_never_applying(pattern: str, fields: dict[str, Any], unused: list[str]) -> None:
    assert list(keys_never_applying(fields, reach(pattern, PATHS))) == unused


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("/totl", "did you mean '/total'?"),
        ("/lines/*/amout", "did you mean '/lines/*/amount'?"),
        ("/**/amout", "did you mean '/**/amount'?"),
        ("/vendor/nmae", "did you mean '/vendor/name'?"),
        ("/lines/5/sku", "the values under '/lines' are lists of at most 2: '*' stands for any"),
        ("/total/cents", "the expected JSON has no keys under '/total'"),
        ("/zzz", "keys at the top: a/b, extra, lines, price, total, vendor"),
    ],
)
def test_suggest_pointer(pattern: str, hint: str) -> None:
    assert suggest_pointer(pattern, PATHS).startswith(hint)


def test_no_suggestion_without_documents() -> None:
    assert suggest_pointer("/total", DocumentPaths()) == ""


def test_suggest_name() -> None:
    assert suggest_name("totals.cvs", ["totals.csv", "a.txt"]) == "did you mean 'totals.csv'?"
    assert suggest_name("*.xml", ["totals.csv", "a.txt"]) == "expected files: a.txt, totals.csv"
    assert suggest_name("x", []) == ""


def test_pattern_of_escapes_all_but_wildcards() -> None:
    assert pattern_of(["a/b", "*", "**", "~"]) == "/a~1b/*/**/~0"
