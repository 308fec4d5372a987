"""Loading a folder of workflow files: names, versions, ids, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.emulator.workflows.catalog import load_catalog, version_id, workflow_id
from evalkit.emulator.workflows.definitions import WorkflowDefinitionError

from .conftest import write

STEP = "steps: [{id: a, builtin: echo}]\n"


def test_versions_newest_first_with_natural_order(definitions: Path) -> None:
    write(definitions, "flow.yaml", STEP)
    for label in ("v1", "v2", "v10", "v9"):
        write(definitions, f"flow@{label}.yaml", STEP)
    write(definitions, "notes.txt", "not a workflow")
    (workflow,) = load_catalog(definitions)
    assert workflow.name == "flow"
    assert workflow.id == workflow_id("flow")
    assert [v.label for v in workflow.versions] == ["current", "v10", "v9", "v2", "v1"]
    assert workflow.current.is_current
    assert not any(v.is_current for v in workflow.versions[1:])


def test_ids_depend_on_content_and_stay_the_same_across_loads(definitions: Path) -> None:
    write(definitions, "flow.yaml", STEP)
    first = load_catalog(definitions)[0].current.id
    assert load_catalog(definitions)[0].current.id == first == version_id("flow", "current", STEP)
    write(definitions, "flow.yaml", STEP + "# edited\n")
    assert load_catalog(definitions)[0].current.id != first


def test_without_a_plain_file_the_highest_version_is_current(definitions: Path) -> None:
    write(definitions, "flow@v1.yaml", STEP)
    write(definitions, "flow@v2.yaml", STEP)
    (workflow,) = load_catalog(definitions)
    assert [(v.label, v.is_current) for v in workflow.versions] == [("v2", True), ("v1", False)]


def test_none_folder_means_no_workflows() -> None:
    assert load_catalog(None) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"Bad_Name.yaml": STEP}, "'Bad_Name' is not a usable workflow name"),
        ({"executions.yaml": STEP}, "'executions' is not a usable workflow name"),
        ({"flow.yaml": "name: other\n" + STEP}, "name 'other' does not match the file name 'flow'"),
        (
            {"flow@v1.yaml": "version: v2\n" + STEP},
            "version 'v2' does not match the file name's @v1",
        ),
        (
            {"flow.yaml": "version: v1\n" + STEP, "flow@v1.yml": STEP},
            "version 'v1' is defined twice",
        ),
        ({"flow@a b.yaml": STEP}, "'a b' is not a usable version label"),
    ],
)
def test_refusals_name_the_file(definitions: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        write(definitions, name, text)
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_catalog(definitions)
    assert message in str(caught.value)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WorkflowDefinitionError, match="does not exist"):
        load_catalog(tmp_path / "nowhere")
