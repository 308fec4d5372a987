"""The manifest applies compare rules and repeat defaults -> agent -> folder -> example, and gates
top level -> agent: for every field, the most specific level that sets it wins."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.manifest import load_manifest
from evalkit.manifest.levels import merge_gates
from evalkit.manifest.models import Gates
from tests.manifest.project_files import Files, write_files

POINTER = "/lineItems/*/amount"
FIELDS: dict[str, Any] = {
    "tolerance": st.sampled_from([0.0, 0.01, 0.5, 2.0]),
    "weight": st.sampled_from([0.5, 1.0, 3.0]),
    "order": st.sampled_from(["strict", "ignore"]),
    "text": st.sampled_from([["casefold"], ["strip", "whitespace"]]),
}
rule_level = st.fixed_dictionaries({}, optional=FIELDS)
threshold = st.none() | st.sampled_from([0.1, 0.5, 0.9])


def compare_block(rule: dict[str, Any], partial: float | None) -> dict[str, Any]:
    block: dict[str, Any] = {"rules": {POINTER: rule}} if rule else {}
    if partial is not None:
        block["partial_threshold"] = partial
    return block


def most_specific(levels: list[dict[str, Any]], name: str) -> Any:
    values = [level[name] for level in levels if name in level]
    return values[-1] if values else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(rule_level, min_size=4, max_size=4),
    thresholds=st.lists(threshold, min_size=4, max_size=4),
)
def test_most_specific_level_wins_per_field(
    rules: list[dict[str, Any]], thresholds: list[float | None]
) -> None:
    defaults, agent, folder, example = (
        compare_block(r, t) for r, t in zip(rules, thresholds, strict=True)
    )
    manifest = {
        "version": 1,
        "defaults": {"compare": defaults},
        "agents": [
            {
                "slug": "a",
                "compare": agent,
                "examples": [
                    {
                        "folder": "cases",
                        "compare": folder,
                        "examples": {"one": {"compare": example}},
                    },
                    {"name": "inline", "expected": {"x": 1}, "compare": example},
                ],
            }
        ],
    }
    with tempfile.TemporaryDirectory() as folder_name:
        root = Path(folder_name)
        write_files(
            root,
            {
                "evalkit.yaml": json.dumps(manifest),  # JSON is YAML
                "cases/one/input.json": {},
                "cases/one/expected.json": {"x": 1},
            },
        )
        loaded = load_manifest(root / "evalkit.yaml", env={})
    from_folder, inline = loaded.agents[0].examples
    for spec, levels, partials in (
        (from_folder.compare, rules, thresholds),
        # an inline example has no folder level
        (
            inline.compare,
            [rules[0], rules[1], rules[3]],
            [thresholds[0], thresholds[1], thresholds[3]],
        ),
    ):
        rule = spec.rules.get(POINTER)
        for name in FIELDS:
            expected = most_specific(levels, name)
            actual: Any = getattr(rule, name) if rule is not None else None
            actual = [t.value for t in actual] if name == "text" and actual else actual
            actual = actual.value if name == "order" and actual is not None else actual
            assert actual == expected, name
        expected_partial = [p for p in partials if p is not None]
        assert spec.partial_threshold == (expected_partial[-1] if expected_partial else None)


def test_an_example_can_undo_a_default_ignore(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "evalkit.yaml": (
                "version: 1\ndefaults: {compare: {ignore: [/generatedAt]}}\nagents:\n"
                "  - slug: a\n    examples:\n"
                "      - {name: kept, expected: {x: 1}}\n"
                "      - name: checked\n        expected: {x: 1}\n"
                "        compare: {rules: {/generatedAt: {ignore: false, regex: '\\d{4}-.*'}}}\n"
            )
        },
    )
    kept, checked = load_manifest(tmp_path / "evalkit.yaml", env={}).agents[0].examples
    assert kept.compare.ignore == ["/generatedAt"]
    assert "/generatedAt" not in checked.compare.ignore
    assert checked.compare.rules["/generatedAt"].regex == "\\d{4}-.*"


gate_level = st.fixed_dictionaries(
    {},
    optional={
        "min_pass_rate": st.none() | st.sampled_from([0.0, 0.5, 1.0]),
        "max_failures": st.none() | st.integers(0, 5),
        "max_regressions": st.none() | st.integers(0, 5),
    },
)


@given(top=gate_level, agent=gate_level)
def test_gates_come_from_the_most_specific_level_that_sets_them(
    top: dict[str, Any], agent: dict[str, Any]
) -> None:
    merged = merge_gates(Gates(**top), Gates(**agent))
    for name in ("min_pass_rate", "max_failures", "max_regressions"):
        expected = agent[name] if name in agent else top.get(name)
        assert getattr(merged, name) == expected


REPEATS = """version: 1
defaults:
  repeat: 3
agents:
  - slug: bot
    repeat: {pass_if: any}
    examples:
      - {name: plain, input: {a: 1}, expected: {a: 1}}
      - {name: more, input: {a: 1}, expected: {a: 1}, repeat: {times: 5, pass_if: {rate: 0.8}}}
      - {name: adaptive, input: {a: 1}, expected: {a: 1}, repeat: {adaptive: {max: 6}}}
  - slug: once
    repeat: 1
    examples:
      - {name: single, input: {a: 1}, expected: {a: 1}}
