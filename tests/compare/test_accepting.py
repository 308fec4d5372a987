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
        # an element inserted into a list in order: the others keep their old values
        (
            {"rules": {"/l/*/x": {"tolerance": 0.5}}},
            {"l": [{"x": 1.0, "k": "a"}, {"x": 2.0, "k": "b"}, {"x": 3.0, "k": "c"}]},
            {"l": [{"x": 1.2, "k": "a"}, {"x": 9, "k": "n"}, {"x": 2.2, "k": "b"}]},
            {"l": [{"x": 1.0, "k": "a"}, {"x": 9, "k": "n"}, {"x": 2.0, "k": "b"}]},
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


def test_a_json_file_keeps_its_layout_and_the_text_of_its_tolerated_numbers() -> None:
    rules = spec(files={"out.json": {"compare": {"rules": {"/t": {"tolerance": 0.01}}}}})
    expected = b'{\n    "t": 1.00,  "v": [1, 2]\n}\n'
    actual = b'{"t":1.004,"v":[1,3]}'
    [change] = accept_files({"out.json": expected}, {"out.json": actual}, rules.files).changes
    assert change.content == b'{\n    "t": 1.00,  "v": [1, 3]\n}\n'


def accepted_file(name: str, expected: bytes, actual: bytes, **rule: Any) -> bytes | None:
    """The new content of one expected file, accepted under its file rule."""
    files = spec(files={name: rule}).files
    result = accept_files({name: expected}, {name: actual}, files)
    assert not result.left
    [change] = result.changes
    return change.content


PRICES = {"compare": {"rules": {"/*/price": {"relative_tolerance": 0.001}}}}


def test_a_csv_file_takes_only_its_new_and_lost_rows_when_order_is_free() -> None:
    """A new user's file: the output reordered the rows and moved a price within its
    tolerance; only the new row and the lost one are real differences."""
    expected = b"sku,qty,price\nX1,10,1.10\nX2,3,2.50\nX3,7,0.33\nX4,1,999.99\nX5,1,1\n"
    actual = b"sku,qty,price\nX3,7,0.33\nX1,10,1.10\nX2,3,2.50\nX4,1,1000.01\nFEE,1,2.50\n"
    content = accepted_file("items.csv", expected, actual, mode="csv", order="ignore", **PRICES)
    assert content == b"sku,qty,price\nX1,10,1.10\nX2,3,2.50\nX3,7,0.33\nX4,1,999.99\nFEE,1,2.50\n"


def test_a_changed_csv_row_keeps_its_tolerated_cells() -> None:
    expected = b"sku,qty,price\nX1,10,1.10\nX4,1,999.99\n"
    actual = b"sku,qty,price\nX1,10,1.10\nX4,2,1000.01\n"
    content = accepted_file("items.csv", expected, actual, **PRICES)
    assert content == b"sku,qty,price\nX1,10,1.10\nX4,2,999.99\n"


def test_a_row_new_in_a_csv_file_in_strict_order_goes_in_its_place() -> None:
    expected = b"sku,price\nA,1.00\nB,2.00\nC,3.00\nD,4.00\n"
    actual = b"sku,price\nA,1.0001\nN,9\nB,2.0001\nD,4.0001\n"
    content = accepted_file("items.csv", expected, actual, **PRICES)
    assert content == b"sku,price\nA,1.00\nN,9\nB,2.00\nD,4.00\n"


def test_a_csv_file_keeps_its_quoting_line_endings_and_byte_order_mark() -> None:
    expected = '\ufeff"sku","qty"\r\n"X1","1"\r\n"X2","a ""b"""'.encode()
    actual = b'sku,qty\nX2,"a ""b"""\nX1,1\nX3,3\n'
    content = accepted_file("items.csv", expected, actual, order="ignore")
    assert content == '\ufeff"sku","qty"\r\n"X1","1"\r\n"X2","a ""b"""\r\n"X3","3"'.encode()


def test_a_csv_file_with_a_new_column_compares_clean() -> None:
    expected = b"sku,price\nA,1.00\n"
    actual = b"sku,qty,price\nA,5,1.0001\n"
    content = accepted_file("items.csv", expected, actual, **PRICES)
    assert content == b"sku,price,qty\nA,1.00,5\n"


def test_a_text_file_keeps_its_line_endings_and_the_lines_equal_under_its_rule() -> None:
    expected = b"Hello\r\n  World  \r\nBye"
    actual = b"Hello\nWorld\nNew line\nBye\n"
    content = accepted_file("notes.txt", expected, actual, text=["strip"])
    assert content == b"Hello\r\n  World  \r\nNew line\r\nBye"


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
