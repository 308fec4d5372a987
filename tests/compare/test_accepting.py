"""``accept_json`` and ``accept_files``: only what the comparison finds different takes the
actual value; what the rules excuse keeps the old expected value; the accepted value then
compares clean, or says what a rule still rejects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare import CompareSpec, compare_json
from evalkit.compare.accepting import accept_files, accept_json


def spec(**blocks: Any) -> CompareSpec:
    return CompareSpec.model_validate(blocks)


@pytest.mark.parametrize(
    ("rules", "expected", "actual", "accepted"),
    [
        # a changed value, an added key, a key the output lost
        ({}, {"a": 1, "b": 2}, {"a": 3, "c": 4}, {"a": 3, "c": 4}),
        # ignored: the old value stays, a value only the output has stays out
        (
            {"ignore": ["/at", "/new"]},
            {"at": 1, "v": 1},
            {"at": 2, "v": 2, "new": 3},
            {"at": 1, "v": 2},
        ),
        # an ignored value the output lost stays too
        ({"ignore": ["/at"]}, {"at": 1, "v": 1}, {"v": 2}, {"at": 1, "v": 2}),
        # within a tolerance: noise, not a change
        (
            {"rules": {"/t": {"tolerance": 0.01}}},
            {"t": 10.0, "v": 1},
            {"t": 10.004, "v": 2},
            {"t": 10.0, "v": 2},
        ),
        # text normalisation
        (
            {"rules": {"/n": {"text": "casefold"}}},
            {"n": "ACME", "v": 1},
            {"n": "acme", "v": 2},
            {"n": "ACME", "v": 2},
        ),
        # an order-free list keeps its order, gains the new element, drops the lost one
        (
            {"rules": {"/l": {"order": "ignore"}}},
            {"l": [1, 2, 3]},
            {"l": [4, 3, 1]},
            {"l": [1, 3, 4]},
        ),
        # a list in strict order whose elements moved takes the new order, old values kept
        (
            {"rules": {"/l/*/x": {"tolerance": 0.5}}},
            {"l": [{"x": 1.0, "k": "a"}, {"x": 2.0, "k": "b"}]},
            {"l": [{"x": 2.2, "k": "b"}, {"x": 1.2, "k": "a"}]},
            {"l": [{"x": 2.0, "k": "b"}, {"x": 1.0, "k": "a"}]},
        ),
        # elements added at the end of a list in order
        ({}, {"l": [1]}, {"l": [1, 2]}, {"l": [1, 2]}),
        # a type change
        ({}, {"v": "1"}, {"v": 1}, {"v": 1}),
        # a value a regex accepts keeps its old value
        (
            {"rules": {"/d": {"regex": r"\d+"}}},
            {"d": "1", "v": 1},
            {"d": "22", "v": 2},
            {"d": "1", "v": 2},
        ),
        # a similarity compares with the expected text: the new text is the new reference
        (
            {"rules": {"/s": {"similarity": {"min": 0.9}}}},
            {"s": "the cat sat"},
            {"s": "a dog ran off"},
            {"s": "a dog ran off"},
        ),
    ],
)
def test_only_what_differs_is_accepted(
    rules: dict[str, Any], expected: Any, actual: Any, accepted: Any
) -> None:
    result = accept_json(expected, actual, spec(**rules))
    assert result.value == accepted
    assert result.changed
    assert not result.left
    assert compare_json(result.value, actual, spec(**rules)).passed


def test_nothing_to_accept_is_no_change() -> None:
    rules = spec(rules={"/t": {"tolerance": 0.01}})
    result = accept_json({"t": 1.0}, {"t": 1.001}, rules)
    assert result.value == {"t": 1.0}
    assert not result.changed


def test_what_a_rule_rejects_keeps_its_value_and_is_left() -> None:
    rules = spec(rules={"/d": {"regex": r"\d{4}"}})
    result = accept_json({"d": "2024", "v": 1}, {"d": "never", "v": 2}, rules)
    assert result.value == {"d": "2024", "v": 2}
    assert [difference.pointer for difference in result.left] == ["/d"]


def test_old_objects_are_kept_where_nothing_changed() -> None:
    """json_edit recognises list elements by identity: unchanged ones must be the old ones."""
    kept = {"k": "a"}
    rules = spec(rules={"/l": {"order": "ignore"}})
    result = accept_json({"l": [kept, {"k": "b"}]}, {"l": [{"k": "c"}, {"k": "a"}]}, rules)
    assert result.value["l"][0] is kept


def test_files_replaced_removed_added_and_ignored() -> None:
    rules = spec(files={"*.log": {"ignore": True}})
    result = accept_files(
        {"a.txt": b"old\n", "gone.txt": b"x", "same.txt": b"s", "run.log": b"1"},
        {"a.txt": b"new\n", "same.txt": b"s", "new.csv": b"a\n1\n", "run.log": b"2"},
        rules.files,
    )
    changes = {change.name: (change.action, change.content) for change in result.changes}
    assert changes == {
        "a.txt": ("replace", b"new\n"),
        "gone.txt": ("remove", None),
        "new.csv": ("add", b"a\n1\n"),
    }
    assert not result.left


def test_a_json_file_keeps_its_tolerated_values() -> None:
    rules = spec(files={"out.json": {"compare": {"rules": {"/t": {"tolerance": 0.01}}}}})
    expected = json.dumps({"t": 1.0, "v": 1}).encode()
    actual = json.dumps({"t": 1.004, "v": 2}).encode()
    [change] = accept_files({"out.json": expected}, {"out.json": actual}, rules.files).changes
    assert change.content is not None
    assert json.loads(change.content) == {"t": 1.0, "v": 2}


def test_a_json_file_changed_all_over_is_the_output_file_as_written() -> None:
    actual = b'{"v":2}'
    [change] = accept_files({"out.json": b'{"v": 1}'}, {"out.json": actual}).changes
    assert change.content == actual


def test_a_value_a_judge_grades_keeps_its_reference_answer() -> None:
    """Judges run on the platform in evalkit run only: accept keeps their reference answer and
    does not count the missing judgement as left over."""
    rules = spec(rules={"/reply": {"judge": {"agent": "grader", "rubric": "polite?"}}})
    result = accept_json({"reply": "Hello", "v": 1}, {"reply": "Hi there", "v": 2}, rules)
    assert result.value == {"reply": "Hello", "v": 2}
    assert result.judged == ["/reply"]
    assert not result.left


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["a", "b", "A "]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from("xyz"), inner),
    max_leaves=10,
)
RULE_SETS = [
    None,
    {"ignore": ["/x"]},
    {"rules": {"/**": {"order": "ignore"}}},
    {"rules": {"/y": {"text": ["casefold", "strip"]}, "/z": {"tolerance": 1}}},
    {"ignore": ["/*/x"], "rules": {"/*": {"order": "ignore"}}},
]


@settings(max_examples=200, deadline=None)
@given(expected=json_values, actual=json_values)
def test_without_rules_the_accepted_value_is_the_output(expected: Any, actual: Any) -> None:
    result = accept_json(expected, actual)
    assert json.dumps(result.value, sort_keys=True) == json.dumps(actual, sort_keys=True)
    assert not result.left


@settings(max_examples=300, deadline=None)
@given(expected=json_values, actual=json_values, rules=st.sampled_from(RULE_SETS))
def test_the_accepted_value_always_compares_clean(
    expected: Any, actual: Any, rules: dict[str, Any] | None
) -> None:
    compare_spec = spec(**rules) if rules else None
    result = accept_json(expected, actual, compare_spec)
    assert not result.left
    assert compare_json(result.value, actual, compare_spec).passed