"""


def test_repeat_merges_field_by_field_from_the_defaults_down(
    project: Callable[[Files], Path],
) -> None:
    from evalkit.runner.from_manifest import jobs_from_manifest
    from evalkit.runner.repeats import PassRule, RepeatPolicy

    manifest = load_manifest(project({"evalkit.yaml": REPEATS}), env={})
    policies = {job.name: job.repeat for job in jobs_from_manifest(manifest)}
    assert policies == {
        "plain": RepeatPolicy(3, PassRule("any")),
        "more": RepeatPolicy(5, PassRule("rate", 0.8)),
        "adaptive": RepeatPolicy(3, PassRule("any"), adaptive_max=6),
        "single": RepeatPolicy(1),
    }


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("repeat: 0", "greater than or equal to 1"),
        ("repeat: true", "repeat"),
        ("repeat: {pass_if: most}", "pass_if"),
        ("repeat: {times: 2, pass_if: {rate: 1.5}}", "rate 1.5 is out of range"),
    ],
)
def test_a_bad_repeat_is_a_problem_at_its_line(
    project: Callable[[Files], Path], written: str, message: str
) -> None:
    from evalkit.errors import ManifestError

    text = f"version: 1\nagents:\n  - slug: bot\n    {written}\n"
    with pytest.raises(ManifestError) as caught:
        load_manifest(project({"evalkit.yaml": text}), env={})
    problem = caught.value.problems[0]
    assert problem.mark.line == 4
    assert message in str(caught.value)


def test_a_default_tolerance_under_an_example_regex_loads(project: Callable[[Files], Path]) -> None:
    """A refinement across levels, not a contradiction (docs/compare.md): the merged rule holds
    both, and the manifest's models take it as it is (they validated it again, and failed)."""
    text = (
        "version: 1\ndefaults:\n  compare:\n    rules:\n      /total: {tolerance: 0.5}\n"
        "agents:\n  - slug: bot\n    examples:\n"
        "      - {name: one, input: {a: 1}, expected: {total: 5},"
        " compare: {rules: {/total: {regex: '^5$'}}}}\n"
    )
    manifest = load_manifest(project({"evalkit.yaml": text}), env={})
    rule = manifest.agents[0].examples[0].compare.rules["/total"]
    assert (rule.regex, rule.tolerance) == ("^5$", 0.5)


_TWO_EXAMPLES = (
    "    examples:\n"
    "      - {name: one, input: {q: 1}, expected: {a: 1}}\n"
    "      - {name: two, input: {q: 2}, expected: {a: 2}}\n"
)


@pytest.mark.parametrize(
    ("text", "line", "column", "message", "hint"),
    [
        (
            "version: 1\nagents:\n  - slug: bot\n    repeat: {times: 3, pass_if: {at_least: 5}}\n"
            + _TWO_EXAMPLES,
            4,
            24,
            "agents[0].repeat.pass_if: at_least 5 can never pass with 3 attempt(s) (times 3)",
            "set times to 5 or more, or lower at_least to 3 or less",
        ),
        (
            "version: 1\ndefaults:\n  repeat: {pass_if: {at_least: 3}}\n"
            "agents:\n  - slug: bot\n    repeat: 2\n" + _TWO_EXAMPLES,
            3,
            12,
            "defaults.repeat.pass_if: at_least 3 can never pass with 2 attempt(s) "
            "(times 2 at agents[0].repeat)",
            "set times to 3 or more",
        ),
        (
            "version: 1\ndefaults:\n  repeat: {pass_if: {at_least: 3}}\n"
            "agents:\n  - slug: bot\n" + _TWO_EXAMPLES,
            3,
            12,
            "with 1 attempt(s) (times not set, so 1)",
            "set times to 3 or more",
        ),
        (
            "version: 1\nagents:\n  - slug: bot\n"
            "    repeat: {times: 9, pass_if: {at_least: 5}, adaptive: {max: 4}}\n" + _TWO_EXAMPLES,
            4,
            24,
            "at_least 5 can never pass with 4 attempt(s) (adaptive max 4)",
            "raise adaptive max to 5 or more",
        ),
    ],
)
def test_a_pass_if_the_attempts_can_never_meet_is_one_problem_at_the_pass_if(
    project: Callable[[Files], Path], text: str, line: int, column: int, message: str, hint: str
) -> None:
    from evalkit.errors import ManifestError

    with pytest.raises(ManifestError) as caught:
        load_manifest(project({"evalkit.yaml": text}), env={})
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]  # once, not once per example
    assert (problems[0].mark.line, problems[0].mark.column) == (line, column)
    assert message in problems[0].message
    assert hint in problems[0].hint


def test_an_impossible_pass_if_is_found_on_folder_examples_and_their_entries(
    project: Callable[[Files], Path],
) -> None:
    from evalkit.errors import ManifestError

    text = (
        "version: 1\nagents:\n  - slug: bot\n    examples:\n"
        "      - folder: cases\n        repeat: {times: 4, pass_if: {at_least: 4}}\n"
        "        examples:\n          two: {repeat: 3}\n"
    )
    one = {"input.json": {"q": 1}, "expected.json": {"a": 1}}
    files = {f"cases/{name}/{file}": data for name in ("one", "two") for file, data in one.items()}
    with pytest.raises(ManifestError) as caught:
        load_manifest(project({"evalkit.yaml": text, **files}), env={})
    (problem,) = caught.value.problems
    assert (problem.mark.line, problem.mark.column) == (6, 28)
    assert "(times 3 at agents[0].examples[0].examples.two.repeat)" in problem.message
