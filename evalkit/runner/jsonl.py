"""The results file: one JSON line per finished example, written so that a crash loses nothing.

Each line is appended, flushed and fsync'ed before the next example is recorded, so what is on
disk is every example finished so far. A crash mid-write can leave a truncated last line; the
reader skips it (and reports it) instead of failing on the whole file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from pydantic import ValidationError

from evalkit.errors import RunError
from evalkit.runner.results import ExampleResult, RunSummary


class ResultsWriter:
    """Appends ``ExampleResult`` lines to a file; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: IO[str] | None = None

    def __enter__(self) -> ResultsWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, result: ExampleResult) -> None:
        if self._handle is None:
            raise RuntimeError("ResultsWriter used outside its 'with' block")
        line = json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":"))
        self._handle.write(line + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class ReadReport:
    """Lines the reader could not use, as ``(line number, reason)``."""

    skipped: list[tuple[int, str]] = field(default_factory=list)


def read_results(path: Path, report: ReadReport | None = None) -> Iterator[ExampleResult]:
    """Yield the results in ``path`` one by one (memory stays flat).

    A malformed *last* line is the trace of a crash and is skipped; a malformed line anywhere
    else means the file was damaged or is not a results file, and raises ``RunError``.
    """
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as err:
        raise RunError(f"cannot read results file {path}: {err.strerror}") from err
    with handle:
        pending: tuple[int, str] | None = None
        for number, line in enumerate(handle, start=1):
            if pending is not None:
                raise RunError(f"{path}:{pending[0]}: not a result line ({pending[1]})")
            if not line.strip():
                continue
            try:
                yield ExampleResult.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as err:
                pending = (number, _short_reason(err))
        if pending is not None and report is not None:
            report.skipped.append(pending)


def write_summary(path: Path, summary: RunSummary) -> None:
    """Write the summary atomically: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(summary.to_dict(), handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def read_summary(path: Path) -> RunSummary:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RunError(f"cannot read summary {path}: {err.strerror}") from err
    try:
        return RunSummary.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError) as err:
        raise RunError(
            f"{path} is not an evalkit run summary ({_short_reason(err)}); "
            "pass the summary.json written by 'evalkit run'"
        ) from err


def _short_reason(err: Exception) -> str:
    if isinstance(err, ValidationError):
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "<root>"
        return f"{where}: {first['msg']}"
    return str(err).splitlines()[0]
