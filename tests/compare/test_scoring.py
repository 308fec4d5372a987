"""The score: weighted share of expected leaves that match."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.compare import CompareSpec, compare_json


def score(
    expected: Any, actual: Any, rules: dict[str, Any] | None = None
) -> tuple[float, float, float]:
    result = compare_json(expected, actual, CompareSpec.model_validate(rules or {}))
    return result.matched_weight, result.total_weight, result.score


@pytest.mark.parametrize(
    ("expected", "actual", "rules", "outcome"),
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}, None, (2, 2, 1.0)),
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, None, (1, 2, 0.5)),
        ({"a": 1, "b": 2}, {"a": 1}, None, (1, 2, 0.5)),
        (
            {"a": {"x": 1, "y": 2}, "b": 3},
            {"a": "gone", "b": 3},
            None,
            (1, 3, 1 / 3),
        ),  # type change sinks the subtree
        ({"a": 1}, {"a": 1, "extra": 2}, None, (1, 1, 1.0)),  # extras lower nothing (but no pass)
        ({"a": [], "b": {}}, {"a": [1], "b": {}}, None, (2, 2, 1.0)),  # empty containers are leaves
        ({"a": [], "b": {}}, {"a": 5, "b": {}}, None, (1, 2, 0.5)),
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"rules": {"/b": {"weight": 3}}}, (1, 4, 0.25)),
        (
            {"l": [1, 2], "x": 1},
            {"l": [1, 9], "x": 1},
            {"rules": {"/l": {"weight": 0.5}}},
            (1.5, 2, 0.75),
        ),
        ({"a": 1, "b": 2}, {"a": 1, "b": 3}, {"ignore": ["/b"]}, (1, 1, 1.0)),  # ignored: no weight
        (
            {"m": {"gen": 1}, "a": 1},
            {"a": 1},
            {"ignore": ["/m/gen"]},
            (1, 2, 0.5),
        ),  # shape expected
        ({"m": {"gen": 1}, "a": 1}, {"m": {"gen": 2}, "a": 1}, {"ignore": ["/m/gen"]}, (2, 2, 1.0)),
        (
            {"id": {"deep": [1, 2, 3]}},
            {"id": 0},
            {"rules": {"/id": {"present": True}}},
            (1, 1, 1.0),
        ),  # one leaf
        ({"c": {"x": 1}}, {"c": "ok"}, {"rules": {"/c": {"regex": "ok"}}}, (1, 1, 1.0)),
        ([1, 2, 3], [3, 2, 1], None, (3, 3, 1.0)),  # order difference: values all there
        ([1, 2, 3], [3, 1], {"rules": {"": {"order": "ignore"}}}, (2, 3, 2 / 3)),
    ],
)
def test_score_table(
    expected: Any, actual: Any, rules: dict[str, Any] | None, outcome: tuple[float, float, float]
) -> None:
    assert score(expected, actual, rules) == pytest.approx(outcome)


@pytest.mark.parametrize(
    ("expected", "actual", "value"),
    [({}, {}, 1.0), ({}, {"a": 1}, 0.0), ([], [], 1.0), ([], [1], 0.0)],
)
def test_empty_expected_scores_one_only_when_actual_matches(
    expected: Any, actual: Any, value: float
) -> None:
    assert score(expected, actual) == (0.0, 0.0, value)


def test_everything_ignored_scores_like_empty() -> None:
    rules = {"ignore": ["/**"]}
    assert score({"a": 1}, {"a": 2}, rules) == (0.0, 0.0, 1.0)
