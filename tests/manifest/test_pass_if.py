"""A mistake in ``repeat: {pass_if: ...}`` is one problem: what is wrong, at its line and column,
with the accepted forms (or a "did you mean"), wherever ``repeat:`` is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest import load_manifest
from tests.manifest.project_files import Files

FORMS = "pass_if is all, any, {at_least: K} or {rate: R}"


def _agent_manifest(pass_if: str) -> str:
    return (
        "version: 1\n"
        "agents:\n"
        "  - slug: answerer\n"
        f"    repeat: {{times: 3, pass_if: {pass_if}}}\n"
        "    examples:\n"
        "      - {name: refund, input: {q: 1}, expected: {a: 1}}\n"
    )


def _only_problem(path: Path) -> ManifestProblem:
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={})
    problems = caught.value.problems
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


#: ``pass_if`` starts at column 33 of the agent's ``repeat:`` line (line 4)
@pytest.mark.parametrize(
    ("written", "column", "message", "hint"),
    [
        ("{rate: 2}", 40, "rate 2 is out of range: more than 0 and at most 1", "{at_least: 2}"),
        ("{rate: 80}", 40, "rate 80 is out of range", "did you mean {rate: 0.8}?"),
        ("{rate: 0}", 40, "rate 0 is out of range", "e.g. {rate: 0.8}"),
        ("{rate: true}", 40, "rate takes a number, got boolean true", "{rate: R}"),
        ("{at_least: two}", 44, "at_least takes a whole number, got string 'two'", "1 to 100"),
        ("{at_least: 0}", 44, "at_least 0 is out of range: 1 to 100", "{at_least: K}"),
        ("{at_least: 2.5}", 44, "at_least takes a whole number, got number 2.5", "{at_least: K}"),
        ("{at_least: 2, rate: 0.5}", 47, "at_least and rate together", "{at_least: 2} or {rate"),
        ("{rat: 0.8}", 34, "unknown key 'rat'", f"did you mean 'rate'? {FORMS}"),
        ("{At_least: 2}", 34, "unknown key 'At_least'", "did you mean 'at_least'?"),
        ("{}", 33, "an empty mapping is not a rule", FORMS),
        ("'rate 0.8'", 33, "the command line's form (--pass-if)", "pass_if: {rate: 0.8}"),
        ("'at_least 2'", 33, "the command line's form", "pass_if: {at_least: 2}"),
        ("alll", 33, "string 'alll' is not a rule", f"did you mean 'all'? {FORMS}"),
        ("3", 33, "number 3 is not a rule", "write {at_least: 3}"),
        ("[all]", 33, "a list is not a rule", FORMS),
    ],
)
def test_a_bad_pass_if_is_one_problem_at_the_mistake(
    project: Callable[[Files], Path], written: str, column: int, message: str, hint: str
) -> None:
    problem = _only_problem(project({"evalkit.yaml": _agent_manifest(written)}))
    assert (problem.mark.line, problem.mark.column) == (4, column)
    assert problem.message.startswith("agents[0].repeat.pass_if: ")
    assert message in problem.message
    assert hint in problem.hint
    assert "literal" not in problem.message  # no pydantic internals


@pytest.mark.parametrize("written", ["all", "any", "{at_least: 3}", "{rate: 0.8}", "{rate: 1}"])
def test_every_accepted_form_loads(project: Callable[[Files], Path], written: str) -> None:
    load_manifest(project({"evalkit.yaml": _agent_manifest(written)}), env={})


@pytest.mark.parametrize(
    ("text", "line", "column", "where"),
    [
        (
            "version: 1\ndefaults:\n  repeat: {times: 2, pass_if: {rat: 0.5}}\n",
            3,
            32,
            "defaults.repeat.pass_if",
        ),
        (
            "version: 1\nagents:\n  - slug: bot\n    examples:\n"
            "      - name: one\n        expected: {a: 1}\n"
            "        repeat:\n          pass_if: {rate: 5}\n",
            8,
            27,
            "agents[0].examples[0].repeat.pass_if",
        ),
        (
            "version: 1\nworkflows:\n  - workflow: flow\n    repeat:\n      pass_if: 'rate 1'\n",
            5,
            16,
            "workflows[0].repeat.pass_if",
        ),
        (
            "version: 1\nagents:\n  - slug: bot\n    examples:\n      - folder: cases\n"
            "        examples:\n          one: {repeat: {pass_if: {at_least: -1}}}\n",
            7,
            46,
            "agents[0].examples[0].examples.one.repeat.pass_if",
        ),
    ],
)
def test_every_level_of_repeat_reports_the_same_way(
    project: Callable[[Files], Path], text: str, line: int, column: int, where: str
) -> None:
    problem = _only_problem(project({"evalkit.yaml": text}))
    assert (problem.mark.line, problem.mark.column) == (line, column)
    assert problem.message.startswith(f"{where}: ")


@pytest.mark.parametrize(
    ("written", "message", "hint"),
    [
        ('"three"', "string 'three' is not a repeat", "repeat is a number of attempts"),
        ("[3]", "a list is not a repeat", "repeat is a number of attempts (repeat: 5) or {times"),
        ("true", "boolean true is not a repeat", "repeat is a number of attempts"),
    ],
)
def test_a_repeat_that_is_neither_a_number_nor_a_mapping_names_both_forms(
    project: Callable[[Files], Path], written: str, message: str, hint: str
) -> None:
    text = f"version: 1\ndefaults:\n  repeat: {written}\n"
    problem = _only_problem(project({"evalkit.yaml": text}))
    assert (problem.mark.line, problem.mark.column) == (3, 11)
    assert problem.message == f"defaults.repeat: {message}"
    assert hint in problem.hint


@pytest.mark.parametrize(
    "written", ["3", '"3"', "${TIMES}", "{times: 3}", '{times: "${TIMES}", pass_if: any}']
)
def test_a_repeat_loads_as_a_number_or_a_mapping(
    project: Callable[[Files], Path], written: str
) -> None:
    text = (
        f"version: 1\ndefaults:\n  repeat: {written}\n"
        "agents:\n  - slug: answerer\n    examples:\n      - {name: one, expected: {a: 1}}\n"
    )
    (example,) = load_manifest(project({"evalkit.yaml": text}), env={"TIMES": "3"}).examples()
    assert example.repeat is not None
    assert example.repeat.times == 3
