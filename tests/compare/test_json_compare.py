"""The JSON comparison: one table row per rule and difference kind."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.compare import (
    ABSENT,
    CompareSpec,
    Difference,
    compare_json,
    compile_rules,
    parse_pointer,
)


def spec(data: dict[str, Any] | None = None) -> CompareSpec:
    return CompareSpec.model_validate(data or {})


def kinds(expected: Any, actual: Any, rules: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    result = compare_json(expected, actual, spec(rules))
    return [(d.pointer, d.kind) for d in result.differences]


@pytest.mark.parametrize(
    ("expected", "actual", "rules", "found"),
    [
        # structure, no rules
        ({"a": 1}, {"a": 1}, None, []),
        ({"a": 1}, {"a": 2}, None, [("/a", "changed")]),
        ({"a": 1}, {}, None, [("/a", "missing")]),
        ({}, {"a": 1}, None, [("/a", "unexpected")]),
        ({"a": 1}, {"a": "1"}, None, [("/a", "type_changed")]),
        ({"a": True}, {"a": 1}, None, [("/a", "type_changed")]),
        ([True], [1], None, [("/0", "type_changed")]),
        ({"a": 1}, {"a": 1.0}, None, []),
        ({"a": {"b": 1}}, {"a": [1]}, None, [("/a", "type_changed")]),
        (
            {"c": 2},
            {"d": 2},
            None,
            [("/c", "missing"), ("/d", "unexpected")],
        ),  # never "whole object"
        ([1, 2], [1, 2, 3], None, [("/2", "unexpected")]),
        ([1, 2, 3], [1, 2], None, [("/2", "missing")]),
        ([1, 2, 3], [3, 2, 1], None, [("", "order")]),  # all there, other order
        ([1, 2, 3], [3, 2, 4], None, [("/0", "changed"), ("/2", "changed")]),
        (
            {"a/b": 1, "m~n": 1},
            {"a/b": 2, "m~n": 2},
            None,
            [("/a~1b", "changed"), ("/m~0n", "changed")],
        ),
        ("x", "y", None, [("", "changed")]),
        (None, {}, None, [("", "type_changed")]),
        # ignore
        ({"a": 1, "b": 1}, {"a": 2, "b": 2}, {"ignore": ["/a"]}, [("/b", "changed")]),
        ({"a": 1}, {}, {"ignore": ["/a"]}, []),
        ({}, {"a": 1}, {"ignore": ["/a"]}, []),
        ({"a": {"x": 1}}, {"a": "text"}, {"ignore": ["/a"]}, []),
        (
            [{"id": 1, "v": 1}, {"id": 2, "v": 2}],
            [{"id": 7, "v": 1}, {"id": 8, "v": 3}],
            {"ignore": ["/*/id"]},
            [("/1/v", "changed")],
        ),
        (
            {"x": {"y": {"id": 1}}, "id": 1},
            {"x": {"y": {"id": 2}}, "id": 2},
            {"ignore": ["/**/id"]},
            [],
        ),
        (
            {"meta": {"v": 1, "t": 1}},
            {"meta": {"v": 2, "t": 2}},
            {"ignore": ["/meta"], "rules": {"/meta/v": {"ignore": False}}},
            [("/meta/v", "changed")],
        ),
        (
            {"meta": {"v": 1, "t": 1}},
            {},
            {"ignore": ["/meta"], "rules": {"/meta/v": {"ignore": False}}},
            [("/meta/v", "missing")],
        ),
        (
            {"meta": {"v": 1}},
            {"meta": 5},
            {"ignore": ["/meta"], "rules": {"/meta/v": {"ignore": False}}},
            [("/meta/v", "missing")],
        ),
        # tolerance
        ({"t": 10.0}, {"t": 10.009}, {"rules": {"/t": {"tolerance": 0.01}}}, []),
        ({"t": 10.0}, {"t": 10.02}, {"rules": {"/t": {"tolerance": 0.01}}}, [("/t", "changed")]),
        ({"t": [1.0, 2.0]}, {"t": [1.001, 2.001]}, {"rules": {"/t": {"tolerance": 0.01}}}, []),
        ({"t": 200}, {"t": 210}, {"rules": {"/t": {"relative_tolerance": 0.05}}}, []),
        (
            {"t": 200},
            {"t": 211},
            {"rules": {"/t": {"relative_tolerance": 0.05}}},
            [("/t", "changed")],
        ),
        ({"t": "10.00"}, {"t": "10.004"}, {"rules": {"/t": {"tolerance": 0.01}}}, []),
        # a tolerance forgives the amount, not the type...
        (
            {"t": "10.00"},
            {"t": 10.004},
            {"rules": {"/t": {"tolerance": 0.01}}},
            [("/t", "type_changed")],
        ),
        # ...unless the rule reads strings as numbers
        (
            {"t": "10.00"},
            {"t": 10.004},
            {"rules": {"/t": {"tolerance": 0.01, "strings_as_numbers": True}}},
            [],
        ),
        ({"t": 5}, {"t": "5.00"}, {"rules": {"/t": {"strings_as_numbers": True}}}, []),
        (
            {"t": 5},
            {"t": "5.01"},
            {"rules": {"/t": {"strings_as_numbers": True}}},
            [("/t", "changed")],
        ),
        # text
        ({"v": "ACME"}, {"v": "acme"}, {"rules": {"/v": {"text": "casefold"}}}, []),
        ({"v": " a  b "}, {"v": "a b"}, {"rules": {"/v": {"text": ["whitespace", "strip"]}}}, []),
        (
            {"v": " a  b "},
            {"v": "a b"},
            {"rules": {"/v": {"text": "casefold"}}},
            [("/v", "changed")],
        ),
        ({"v": ["A", "B"]}, {"v": ["a", "b"]}, {"rules": {"/v": {"text": "casefold"}}}, []),
        # order-insensitive lists
        ([1, 2, 3], [3, 1, 2], {"rules": {"": {"order": "ignore"}}}, []),
        (
            [1, 1, 2],
            [1, 2, 2],
            {"rules": {"": {"order": "ignore"}}},
            [("/1", "missing"), ("/2", "unexpected")],
        ),
        ([1, 2], [2], {"rules": {"": {"order": "ignore"}}}, [("/0", "missing")]),
        (
            [{"n": "A", "v": 1.0}],
            [{"n": "a", "v": 1.001}],
            {
                "rules": {
                    "": {"order": "ignore"},
                    "/*/n": {"text": "casefold"},
                    "/*/v": {"tolerance": 0.01},
                }
            },
            [],
        ),
        (
            [{"k": 1, "v": 1}, {"k": 2, "v": 2}],
            [{"k": 2, "v": 2}, {"k": 1, "v": 9}],
            {"rules": {"": {"order": "ignore"}}},
            [("/0/v", "changed")],
        ),  # paired, change inside
        (
            {"l": [[1, 2], [3, 4]]},
            {"l": [[4, 3], [2, 1]]},
            {"rules": {"/l": {"order": "ignore"}}},
            [],
        ),
        (
            {"l": [[1, 2], [3, 4]]},
            {"l": [[4, 3], [2, 1]]},
            {"rules": {"/l": {"order": "ignore"}, "/l/*": {"order": "strict"}}},
            [("/l/0", "order"), ("/l/1", "order")],
        ),
        # regex
        ({"c": "ABC-1"}, {"c": "XYZ-99"}, {"rules": {"/c": {"regex": "[A-Z]{3}-\\d+"}}}, []),
        (
            {"c": "ABC-1"},
            {"c": "XYZ-99!"},
            {"rules": {"/c": {"regex": "[A-Z]{3}-\\d+"}}},
            [("/c", "changed")],
        ),
        ({"c": "ABC-1"}, {"c": 5}, {"rules": {"/c": {"regex": "\\d"}}}, [("/c", "changed")]),
        ({"c": "ABC-1"}, {}, {"rules": {"/c": {"regex": "\\d"}}}, [("/c", "missing")]),
        # present
        ({"id": "x"}, {"id": 12345}, {"rules": {"/id": {"present": True}}}, []),
        ({"id": "x"}, {"id": None}, {"rules": {"/id": {"present": True}}}, []),
        ({"id": "x"}, {}, {"rules": {"/id": {"present": True}}}, [("/id", "missing")]),
        ({"id": {"deep": 1}}, {"id": [2]}, {"rules": {"/id": {"present": True}}}, []),
    ],
)
def test_comparison_table(
    expected: Any, actual: Any, rules: dict[str, Any] | None, found: list[tuple[str, str]]
) -> None:
    assert kinds(expected, actual, rules) == found


def test_differences_carry_values_and_the_rule() -> None:
    result = compare_json(
        {"t": 1.0, "c": "A", "gone": [1], "p": 1},
        {"t": 2.0, "c": "b", "new": {"x": 1}},
        spec(
            {"rules": {"/t": {"tolerance": 0.5}, "/c": {"regex": "[A-Z]"}, "/p": {"present": True}}}
        ),
    )
    assert result.differences == [
        Difference("/c", "changed", "A", "b", "regex '[A-Z]'"),
        Difference("/gone", "missing", [1], ABSENT),
        Difference("/new", "unexpected", ABSENT, {"x": 1}),
        Difference("/p", "missing", 1, ABSENT, "present"),
        Difference("/t", "changed", 1.0, 2.0, "tolerance 0.5"),
    ]


def test_differences_come_in_document_order_with_numeric_indexes() -> None:
    expected = list(range(12))
    actual = [*range(12)]
    actual[2], actual[10] = -2, -10
    assert [d.pointer for d in compare_json(expected, actual).differences] == ["/2", "/10"]


def test_applied_rules_show_what_was_excused() -> None:
    result = compare_json(
        {"gen": 1, "same": 1, "t": 1.0, "v": "A", "l": [1, 2], "c": "x", "id": 1, "eq": 2},
        {"gen": 2, "same": 1, "t": 1.001, "v": "a", "l": [2, 1], "c": "Q", "id": 9, "eq": 2},
        spec(
            {
                "ignore": ["/gen", "/same"],
                "rules": {
                    "/t": {"tolerance": 0.01},
                    "/v": {"text": "casefold"},
                    "/l": {"order": "ignore"},
                    "/c": {"regex": "[A-Z]"},
                    "/id": {"present": True},
                    "/eq": {"tolerance": 1},
                },
            }
        ),
    )
    assert result.passed
    assert [(a.pointer, a.kind, a.detail) for a in result.applied] == [
        ("/c", "regex", "regex '[A-Z]'"),
        ("/gen", "ignored", "ignored"),
        ("/id", "present", "present (any value)"),
        ("/l", "order", "order ignored"),
        ("/t", "tolerance", "within tolerance 0.01"),
        ("/v", "text", "text casefold"),
    ]  # '/same' and '/eq' were equal anyway: nothing was excused there


def test_compiled_rules_and_specs_are_interchangeable() -> None:
    rules = {"rules": {"/t": {"tolerance": 0.1}}}
    by_spec = compare_json({"t": 1}, {"t": 1.05}, spec(rules))
    by_compiled = compare_json({"t": 1}, {"t": 1.05}, compile_rules(spec(rules)))
    assert by_spec == by_compiled
    assert compare_json({"t": 1}, {"t": 1.05}).differences[0].kind == "changed"


def test_score_gives_partial_credit() -> None:
    expected = {"a": 1, "b": 2, "c": 3, "d": 4}
    result = compare_json(expected, {"a": 1, "b": 2, "c": 3, "d": 5})
    assert (result.matched_weight, result.total_weight, result.score) == (3, 4, 0.75)
    assert not result.passed


def test_to_dict_is_plain_json_data() -> None:
    result = compare_json({"a": 1}, {"a": 2})
    assert result.to_dict() == {
        "passed": False,
        "score": 0.0,
        "matchedWeight": 0.0,
        "totalWeight": 1.0,
        "differences": [{"pointer": "/a", "kind": "changed", "expected": 1, "actual": 2}],
        "applied": [],
    }


def test_a_large_unordered_list_is_matched_completely() -> None:
    expected: list[dict[str, Any]] = [
        {"id": i, "name": f"n{i}", "amount": i * 1.5} for i in range(300)
    ]
    actual = [dict(item, amount=item["amount"] + 0.001) for item in reversed(expected)]
    actual[10]["name"] = "changed"
    rules = spec({"rules": {"": {"order": "ignore"}, "/*/amount": {"tolerance": 0.01}}})
    result = compare_json(expected, actual, rules)
    assert [(d.pointer, d.kind) for d in result.differences] == [("/289/name", "changed")]
    assert result.total_weight == 900
    assert result.matched_weight == 899


def test_absurdly_deep_documents_give_a_verdict_not_a_crash() -> None:
    deep: Any = 1
    for _ in range(5000):
        deep = [deep]
    result = compare_json(deep, [0])
    assert [(d.pointer, d.kind, d.rule) for d in result.differences] == [
        ("", "changed", "nested too deeply to compare")
    ]
    assert result.score == 0.0
    assert result.to_dict()["differences"] == [
        {"pointer": "", "kind": "changed", "rule": "nested too deeply to compare"}
    ]


def test_mixed_key_types_do_not_break_the_fast_paths() -> None:
    rules = spec({"rules": {"": {"order": "ignore"}}})
    assert compare_json([{1: "a", "b": 2}], [{1: "a", "b": 2}], rules).passed


def test_an_ignored_path_is_noted_once() -> None:
    rules = spec({"ignore": ["/meta"], "rules": {"/meta/v": {"ignore": False}}})
    result = compare_json({"meta": {"v": 1, "t": 1}, "x": 1}, {"meta": "flat", "x": 1}, rules)
    assert [(a.pointer, a.kind) for a in result.applied] == [("/meta", "ignored")]
    assert [(d.pointer, d.kind) for d in result.differences] == [("/meta/v", "missing")]


def test_with_a_regex_rule_identical_values_are_still_judged_by_it() -> None:
    rules = spec({"ignore": ["/gen"], "rules": {"/c": {"regex": "[0-9]+"}}})
    result = compare_json({"gen": 1, "c": "abc"}, {"gen": 1, "c": "abc"}, rules)
    assert [(d.pointer, d.kind) for d in result.differences] == [("/c", "changed")]
    assert result.applied == []  # '/gen' was equal: the ignore excused nothing


@pytest.mark.parametrize(
    "key",
    ["it's", 'say "hi"', "a]b", "['x']", "back\\slash", "new\nline", "1", "", " ", "ü", "a/b", "~"],
)
def test_pointers_name_any_key_exactly(key: str) -> None:
    result = compare_json({key: {"in": 1}, "k": {key: 1}}, {key: {"in": 2}, "k": {}})
    found = {(parse_pointer(d.pointer), d.kind) for d in result.differences}
    assert found == {((key, "in"), "changed"), (("k", key), "missing")}


def test_no_order_difference_when_rules_name_positions() -> None:
    # '/1' is ignored: position 1 is special, so [F, F] vs [None, F] is not a reordering.
    rules = spec({"ignore": ["/1"]})
    assert kinds([False, False], [None, False], {"ignore": ["/1"]}) == [("/0", "type_changed")]
    assert compare_json([1, 2], [2, 1], rules).differences[0].kind == "changed"
    assert kinds([1, 2, 3], [3, 2, 1], {"ignore": ["/*/x"]}) == [("", "order")]


def test_a_regex_rejects_a_value_even_when_both_sides_are_the_same_object() -> None:
    # Found by hypothesis: deepdiff skipped a document compared with itself.
    rules = compile_rules(CompareSpec.model_validate({"rules": {"/0": {"regex": "[a-z]*"}}}))
    document: list[object] = [None]
    result = compare_json(document, document, rules)
    assert [(d.pointer, d.kind) for d in result.differences] == [("/0", "changed")]
    assert not result.passed
