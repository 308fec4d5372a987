"""Read what a program left in its scratch folder: output JSON, output files, issues, trace.

Symbolic links are refused, so an agent cannot hand back a file from outside its folder.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.emulator.runtime.bounded_json import BoundedJsonError, load_bounded_json
from evalkit.emulator.runtime.job import NamedBlob
from evalkit.emulator.runtime.paths import UnsafePathError, check_relative_path

OUTPUT_JSON = "output.json"
OUTPUT_FOLDER = "output"
ISSUES_FILE = "issues.md"
TRACE_FILE = "trace.jsonl"
MAX_OUTPUT_FILES = 1000
MAX_COLLECTED_BYTES = 64 * 1024 * 1024


class CollectError(ValueError):
    """The program's results cannot be taken; the message says what to fix."""


@dataclass
class Collected:
    output: Any = None
    output_files: list[NamedBlob] = field(default_factory=list)
    issues: list[NamedBlob] = field(default_factory=list)
    trace: list[NamedBlob] = field(default_factory=list)


def collect(folder: Path, stdout: bytes, *, stdout_truncated: bool) -> Collected:
    budget = _Budget()
    return Collected(
        output=_output_json(folder, stdout, stdout_truncated, budget),
        output_files=_output_files(folder, budget),
        issues=_optional_blob(folder, ISSUES_FILE, budget),
        trace=_optional_blob(folder, TRACE_FILE, budget),
    )


def diagnostics(folder: Path) -> tuple[list[NamedBlob], list[NamedBlob]]:
    """``issues.md`` and ``trace.jsonl`` of a run that failed, as far as they can be read.

    They help explain the failure; a problem reading them must not hide the original error.
    """
    found: list[list[NamedBlob]] = []
    budget = _Budget()
    for name in (ISSUES_FILE, TRACE_FILE):
        try:
            found.append(_optional_blob(folder, name, budget))
        except (CollectError, OSError):
            found.append([])
    return found[0], found[1]


class _Budget:
    """Caps the bytes read back from one run."""

    def __init__(self) -> None:
        self.left = MAX_COLLECTED_BYTES

    def read(self, path: Path, name: str) -> bytes:
        try:
            content = self._read(path, name)
        except OSError as err:
            raise CollectError(f"cannot read {name}: {err.strerror or err}") from None
        self.left -= len(content)
        return content

    def _read(self, path: Path, name: str) -> bytes:
        # Opened without following a link and without blocking (a FIFO would block forever),
        # then checked on the open file, so what is checked is what is read.
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise CollectError(
                    f"{name} is a symbolic link; write a regular file instead"
                ) from None
            raise
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CollectError(f"{name} is not a regular file; write a regular file instead")
            content = handle.read(self.left + 1)  # bounded even if the file grows meanwhile
        if len(content) > self.left:
            limit = MAX_COLLECTED_BYTES // (1024 * 1024)
            raise CollectError(f"{name}: the run's files add up to more than {limit} MiB")
        return content


def _output_json(folder: Path, stdout: bytes, stdout_truncated: bool, budget: _Budget) -> Any:
    path = folder / OUTPUT_JSON
    if path.exists() or path.is_symlink():
        return _parse_json(budget.read(path, OUTPUT_JSON), OUTPUT_JSON)
    if stdout_truncated:
        raise CollectError(
            "stdout was cut off at its size limit and there is no output.json; "
            "write large output to output.json"
        )
    if not stdout.strip():
        return None
    return _parse_json(stdout, "stdout")


def _parse_json(raw: bytes, source: str) -> Any:
    try:
        return load_bounded_json(raw, source)
    except BoundedJsonError as err:
        if source == "stdout" and "not valid JSON" in str(err):
            raise CollectError(
                f"{err} (print exactly one JSON document, or write the output to output.json)"
            ) from None
        raise CollectError(str(err)) from None


def _output_files(folder: Path, budget: _Budget) -> list[NamedBlob]:
    root = folder / OUTPUT_FOLDER
    if root.is_symlink():
        raise CollectError("output/ is a symbolic link; make it a regular folder")
    if not root.is_dir():
        return []
    blobs: list[NamedBlob] = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_dir() and not path.is_symlink():
            continue
        try:
            check_relative_path(name)
        except UnsafePathError as err:
            raise CollectError(f"output file refused: {err}") from None
        if len(blobs) >= MAX_OUTPUT_FILES:
            raise CollectError(f"output/ holds more than {MAX_OUTPUT_FILES} files")
        blobs.append(NamedBlob(name, budget.read(path, f"output/{name}")))
    return blobs


def _optional_blob(folder: Path, name: str, budget: _Budget) -> list[NamedBlob]:
    path = folder / name
    if not (path.exists() or path.is_symlink()):
        return []
    if path.is_dir() and not path.is_symlink():
        raise CollectError(f"{name} is a folder; write a regular file instead")
    return [NamedBlob(name, budget.read(path, name))]
