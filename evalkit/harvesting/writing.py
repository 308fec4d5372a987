"""Writing an ``ExampleDraft`` as an example folder: whole, or not at all.

The folder is built under a temporary name beside its final place (the JSON files written, the
execution's files downloaded through the client), then renamed into place: an error or Ctrl-C
half-way leaves nothing behind, and ``force`` swaps an existing example only once the new one is
complete. Every path is made with ``evalkit.safe_paths.join_inside``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

from evalkit.harvesting.draft import ExampleDraft, FileKind, HarvestError
from evalkit.manifest.examples import README
from evalkit.safe_paths import join_inside

#: what a temporary folder's name starts with (it is removed on any error, Ctrl-C included)
TEMP_PREFIX = ".evalkit-promote-"


class ExampleExists(HarvestError):
    """The example folder is there already and ``force`` is not set."""


class ExecutionFiles(Protocol):
    """The client's downloads that writing uses (``client.agents.executions``)."""

    def download_file(self, execution_id: str, kind: str, filename: str, *, to: Path) -> Path: ...

    def download_expected(self, execution_id: str, filename: str, *, to: Path) -> Path: ...


def json_text(value: Any) -> str:
    """A JSON file as evalkit writes one: two-space indent, UTF-8 as is, a final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_example(
    executions: ExecutionFiles, draft: ExampleDraft, folder: Path, *, force: bool
) -> None:
    """Write ``draft`` as the example folder ``folder``; ``ExampleExists`` when it exists
    and ``force`` is not set, or it is no folder (nothing is downloaded then): ``force``
    replaces an example folder, never a file."""
    if folder.exists() and not force:
        raise ExampleExists(
            f"example {folder.name!r} exists already ({folder}); choose another --name, or "
            "--force to replace it"
        )
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        raise ExampleExists(
            f"{folder} is in the way and is no example folder; --force replaces only an "
            "example: move it away, or choose another --name"
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder.parent))
    try:
        _fill(executions, draft, building)
        _move_into_place(building, folder)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _fill(executions: ExecutionFiles, draft: ExampleDraft, building: Path) -> None:
    for name, value in draft.json_files.items():
        join_inside(building, name).write_text(json_text(value), encoding="utf-8")
    if draft.notes:
        join_inside(building, README).write_text(draft.notes, encoding="utf-8")
    for item in draft.files:
        target = join_inside(building, *item.target)
        _download(executions, draft.execution_id, item.kind, item.name, target)


def _download(
    executions: ExecutionFiles, execution_id: str, kind: FileKind, name: str, target: Path
) -> None:
    if kind == "expected":
        executions.download_expected(execution_id, name, to=target)
    else:
        executions.download_file(execution_id, kind, name, to=target)


def _move_into_place(building: Path, folder: Path) -> None:
    """Rename ``building`` to ``folder``; an existing ``folder`` is moved aside first and
    removed only after."""
    if not folder.exists():
        os.rename(building, folder)
        return
    aside = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder.parent))
    os.rmdir(aside)
    os.rename(folder, aside)
    try:
        os.rename(building, folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.rename(aside, folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)
