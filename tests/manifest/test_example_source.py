"""An example folder's ``source.json`` (written by promote and harvest): read into the
example, kept off the platform, and a malformed one is a problem at the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError
from evalkit.manifest import load_manifest
from tests.manifest.project_files import Files

MANIFEST = "version: 1\nagents:\n  - slug: shop\n    examples: examples/\n"


def files(source: object) -> Files:
    return {
        "evalkit.yaml": MANIFEST,
        "examples/harvested/input.json": {"order": "A"},
        "examples/harvested/expected.json": {"total": 10},
        "examples/harvested/source.json": source,
    }


def test_the_source_is_read_into_the_example(project: Callable[[Files], Path]) -> None:
    source = {
        "execution": "exec_123",
        "agent": "shop",
        "created_at": "2026-03-01T10:00:00.000Z",
        "expected_from": {"json": "feedback"},
    }
    example = load_manifest(project(files(source)), env={}).agent("shop").examples[0]
    assert example.source is not None
    assert example.source.execution == "exec_123"
    assert example.source.expected_from == {"json": "feedback"}
    assert not any("source.json" in path for path in example.platform_files())


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({}, "source.json: execution: Field required"),
        ({"execution": ""}, "source.json: execution:"),
        ({"execution": "exec_1", "expected_from": {"json": "guess"}}, "expected_from.json"),
        ({"execution": "exec_1", "colour": "red"}, "source.json: colour: Extra inputs"),
        (["exec_1"], "source.json: <root>:"),
    ],
)
def test_a_malformed_source_is_a_problem_at_the_file(
    project: Callable[[Files], Path], source: object, message: str
) -> None:
    with pytest.raises(ManifestError) as refused:
        load_manifest(project(files(source)), env={})
    assert message in str(refused.value)
    assert "examples/harvested/source.json" in str(refused.value)
