"""Properties of the JSON comparison that must hold for any document and rule set."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.compare import (
    CompareSpec,
    Difference,
    FileRule,
    compare_files,
    compare_json,
    compile_rules,
)
from evalkit.compare.matching import values_match
from evalkit.compare.pointers import format_pointer

from .strategies import JSON, SCALARS, deleted, edited, paths, replaced, rules_for

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_identical_values_always_pass_with_score_one(data: st.DataObject) -> None:
    document = data.draw(JSON)
    rules = data.draw(rules_for(document))  # no regex: a regex may reject the expected value
    result = compare_json(document, document, rules)
    assert result.differences == []
    assert result.score == 1.0


@SETTINGS
@given(st.data())
def test_ignoring_a_path_makes_any_change_there_invisible(data: st.DataObject) -> None:
    expected = data.draw(JSON)
    actual = data.draw(edited(expected))
    path = data.draw(st.sampled_from(paths(actual)))
    rules = CompareSpec(ignore=[format_pointer(path)])
    if path and isinstance(_get(actual, path[:-1]), dict) and data.draw(st.booleans()):
        changed = deleted(actual, path)
    else:
        changed = replaced(actual, path, data.draw(JSON))
    before = compare_json(expected, actual, rules)
    after = compare_json(expected, changed, rules)
    # Enclosing differences may show the ignored part inside their values; what they are and
    # where does not change, nor does the score.
    assert _shape(after.differences) == _shape(before.differences)
    assert after.score == before.score


@SETTINGS
@given(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=5),
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=5),
    st.sampled_from([0.0, 0.01, 1.0, 50.0]),
)
def test_tolerance_is_symmetric(left: list[float], right: list[float], tolerance: float) -> None:
    rules = CompareSpec.model_validate({"rules": {"": {"tolerance": tolerance}}})
    forward = compare_json({"v": left}, {"v": right}, rules)
    backward = compare_json({"v": right}, {"v": left}, rules)
    assert forward.passed == backward.passed
    assert [d.pointer for d in forward.differences if d.kind == "changed"] == [
        d.pointer for d in backward.differences if d.kind == "changed"
    ]


@SETTINGS
@given(st.data())
def test_the_fast_predicate_agrees_with_the_full_comparison(data: st.DataObject) -> None:
    expected = data.draw(JSON)
    actual = data.draw(edited(expected)) if data.draw(st.booleans()) else data.draw(JSON)
    rules = compile_rules(data.draw(rules_for(expected, regex=True)))
    result = compare_json(expected, actual, rules)
    assert values_match(expected, actual, "", rules) == result.passed, result.differences


@SETTINGS
@given(st.data())
def test_score_is_a_share_and_a_pass_scores_one(data: st.DataObject) -> None:
    expected = data.draw(JSON)
    actual = data.draw(edited(expected))
    result = compare_json(expected, actual, data.draw(rules_for(expected, regex=True)))
    assert 0.0 <= result.score <= 1.0
    assert result.matched_weight <= result.total_weight
    if result.passed:
        assert result.score == 1.0


@SETTINGS
@given(st.data())
def test_only_differences_lower_the_score(data: st.DataObject) -> None:
    expected = data.draw(JSON)
    actual = data.draw(edited(expected))
    result = compare_json(expected, actual, data.draw(rules_for(expected)))
    lowering = [d for d in result.differences if d.kind in ("changed", "missing", "type_changed")]
    if result.total_weight and not lowering:
        assert result.score == 1.0
    if lowering and result.total_weight:
        assert result.score < 1.0


@SETTINGS
@given(JSON, SCALARS)
def test_a_comparison_never_changes_its_inputs(document: Any, extra: Any) -> None:
    expected, actual = [document, extra], [extra, document]
    snapshot = repr((expected, actual))
    compare_json(expected, actual, CompareSpec.model_validate({"rules": {"": {"order": "ignore"}}}))
    assert repr((expected, actual)) == snapshot


def _shape(differences: list[Difference]) -> list[tuple[str, str, str | None]]:
    return [(d.pointer, d.kind, d.rule) for d in differences]


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for segment in path:
        document = document[segment]
    return document


@SETTINGS
@given(st.data())
def test_order_insensitive_lists_ignore_any_permutation(data: st.DataObject) -> None:
    expected = data.draw(st.lists(JSON, max_size=6))
    actual = data.draw(edited(expected)) if data.draw(st.booleans()) else list(expected)
    if not isinstance(actual, list):
        actual = [actual]
    shuffled = data.draw(st.permutations(actual))
    rules = CompareSpec.model_validate(
        {"rules": {"": {"order": "ignore"}, "/*/n": {"tolerance": 1}}}
    )
    original = compare_json(expected, actual, rules)
    permuted = compare_json(expected, shuffled, rules)
    assert permuted.passed == original.passed
    assert permuted.score == original.score
    assert len(permuted.differences) == len(original.differences)


@SETTINGS
@given(st.data())
def test_identical_files_match_in_every_mode(data: st.DataObject) -> None:
    content = data.draw(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
    mode = data.draw(st.sampled_from(["bytes", "text", "json", "csv", "exists"]))
    [result] = compare_files({"f": content}, {"f": content}, {"f": FileRule(mode=mode)})
    assert result.status == "match"
    assert result.score == 1.0
