"""Keys that contradict each other in one block are refused (issue 10 item 5); merges may mix."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from evalkit.compare import merge_specs
from evalkit.compare.conflicts import PATH_RULE_KEYS, file_rule_conflict, path_rule_conflict
from evalkit.compare.rules import MERGED, CompareSpec

VALUES: dict[str, Any] = {
    "ignore": True,
    "present": True,
    "regex": "[A-Z]+",
    "tolerance": 0.0,  # zero is a tolerance too
    "relative_tolerance": 0.1,
    "strings_as_numbers": True,
    "text": ["casefold"],
    "order": "strict",
    "weight": 2.0,
    "similarity": {"min": 0.8},
    "contains": ["refund"],
    "not_contains": ["guarantee"],
    "contains_any": ["yes", "no"],
    "length": {"max": 200, "unit": "words"},
    "json_schema": "schemas/answer.json",
    "python": "scorers/reply.py:polite",
    "judge": {"agent": "tone-judge", "rubric": "polite"},
}
SCORERS = {
    "similarity",
    "contains",
    "not_contains",
    "contains_any",
    "length",
    "json_schema",
    "python",
    "judge",
}
# The whole matrix: every pair of keys that cannot share a rule.
STOPPED = {"regex", "tolerance", "relative_tolerance", "strings_as_numbers", "text", "order"}
NOT_WITH_SCORERS = {"tolerance", "relative_tolerance", "strings_as_numbers", "order"}
INCOMPATIBLE = (
    {frozenset({"present", key}) for key in STOPPED | SCORERS}
    | {frozenset({"regex", key}) for key in STOPPED - {"regex"} | {"similarity"}}
    | {frozenset({scorer, key}) for scorer in SCORERS for key in NOT_WITH_SCORERS}
    | {frozenset({"json_schema", "text"})}  # no text scorer beside it reads 'text'
    | {frozenset({"python", "text"})}  # the same
    | {frozenset({"judge", "text"})}  # the same
)


@pytest.mark.parametrize(
    "pair",
    [(a, b) for i, a in enumerate(PATH_RULE_KEYS) for b in PATH_RULE_KEYS[i + 1 :]],
    ids="+".join,
)
def test_the_matrix_of_keys_in_one_rule(pair: tuple[str, str]) -> None:
    rule = {key: VALUES[key] for key in pair}
    data = {"rules": {"/x": rule}}
    if frozenset(pair) in INCOMPATIBLE:
        with pytest.raises(ValidationError) as caught:
            CompareSpec.model_validate(data)
        (error,) = caught.value.errors()
        assert error["loc"] == ("rules", "/x")
        assert "cannot be combined with" in error["msg"]
    else:
        CompareSpec.model_validate(data)


def test_the_message_names_the_key_that_would_never_apply_first() -> None:
    problem = path_rule_conflict({"regex": "x", "tolerance": 0.01, "text": ["strip"]})
    assert problem == (
        "'tolerance' and 'text' cannot be combined with 'regex' in one rule: a regex judges "
        "the actual value on its own, as text, so they would never apply; keep one of them"
    )
    assert path_rule_conflict({"present": False, "tolerance": 0.01}) is None  # says nothing


def test_every_contradiction_of_a_block_is_reported_at_its_rule() -> None:
    data = {
        "ignore": ["/a"],
        "rules": {
            "/a": {"ignore": False},
            "/b": {"present": True, "order": "ignore"},
            "/c": {"tolerance": 0.01, "text": "strip"},  # numbers and strings below /c: fine
            "/d": {"ignore": True, "tolerance": 0.01},  # waits for an 'ignore: false'
        },
        "files": {"*.txt": {"compare": {"rules": {"/x": {"regex": "a"}}}}},
    }
    with pytest.raises(ValidationError) as caught:
        CompareSpec.model_validate(data)
    assert [e["loc"] for e in caught.value.errors()] == [
        ("rules", "/a"),
        ("rules", "/b"),
        ("files", "*.txt"),
    ]


def test_a_block_inside_a_file_rule_is_checked_too() -> None:
    data = {"files": {"*.json": {"compare": {"rules": {"/x": {"regex": "a", "present": True}}}}}}
    with pytest.raises(ValidationError) as caught:
        CompareSpec.model_validate(data)
    assert [e["loc"] for e in caught.value.errors()] == [
        ("files", "*.json", "compare", "rules", "/x")
    ]


@pytest.mark.parametrize(
    ("glob", "fields", "dead"),
    [
        ("*.json", {"text": ["strip"]}, "'text'"),
        ("*.json", {"order": "ignore"}, "'order'"),
        ("a.json", {"mode": "csv", "order": "ignore", "text": ["strip"]}, None),
        ("*.csv", {"order": "ignore", "text": ["strip"], "compare": {}}, None),
        ("*.txt", {"order": "ignore", "compare": {}}, "'order' and 'compare'"),
        ("*", {"text": ["strip"]}, None),  # the name does not decide the mode
        ("report.*", {"order": "ignore"}, None),
        ("*.bin", {"text": ["strip"]}, "'text'"),
        ("out", {"mode": "exists", "compare": {}}, "'compare'"),
        ("x.csv", {"mode": "bytes", "order": "ignore"}, "'order'"),
        ("*.log", {"ignore": True, "mode": "text", "text": ["strip"]}, None),
    ],
)
def test_file_rule_keys_must_fit_the_mode(
    glob: str, fields: dict[str, Any], dead: str | None
) -> None:
    problem = file_rule_conflict(glob, fields)
    if dead is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.startswith(dead + " cannot be combined with mode")


def test_merged_blocks_may_combine_what_one_block_may_not() -> None:
    defaults = CompareSpec.model_validate({"rules": {"/id": {"tolerance": 0.01}}})
    example = CompareSpec.model_validate({"rules": {"/id": {"regex": "INV-[0-9]+"}}})
    merged = merge_specs(defaults, example)
    assert merged.rules["/id"].regex == "INV-[0-9]+"
    with pytest.raises(ValidationError):
        CompareSpec.model_validate(merged.model_dump(exclude_unset=True))
    again = CompareSpec.model_validate(merged.model_dump(exclude_unset=True), context=MERGED)
    assert again == merged
