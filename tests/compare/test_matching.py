"""Order-insensitive list matching and pairing of leftovers."""

from __future__ import annotations

from typing import Any

from evalkit.compare import CompareSpec, compile_rules
from evalkit.compare.matching import match_elements, pair_leftovers, values_match


def rules(data: dict[str, Any] | None = None) -> Any:
    return compile_rules(CompareSpec.model_validate(data or {}))


def test_identical_elements_pair_as_a_multiset() -> None:
    matching = match_elements([1, 1, 2], [2, 1, 1], "", rules())
    assert matching.pairs == [(0, 1), (1, 2), (2, 0)]
    assert matching.reordered
    assert (matching.unmatched_expected, matching.unmatched_actual) == ([], [])


def test_elements_pair_under_their_inner_rules() -> None:
    compiled = rules({"rules": {"/*/v": {"tolerance": 0.1}, "/*/n": {"text": "casefold"}}})
    matching = match_elements(
        [{"n": "A", "v": 1.0}, {"n": "B", "v": 2.0}],
        [{"n": "b", "v": 2.05}, {"n": "a", "v": 0.95}, {"n": "c", "v": 0}],
        "",
        compiled,
    )
    assert matching.pairs == [(0, 1), (1, 0)]
    assert matching.unmatched_actual == [2]


def test_a_regex_rule_disables_the_identical_shortcut() -> None:
    # "abc" does not satisfy the regex, so even an identical element must not pair.
    matching = match_elements(["abc"], ["abc"], "", rules({"rules": {"/*": {"regex": "[0-9]+"}}}))
    assert matching.pairs == []
    assert matching.unmatched_expected == [0]


def test_leftovers_pair_by_resemblance_best_first() -> None:
    expected = [{"k": 1, "a": 1, "b": 1}, {"k": 2, "a": 2, "b": 2}]
    actual = [{"k": 2, "a": 2, "b": 9}, {"k": 1, "a": 9, "b": 9}, 7]
    compiled = rules()
    matching = match_elements(expected, actual, "", compiled)
    assert matching.pairs == []
    assert pair_leftovers(expected, actual, matching, "", compiled) == [(0, 1), (1, 0)]
    assert matching.unmatched_actual == [2]


def test_scalars_are_not_paired_as_changes() -> None:
    compiled = rules()
    matching = match_elements([1], [2], "", compiled)
    assert pair_leftovers([1], [2], matching, "", compiled) == []
    assert (matching.unmatched_expected, matching.unmatched_actual) == ([0], [0])


def test_values_match_examples() -> None:
    assert values_match({"a": [1, True]}, {"a": [1.0, True]}, "", rules())
    assert not values_match({"a": [1, True]}, {"a": [1, 1]}, "", rules())
    assert values_match([3, 1, 2], [1, 2, 3], "", rules({"rules": {"": {"order": "ignore"}}}))
    assert not values_match([1, 2], [2, 1], "", rules())


def test_matching_is_maximum_not_first_fit() -> None:
    # First fit pairs 1.0 with 1.04, stranding 1.05 (too far from 0.99); moving 1.0 to 0.99
    # frees 1.04 for 1.05.
    compiled = rules({"rules": {"": {"order": "ignore", "tolerance": 0.05}}})
    matching = match_elements([1.0, 1.05], [1.04, 0.99], "", compiled)
    assert matching.pairs == [(0, 1), (1, 0)]
    assert (matching.unmatched_expected, matching.unmatched_actual) == ([], [])
    assert values_match([1.0, 1.05], [1.04, 0.99], "", compiled)


def test_augmenting_can_move_several_pairs() -> None:
    # Each expected value matches its own actual and the next one; first fit takes the wrong ones.
    compiled = rules({"rules": {"": {"tolerance": 1}}})
    expected = [1, 2, 3, 4]
    actual = [1.5, 2.5, 3.5, 0.5]
    matching = match_elements(expected, actual, "", compiled)
    assert len(matching.pairs) == 4
    assert all(abs(expected[i] - actual[j]) <= 1 for i, j in matching.pairs)
