"""Parsing and checking one workflow file; errors carry file:line:column."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evalkit.emulator.workflows.definitions import WorkflowDefinitionError, parse_workflow
from evalkit.errors import ConfigError


def parse(text: str) -> object:
    return parse_workflow(textwrap.dedent(text), "wf.yaml")


def test_a_valid_workflow() -> None:
    spec = parse_workflow(
        textwrap.dedent(
            """
            name: summary
            steps:
              - id: extract
                agent: invoice-extractor
                timeoutSeconds: 30
                input: {doc: "${input.doc}"}
              - id: sum
                builtin: fixed
                output: {total: "${steps.extract.output.total}"}
            output: "${steps.sum.output}"
            """
        ),
        "wf.yaml",
    )
    assert [s.id for s in spec.steps] == ["extract", "sum"]
    assert spec.steps[0].kind == "agent"
    assert spec.steps[0].timeout_seconds == 30
    assert spec.steps[1].kind == "builtin"
    assert spec.kind == "workflow"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "steps: [{id: a, agent: x, builtin: echo}]",
            "wf.yaml:1:9: steps.0: a step needs exactly one",
        ),
        ("steps: [{id: a}]", "a step needs exactly one of 'agent' or 'builtin'"),
        (
            "steps:\n  - id: a\n    builtin: nope\n",
            "wf.yaml:3:14: steps.0.builtin: Input should be",
        ),
        ("steps: []", "steps: List should have at least 1 item"),
        (
            "steps:\n  - id: a\n    agent: x\n    colour: red\n",
            "wf.yaml:4:13: steps.0.colour: Extra inputs",
        ),
        (
            "steps: [{id: a, builtin: echo, output: 1}]",
            "'output' belongs to 'builtin: fixed' steps only",
        ),
        ("steps: [{id: a, builtin: sleep}]", "a 'builtin: sleep' step needs 'seconds'"),
        ("steps: [{id: a, builtin: echo, timeoutSeconds: 3}]", "'timeoutSeconds' belongs to agent"),
        ("steps: [{id: a, builtin: echo}, {id: a, builtin: echo}]", "step id 'a' is used twice"),
        ("steps: [{id: 'a b', builtin: echo}]", "steps.0.id: String should match pattern"),
        (
            "steps: [{id: a, builtin: echo, input: '${steps.b.output}'}, {id: b, builtin: echo}]",
            "refers to step 'b', which does not run before it",
        ),
        (
            "steps: [{id: a, builtin: echo, input: '${env.X}'}]",
            "must start with 'input.' or 'steps.'",
        ),
        (
            "steps: [{id: a, builtin: echo}]\noutput: '${steps.z.output}'",
            "output: ${steps.z.output}",
        ),
        ("name: Not_A_Slug\nsteps: [{id: a, builtin: echo}]", "name: String should match pattern"),
        ("steps: [{id: a, builtin: echo, input: 2026-01-01}]", "a value JSON cannot carry"),
        ("- just\n- a list\n", "a workflow file must be a mapping"),
        (
            "steps: [unclosed",
            "wf.yaml:1:17: not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_bad_files_are_explained(text: str, message: str) -> None:
    with pytest.raises(WorkflowDefinitionError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, ConfigError)  # the CLI prints it without a traceback


def test_the_documented_example_is_a_valid_workflow() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "workflows.md"
    first_yaml = re.search(r"```yaml\n(.*?)```", doc.read_text(), flags=re.DOTALL)
    assert first_yaml is not None
    spec = parse_workflow(first_yaml.group(1), "docs/workflows.md")
    assert [step.id for step in spec.steps] == ["extract", "summary"]
    assert spec.version == "v2"


_YAML_ON_FIRST_FILE = """
import sys
from evalkit.emulator.child import import_platform
from evalkit.emulator.workflows.definitions import parse_workflow
import_platform()  # everything the platform serves with
print("yaml" in sys.modules)
try:
    parse_workflow("steps: [{id: a, builtin: echo}", "wf.yaml")
except Exception as err:
    print(type(err).__name__, err)
print("yaml" in sys.modules)
"""


def test_yaml_is_imported_by_the_first_workflow_file_not_by_the_platforms_start() -> None:
    """~8 ms of every start of the platform, which most often has no workflows folder."""
    done = subprocess.run(
        [sys.executable, "-c", _YAML_ON_FIRST_FILE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    before, error, after = done.stdout.splitlines()
    assert (before, after) == ("False", "True")
    assert error.startswith("WorkflowDefinitionError wf.yaml:1:")
