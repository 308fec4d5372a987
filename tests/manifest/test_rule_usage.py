"""``validate``'s "a key that never applies" warnings (``evalkit.manifest.rule_usage``): every
key a rule can hold, on values of every kind, warns or stays quiet, never crashes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from evalkit.compare.rules import PathRule
from evalkit.manifest.checks import validate_manifest
from tests.manifest.project_files import Files

#: a value each key accepts (files named here are written by ``_project``)
SAMPLE_VALUES: dict[str, Any] = {
    "ignore": False,
    "tolerance": 0.01,
    "relative_tolerance": 0.01,
    "strings_as_numbers": True,
    "text": ["casefold"],
    "order": "ignore",
    "regex": "x",
    "present": True,
    "weight": 2,
    "similarity": {"min": 0.8},
    "contains": ["x"],
    "not_contains": ["x"],
    "contains_any": ["x"],
    "length": {"max": 10},
    "json_schema": "schemas/any.json",
    "python": "scorers/ok.py:score",
    "judge": {"agent": "judge", "rubric": "x"},
}
#: keys that work on a value of any kind (never "never applies")
ANY_VALUE = {"ignore", "present", "weight", "json_schema", "python", "judge"}
EXPECTED = {"count": 7, "name": "ACME", "tags": ["a"], "meta": {"by": "me"}, "none": None}


def _project(project: Callable[[Files], Path], rules: dict[str, Any]) -> Path:
    manifest = {
        "version": 1,
        "agents": [
            {
                "slug": "a",
                "compare": {"rules": rules},
                "examples": [{"name": "one", "input": {"q": 1}, "expected": EXPECTED}],
            },
            {"slug": "judge"},  # for the judge rules
        ],
    }
    return project(
        {
            "evalkit.yaml": yaml.safe_dump(manifest, sort_keys=False),
            "schemas/any.json": {"type": "object"},
            "scorers/ok.py": "def score(actual):\n    return True\n",
        }
    )


def test_every_rule_key_has_a_sample_value() -> None:
    assert set(SAMPLE_VALUES) == set(PathRule.model_fields)


@pytest.mark.parametrize("key", sorted(PathRule.model_fields))
def test_no_key_crashes_validate_on_any_kind_of_value(
    project: Callable[[Files], Path], key: str
) -> None:
    rules = {f"/{name}": {key: SAMPLE_VALUES[key]} for name in EXPECTED}
    result = validate_manifest(_project(project, rules), env={})  # raises on errors
    never = [w for w in result.warnings if "never applies" in w.message]
    if key in ANY_VALUE:
        assert never == []
    else:
        assert never, f"{key!r} on every kind of value warns somewhere"
        assert all(w.hint for w in never)


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("contains", "contains, not_contains and contains_any look for phrases in text"),
        ("not_contains", "contains, not_contains and contains_any look for phrases in text"),
        ("contains_any", "contains, not_contains and contains_any look for phrases in text"),
        ("similarity", "similarity compares texts"),
        ("length", "length counts the characters or words of a text"),
    ],
)
def test_a_text_scorer_on_a_number_warns_at_its_key(
    project: Callable[[Files], Path], key: str, hint: str
) -> None:
    result = validate_manifest(_project(project, {"/count": {key: SAMPLE_VALUES[key]}}), env={})
    (warning,) = result.warnings
    assert warning.message == (
        f"{key!r} in rule '/count' never applies: the expected values there are numbers, "
        f"never {'strings or lists' if 'contains' in key else 'strings'}"
    )
    assert warning.hint.startswith(hint)
