"""Rule resolution: which rule governs a path, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.compare.compiled import DEFAULT_RULE, compile_rules
from evalkit.compare.rules import MERGED, CompareSpec, TextNormalisation


def spec(data: dict[str, Any]) -> CompareSpec:
    return CompareSpec.model_validate(data)


def test_no_rules_resolve_to_the_default() -> None:
    rules = compile_rules(None)
    assert rules.empty
    assert rules.resolve("/anything") == DEFAULT_RULE
    assert DEFAULT_RULE.weight == 1.0
    assert not DEFAULT_RULE.ignore


def test_a_rule_governs_its_path_and_everything_below() -> None:
    rules = compile_rules(spec({"rules": {"/totals": {"tolerance": 0.5}}}))
    assert rules.resolve("/totals").tolerance == 0.5
    assert rules.resolve("/totals/net/0").tolerance == 0.5
    assert rules.resolve("/totalsx").tolerance is None
    assert rules.resolve("").tolerance is None


def test_ignore_list_entries_ignore_subtrees() -> None:
    rules = compile_rules(spec({"ignore": ["/meta", "/items/*/id"]}))
    assert rules.resolve("/meta").ignore
    assert rules.resolve("/meta/created/at").ignore
    assert rules.resolve("/items/3/id").ignore
    assert not rules.resolve("/items/3/name").ignore
    assert not rules.has_unignore


def test_more_specific_rule_wins_per_field() -> None:
    rules = compile_rules(
        spec(
            {
                "rules": {
                    "/**": {"tolerance": 0.1, "text": "casefold"},
                    "/totals": {"tolerance": 0.01},
                    "/totals/net": {"weight": 3},
                }
            }
        )
    )
    net = rules.resolve("/totals/net")
    assert net.tolerance == 0.01  # '/totals' (a literal) beats '/**' although '/**' is deeper
    assert net.weight == 3
    assert net.text == (TextNormalisation.CASEFOLD,)  # inherited: nobody more specific set it
    assert rules.resolve("/other").tolerance == 0.1


def test_explicit_ignore_false_unignores_below_an_ignored_path() -> None:
    rules = compile_rules(
        spec({"ignore": ["/meta"], "rules": {"/meta/version": {"ignore": False}}})
    )
    assert rules.has_unignore
    assert rules.resolve("/meta/other").ignore
    assert not rules.resolve("/meta/version").ignore
    assert not rules.resolve("/meta/version/major").ignore


def test_a_default_ignore_false_does_not_unignore() -> None:
    rules = compile_rules(spec({"ignore": ["/meta"], "rules": {"/meta/version": {"weight": 2}}}))
    assert not rules.has_unignore
    assert rules.resolve("/meta/version").ignore


def test_rules_win_over_the_ignore_list_for_the_same_path() -> None:
    # One block may not say both (see test_conflicts); a merged rule set may.
    data = {"ignore": ["/a"], "rules": {"/a": {"ignore": False}}}
    rules = compile_rules(CompareSpec.model_validate(data, context=MERGED))
    assert not rules.resolve("/a").ignore


def test_equal_specificity_goes_to_the_later_declaration() -> None:
    rules = compile_rules(spec({"rules": {"/a/*": {"tolerance": 1}, "/*/b": {"tolerance": 2}}}))
    assert rules.resolve("/a/b").tolerance == 2
    swapped = compile_rules(spec({"rules": {"/*/b": {"tolerance": 2}, "/a/*": {"tolerance": 1}}}))
    assert swapped.resolve("/a/b").tolerance == 1


@pytest.mark.parametrize("field", ["regex", "present"])
def test_regex_and_present_apply_to_the_matched_path_only(field: str) -> None:
    value: Any = "[a-z]+" if field == "regex" else True
    rules = compile_rules(spec({"rules": {"/code": {field: value}}}))
    assert getattr(rules.resolve("/code"), field)
    assert not getattr(rules.resolve("/code/0"), field)


def test_order_strict_overrides_an_inherited_ignore() -> None:
    rules = compile_rules(
        spec({"rules": {"/lists": {"order": "ignore"}, "/lists/ranked": {"order": "strict"}}})
    )
    assert rules.resolve("/lists/any").unordered
    assert not rules.resolve("/lists/ranked").unordered


def test_compiling_the_same_rules_twice_gives_the_cached_object() -> None:
    first = compile_rules(spec({"ignore": ["/x"], "partial_threshold": 0.2}))
    second = compile_rules(spec({"ignore": ["/x"], "files": {"a.txt": {"mode": "text"}}}))
    assert first is second  # files and thresholds do not change the path rules
    assert compile_rules(spec({"ignore": ["/y"]})) is not first


def test_resolution_is_cached_per_path_and_stays_correct() -> None:
    rules = compile_rules(spec({"rules": {"/a": {"tolerance": 1}}}))
    assert rules.resolve("/a/b") is rules.resolve("/a/b")
    assert rules.resolve("/b").tolerance is None


def test_descriptions_name_the_rule() -> None:
    rules = compile_rules(
        spec(
            {
                "rules": {
                    "/n": {"tolerance": 0.01, "relative_tolerance": 0.1},
                    "/t": {"text": ["strip", "casefold"]},
                }
            }
        )
    )
    assert rules.resolve("/n").describe_numeric() == "tolerance 0.01 or relative tolerance 0.1"
    assert rules.resolve("/t").describe_text() == "text strip+casefold"


@pytest.mark.parametrize(
    ("patterns", "list_pointer", "positional"),
    [
        (["/items/*/id"], "/items", False),
        (["/items/0/id"], "/items", True),
        (["/items/0"], "/items", True),
        (["/*/0"], "/items", True),
        (["/other/0"], "/items", False),
        (["/items"], "/items", False),
        (["/items/x/0"], "/items", False),  # a number deeper down, not an element index
        (["/**/0"], "/items", True),  # conservative after '**'
        (["/**/id"], "/items", False),
        (["/1"], "", True),
        (["/a"], "", False),
    ],
)
def test_rules_naming_list_positions(
    patterns: list[str], list_pointer: str, positional: bool
) -> None:
    rules = compile_rules(spec({"ignore": patterns}))
    assert rules.names_positions(list_pointer) is positional
