"""Lay out a run's scratch folder: the workspace (minus ``examples/``) and the inputs.

<scratch>/
  AGENT.md, main.py, ...       every workspace file except examples/**
  input.json                   the scalar inputs, plus one entry per file input
  input/<field><ext>           each file input, named after its input key
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from evalkit.api.paths import file_field_reason
from evalkit.emulator.runtime.job import AgentJob, InputFile
from evalkit.emulator.runtime.paths import UnsafePathError, check_relative_path, resolve_inside
from evalkit.emulator.runtime.workspace import HIDDEN_FOLDER, Workspace, is_hidden

__all__ = ["HIDDEN_FOLDER", "ScratchError", "input_file_path", "materialize", "visible_workspace"]

#: Names the runtime writes itself; a workspace file of the same name would be overwritten.
INPUT_JSON = "input.json"
INPUT_FOLDER = "input"


class ScratchError(ValueError):
    """The job cannot be laid out safely; the message names the path or field."""


def visible_workspace(workspace: dict[str, bytes]) -> dict[str, bytes]:
    """The workspace files the agent may see: everything outside ``examples/``."""
    return {path: content for path, content in workspace.items() if not is_hidden(path)}


def materialize(job: AgentJob, folder: Path) -> None:
    """Copy the visible workspace and write the inputs of ``job`` into ``folder`` (which exists).

    The workspace is copied file by file, so what the program does to its folder never
    reaches the workspace the next run copies from.
    """
    workspace = job.agent_files
    for path in workspace.paths():
        if not is_hidden(path):  # a Workspace never lists them; checked here all the same
            _copy(workspace, folder, path)
    input_document: dict[str, Any] = dict(job.input_json)
    for item in job.input_files:
        relative = input_file_path(item)
        _write(folder, relative, item.content, what="file input")
        input_document[item.field] = {
            "file": relative,
            "filename": item.filename,
            "contentType": item.content_type,
        }
    payload = json.dumps(input_document, ensure_ascii=False, indent=2).encode("utf-8")
    _write(folder, INPUT_JSON, payload, what="input")


def input_file_path(item: InputFile) -> str:
    """``input/<field><ext>``: the field name plus the extension of the uploaded filename."""
    reason = file_field_reason(item.field)
    if reason is not None:
        raise ScratchError(f"invalid file input field {item.field!r}: {reason}")
    extension = PurePosixPath(item.filename.replace("\\", "/")).suffix
    try:
        return check_relative_path(f"{INPUT_FOLDER}/{item.field}{extension}")
    except UnsafePathError as err:
        raise ScratchError(f"file input {item.field!r}: {err}") from None


def _write(folder: Path, path: str, content: bytes, *, what: str) -> None:
    target = _target(folder, path, what)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise _clash(what, path) from None


def _copy(workspace: Workspace, folder: Path, path: str) -> None:
    what = "workspace file"
    target = _target(folder, path, what)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        workspace.copy_file(path, target)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise _clash(what, path) from None


def _target(folder: Path, path: str, what: str) -> Path:
    try:
        return resolve_inside(folder, path)
    except UnsafePathError as err:
        raise ScratchError(f"{what} refused: {err}") from None


def _clash(what: str, path: str) -> ScratchError:
    return ScratchError(f"{what} {path!r} clashes with a file or folder of the same name")
