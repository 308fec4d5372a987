"""Laying out the scratch folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.emulator.runtime import AgentJob, InputFile
from evalkit.emulator.runtime.scratch import ScratchError, input_file_path, materialize


def job(tmp_path: Path, **kwargs: object) -> AgentJob:
    fields: dict[str, object] = {
        "execution_id": "exec_1",
        "workspace": {},
        "config": {},
        "input_json": {},
        "input_files": [],
        "scratch_root": tmp_path,
    }
    fields.update(kwargs)
    return AgentJob(**fields)  # type: ignore[arg-type]


def test_layout_has_workspace_inputs_and_no_examples(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    workspace = {
        "AGENT.md": b"agent",
        "examples/a/expected.json": b"{}",
        "examplesque/kept.txt": b"kept",
    }
    files = [InputFile("scan", "page.png", b"png", "image/png"), InputFile("notes", "README", b"n")]
    materialize(job(tmp_path, workspace=workspace, input_json={"k": 1}, input_files=files), folder)
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == [
        "AGENT.md",
        "examplesque/kept.txt",
        "input.json",
        "input/notes",
        "input/scan.png",
    ]
    assert json.loads((folder / "input.json").read_text()) == {
        "k": 1,
        "scan": {"file": "input/scan.png", "filename": "page.png", "contentType": "image/png"},
        "notes": {
            "file": "input/notes",
            "filename": "README",
            "contentType": "application/octet-stream",
        },
    }


@pytest.mark.parametrize("field", ["", "a/b", "..", "a\\b"])
def test_bad_file_field_is_refused(field: str) -> None:
    with pytest.raises(ScratchError):
        input_file_path(InputFile(field, "no-extension", b""))


def test_workspace_file_clashing_with_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    workspace = {"input/a.txt": b"x", "input": b"clash"}
    with pytest.raises(ScratchError, match="clashes with a file or folder"):
        materialize(job(tmp_path, workspace=workspace), folder)


def test_file_input_clashing_with_a_workspace_file_named_input_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    clashing = job(tmp_path, workspace={"input": b"x"}, input_files=[InputFile("f", "a.txt", b"")])
    with pytest.raises(ScratchError, match=r"file input 'input/f\.txt' clashes"):
        materialize(clashing, folder)
