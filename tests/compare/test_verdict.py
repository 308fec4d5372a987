"""One example's verdict: rating, combined score, JSON given as text."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.compare import CompareSpec, compare_example, parse_if_json_text


def spec(data: dict[str, Any] | None = None) -> CompareSpec:
    return CompareSpec.model_validate(data or {})


@pytest.mark.parametrize(
    ("actual", "threshold", "rating"),
    [
        ({"a": 1, "b": 2, "c": 3, "d": 4}, None, "pass"),
        ({"a": 1, "b": 2, "c": 3, "d": 0}, None, "partial"),  # 0.75 >= 0.5
        ({"a": 1, "b": 2, "c": 0, "d": 0}, None, "partial"),  # 0.5 reaches the default
        ({"a": 1, "b": 0, "c": 0, "d": 0}, None, "fail"),
        ({"a": 1, "b": 2, "c": 3, "d": 0}, 0.8, "fail"),
        ({"a": 0, "b": 0, "c": 0, "d": 0}, 0.0, "partial"),
        ({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, 1.0, "partial"),  # score 1 but an extra key
    ],
)
def test_rating(actual: dict[str, int], threshold: float | None, rating: str) -> None:
    expected = {"a": 1, "b": 2, "c": 3, "d": 4}
    verdict = compare_example(expected, actual, None, None, spec({"partial_threshold": threshold}))
    assert verdict.rating == rating
    assert verdict.passed is (rating == "pass")


def test_json_given_as_a_string_is_parsed_on_either_side() -> None:
    verdict = compare_example('{"a": [1, 2]}', {"a": [1, 2]}, None, None)
    assert verdict.rating == "pass"
    verdict = compare_example({"a": [1, 2]}, ' {"a": [1, 3]}', None, None)
    assert [(d.pointer, d.kind) for d in verdict.differences] == [("/a/1", "changed")]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ('{"a": 1}', {"a": 1}),
        ("[1]", [1]),
        ("42", "42"),  # text that happens to be a number stays text
        ("true", "true"),
        ("{not json", "{not json"),
        ({"a": 1}, {"a": 1}),
        (None, None),
    ],
)
def test_parse_if_json_text(value: Any, parsed: Any) -> None:
    assert parse_if_json_text(value) == parsed


def test_files_count_as_one_leaf_each_with_their_own_score() -> None:
    verdict = compare_example(
        {"a": 1, "b": 2},
        {"a": 1, "b": 0},
        {"r.json": b'{"x": 1, "y": 2}', "n.txt": b"same\n", "gone.bin": b"\x00"},
        {"r.json": b'{"x": 1, "y": 3}', "n.txt": b"same\n", "extra.bin": b"\x01"},
    )
    # JSON 1/2, r.json 0.5, n.txt 1, gone.bin 0; extra.bin is unexpected: no weight.
    assert verdict.total_weight == 5
    assert verdict.matched_weight == pytest.approx(2.5)
    assert verdict.score == pytest.approx(0.5)
    assert verdict.rating == "partial"
    assert [(f.name, f.status) for f in verdict.files] == [
        ("gone.bin", "missing"),
        ("n.txt", "match"),
        ("r.json", "differ"),
        ("extra.bin", "unexpected"),
    ]


def test_an_unexpected_file_alone_prevents_a_pass() -> None:
    verdict = compare_example({"a": 1}, {"a": 1}, {}, {"surprise.txt": b"hi"})
    assert verdict.score == 1.0
    assert verdict.rating == "partial"


def test_ignored_files_neither_count_nor_prevent_a_pass() -> None:
    rules = spec({"files": {"*.log": {"ignore": True}}})
    verdict = compare_example(
        {"a": 1},
        {"a": 1},
        {"old.log": b"x", "r.txt": b"r"},
        {"r.txt": b"r", "new.log": b"y"},
        rules,
    )
    assert (verdict.rating, verdict.score, verdict.total_weight) == ("pass", 1.0, 2.0)
    assert [f.name for f in verdict.files] == ["r.txt"]


def test_none_means_no_expectation() -> None:
    assert compare_example(None, {"anything": 1}, None, {"f.txt": b"x"}).rating == "pass"
    nothing_at_all = compare_example(None, None, None, None)
    assert (nothing_at_all.rating, nothing_at_all.score, nothing_at_all.total_weight) == (
        "pass",
        1.0,
        0.0,
    )


def test_file_rules_come_from_the_spec() -> None:
    rules = spec({"files": {"*.csv": {"order": "ignore"}}, "ignore": ["/t"]})
    verdict = compare_example(
        {"t": 1}, {"t": 2}, {"r.csv": b"a\n1\n2\n"}, {"r.csv": b"a\n2\n1\n"}, rules
    )
    assert verdict.rating == "pass"
    assert [(a.pointer, a.kind) for a in verdict.applied] == [("/t", "ignored")]


def test_summary_and_to_dict() -> None:
    verdict = compare_example(
        {"a": 1, "b": "x" * 200},
        {"a": 2, "b": "y"},
        {"f.txt": b"1"},
        {},
        spec({"partial_threshold": 0.9}),
    )
    assert verdict.summary(max_lines=2).splitlines() == [
        "fail: score 0.00",
        "- /a: changed, expected 1, actual 2",
        '- /b: changed, expected "' + "x" * 78 + '…, actual "y"',
        "- ... and 1 more",
    ]
    data = verdict.to_dict()
    assert data["rating"] == "fail"
    assert data["files"][0]["status"] == "missing"
    assert data["differences"][1]["expected"] == "x" * 200  # never truncated in the data
