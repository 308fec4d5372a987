"""Merging compare blocks: later (more specific) wins per path and field."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.compare.rules import MERGED, CompareSpec
from evalkit.compare.spec_merge import merge_specs


def spec(data: dict[str, Any]) -> CompareSpec:
    return CompareSpec.model_validate(data)


def explicit(merged: CompareSpec) -> dict[str, Any]:
    """The spec as written, fields set explicitly included (equality alone ignores them)."""
    return merged.model_dump(mode="json", exclude_unset=True)


def test_later_fields_win_and_others_are_inherited() -> None:
    merged = merge_specs(
        spec({"rules": {"/total": {"tolerance": 0.1, "weight": 2}}}),
        spec({"rules": {"/total": {"tolerance": 0.01}}}),
    )
    assert explicit(merged)["rules"] == {"/total": {"tolerance": 0.01, "weight": 2.0}}


def test_ignore_lists_are_united_without_duplicates() -> None:
    merged = merge_specs(spec({"ignore": ["/a", "/b"]}), None, spec({"ignore": ["/b", "/c"]}))
    assert set(merged.ignore) == {"/a", "/b", "/c"}
    assert len(merged.ignore) == 3


def test_explicit_ignore_false_in_a_later_block_unignores() -> None:
    merged = merge_specs(spec({"ignore": ["/a", "/b"]}), spec({"rules": {"/a": {"ignore": False}}}))
    assert merged.ignore == ["/b"]
    assert explicit(merged)["rules"] == {"/a": {"ignore": False}}


def test_a_later_ignore_entry_drops_an_earlier_unignore() -> None:
    merged = merge_specs(
        spec({"rules": {"/a": {"ignore": False, "weight": 2}}}), spec({"ignore": ["/a"]})
    )
    assert merged.ignore == ["/a"]
    assert explicit(merged)["rules"] == {"/a": {"weight": 2.0}}


def test_file_rules_merge_per_field_and_nested_compare_recursively() -> None:
    merged = merge_specs(
        spec({"files": {"*.csv": {"order": "ignore", "compare": {"ignore": ["/0/id"]}}}}),
        spec({"files": {"*.csv": {"text": "strip", "compare": {"ignore": ["/1/id"]}}}}),
    )
    rule = merged.files["*.csv"]
    assert rule.order is not None
    assert rule.order.value == "ignore"
    assert rule.text is not None
    assert [t.value for t in rule.text] == ["strip"]
    assert rule.compare is not None
    assert rule.compare.ignore == ["/0/id", "/1/id"]


def test_a_file_ignore_is_inherited_and_a_later_false_takes_it_back() -> None:
    agent = spec({"files": {"*.log": {"ignore": True, "mode": "text"}}})
    assert merge_specs(agent, spec({"files": {"*.log": {"text": "strip"}}})).files["*.log"].ignore
    example = spec({"files": {"*.log": {"ignore": False}}})
    rule = merge_specs(agent, example).files["*.log"]
    assert (rule.ignore, rule.mode.value) == (False, "text")


def test_threshold_last_setter_wins() -> None:
    assert merge_specs(spec({"partial_threshold": 0.3}), spec({})).partial_threshold == 0.3
    merged = merge_specs(spec({"partial_threshold": 0.3}), spec({"partial_threshold": 0.8}))
    assert merged.partial_threshold == 0.8


def test_no_blocks_give_an_empty_spec() -> None:
    assert explicit(merge_specs()) == {}
    assert explicit(merge_specs(None, None)) == {}


_POINTERS = st.sampled_from(["/a", "/b", "/a/*", "/**/id", "/c/0"])
_PATH_RULES = st.fixed_dictionaries(
    {},
    optional={
        "ignore": st.booleans(),
        "tolerance": st.sampled_from([0.0, 0.5, 1.0]),
        "text": st.sampled_from(["casefold", "strip"]),
        "order": st.sampled_from(["strict", "ignore"]),
        "weight": st.sampled_from([1.0, 2.0]),
    },
)
_FILE_RULES = st.fixed_dictionaries(
    {},
    optional={
        "mode": st.sampled_from(["text", "csv"]),
        "order": st.sampled_from(["strict", "ignore"]),
        "compare": st.fixed_dictionaries({}, optional={"ignore": st.lists(_POINTERS, max_size=2)}),
    },
)
SPECS = st.builds(
    lambda data: CompareSpec.model_validate(data, context=MERGED),  # any mix, as merges make
    st.fixed_dictionaries(
        {},
        optional={
            "ignore": st.lists(_POINTERS, max_size=3, unique=True),
            "rules": st.dictionaries(_POINTERS, _PATH_RULES, max_size=3),
            "files": st.dictionaries(st.sampled_from(["*.csv", "a.csv"]), _FILE_RULES, max_size=2),
            "partial_threshold": st.sampled_from([0.0, 0.5, 1.0]),
        },
    ),
)


@settings(max_examples=200)
@given(SPECS, SPECS, SPECS)
def test_merge_is_associative(a: CompareSpec, b: CompareSpec, c: CompareSpec) -> None:
    left = merge_specs(merge_specs(a, b), c)
    right = merge_specs(a, merge_specs(b, c))
    assert explicit(left) == explicit(right)
    assert list(left.rules) == list(right.rules)  # order decides ties between patterns
    assert explicit(left) == explicit(merge_specs(a, b, c))


@given(SPECS)
def test_the_empty_spec_is_the_identity(a: CompareSpec) -> None:
    once = merge_specs(a)
    assert explicit(merge_specs(a, CompareSpec())) == explicit(once)
    assert explicit(merge_specs(CompareSpec(), a)) == explicit(once)
    assert explicit(merge_specs(once)) == explicit(once)  # merging is idempotent


@given(SPECS)
def test_merging_with_itself_changes_nothing(a: CompareSpec) -> None:
    assert explicit(merge_specs(a, a)) == explicit(merge_specs(a))


def test_a_rule_s_ignore_true_after_a_listed_ignore_keeps_the_merge_associative() -> None:
    """Found by hypothesis: an ignore list entry, then ``ignore: false``, then ``ignore: true``
    merged to two different specs depending on the grouping (both ignoring the path)."""
    a = CompareSpec.model_validate({"ignore": ["/a"]})
    b = CompareSpec.model_validate({"rules": {"/a": {"ignore": False}}})
    c = CompareSpec.model_validate({"rules": {"/a": {"ignore": True}}})
    left = merge_specs(merge_specs(a, b), c)
    assert left == merge_specs(a, merge_specs(b, c))
    assert left.ignore == []
    assert left.rules["/a"].ignore is True
