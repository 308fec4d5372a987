"""Each suite's declaration as plain data: what ``--changed-since`` compares then and now."""

from __future__ import annotations

from pathlib import Path

from evalkit.manifest import load_manifest
from evalkit.runner.declarations import declarations_of, suites_of
from tests.manifest.project_files import write_files

MANIFEST = """\
version: 1
agents:
  - slug: writer
    workspace: agents/writer/
    examples: agents/writer/examples/
    compare:
      rules:
        /reply: {json_schema: schemas/reply.json}
workflows:
  - workflow: pipeline
    examples:
      - name: one
        input: {a: 1}
        expected: {b: 2}
"""


def _project(root: Path, manifest: str = MANIFEST) -> Path:
    return write_files(
        root,
        {
            "evalkit.yaml": manifest,
            "agents/writer/AGENT.md": "# writer\n",
            "agents/writer/examples/hello/input.json": {"q": "hi"},
            "agents/writer/examples/hello/expected.json": {"reply": "hello"},
            "schemas/reply.json": {"type": "string"},
        },
    )


def test_suites_are_keyed_as_results_name_them_in_manifest_order(tmp_path: Path) -> None:
    manifest = load_manifest(_project(tmp_path) / "evalkit.yaml")
    assert [key for key, _ in suites_of(manifest)] == [
        ("agent", "writer"),
        ("workflow", "pipeline"),
    ]


def test_the_same_project_in_another_folder_declares_the_same(tmp_path: Path) -> None:
    """Paths are relative to the project: a checkout in a temporary folder compares equal."""
    here = declarations_of(load_manifest(_project(tmp_path / "a") / "evalkit.yaml"))
    there = declarations_of(load_manifest(_project(tmp_path / "b" / "deeper") / "evalkit.yaml"))
    assert here == there
    assert str(tmp_path) not in repr(here)


def test_a_line_added_above_changes_no_declaration(tmp_path: Path) -> None:
    """Source marks are dropped: moving a suite down a line is no change."""
    before = declarations_of(load_manifest(_project(tmp_path / "a") / "evalkit.yaml"))
    moved = MANIFEST.replace("version: 1\n", "version: 1\n# a comment\n\n")
    after = declarations_of(load_manifest(_project(tmp_path / "b", moved) / "evalkit.yaml"))
    assert before == after


def test_an_edited_example_changes_its_suite_only(tmp_path: Path) -> None:
    before = declarations_of(load_manifest(_project(tmp_path / "a") / "evalkit.yaml"))
    edited = MANIFEST.replace("expected: {b: 2}", "expected: {b: 3}")
    after = declarations_of(load_manifest(_project(tmp_path / "b", edited) / "evalkit.yaml"))
    assert before[("agent", "writer")] == after[("agent", "writer")]
    assert before[("workflow", "pipeline")] != after[("workflow", "pipeline")]
