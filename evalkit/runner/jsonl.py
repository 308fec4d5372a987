"""The results file: one JSON line per finished example, written so that a crash loses nothing.

Each line is appended and flushed before the next example is recorded, so the file holds every
example finished so far even if evalkit is killed. The lines reach the disk itself (fsync) at
least every ``SYNC_SECONDS`` and when the file is closed: syncing every line cost a run of
500 examples four seconds on a busy disk, and only a crash of the whole machine could lose
what the last second wrote. A crash mid-write can leave a truncated last line; the reader
(``runner.results_file``) skips it (and reports it) instead of failing on the whole file.

Every example gets its line, whatever its output. An agent may return JSON nested deeper than
a line may hold (``MAX_NESTING``, what the reader reads; the client reads about 1,000 levels),
and the comparison quotes such values. The line then keeps ``KEPT_LEVELS`` levels of the
output, the expected JSON and the comparison, each list or object below them replaced by
``TOO_DEEP``: the comparison was made on the whole output, and the verdict stands.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from pydantic_core import to_jsonable_python

from evalkit.runner.atomic import atomic_text
from evalkit.runner.results import ExampleResult, RunSummary
from evalkit.runner.results_file import MAX_NESTING

#: levels a value under a line's key keeps: the line's own object is one more, and pydantic
#: serialises no deeper (it refuses 255 levels)
KEPT_LEVELS = MAX_NESTING - 2
#: what stands in a results line for a list or object nested deeper than ``KEPT_LEVELS``
TOO_DEEP = f"(not kept: nested more than {KEPT_LEVELS} levels deep)"


#: the most time the lines written may wait in the kernel before they are synced to disk
SYNC_SECONDS = 1.0


class ResultsWriter:
    """Appends ``ExampleResult`` lines to a file; use as a context manager."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.count = 0
        #: fsync calls made (the tests read it)
        self.syncs = 0
        self._handle: IO[str] | None = None
        self._clock = clock
        self._synced_at = clock()

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
        self._handle.write(line_of(result))
        self._handle.flush()
        self.count += 1
        if self._clock() - self._synced_at >= SYNC_SECONDS:
            self._sync()

    def _sync(self) -> None:
        assert self._handle is not None
        os.fsync(self._handle.fileno())
        self.syncs += 1
        self._synced_at = self._clock()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            self._sync()
            self._handle.close()
            self._handle = None


def line_of(result: ExampleResult) -> str:
    """``result``'s line of a results file, its newline included."""
    return json.dumps(record_of(result), ensure_ascii=False, separators=(",", ":")) + "\n"


def record_of(result: ExampleResult) -> dict[str, Any]:
    """The JSON of ``result``'s line: the result as it is, or, when a value nests too deeply to
    be written (pydantic refuses it), with its free-form values clipped to ``KEPT_LEVELS``."""
    try:
        return result.to_dict()
    except ValueError:  # "Maximum serialization depth exceeded"
        pass
    free = {"comparison": result.comparison, **(result.model_extra or {})}
    record = result.model_dump(mode="json", exclude=set(free))
    for key, value in free.items():
        try:
            record[key] = to_jsonable_python(clipped(value, KEPT_LEVELS))
        except ValueError as err:  # not JSON at all: a bug, but the example keeps its line
            record[key] = f"(not kept: {err})"
    return record


def clipped(value: Any, levels: int) -> Any:
    """``value`` with every list or object below ``levels`` levels replaced by ``TOO_DEEP``
    (``value`` itself is level 1). Recurses ``levels`` deep at most."""
    if not isinstance(value, (dict, list, tuple)):
        return value
    if levels < 1:
        return TOO_DEEP
    if isinstance(value, dict):
        return {key: clipped(item, levels - 1) for key, item in value.items()}
    return [clipped(item, levels - 1) for item in value]


def write_summary(path: Path, summary: RunSummary) -> None:
    """Write the summary atomically: a reader sees the old file or the new one, never half.

    Indented as ``json.dumps(summary.to_dict(), ensure_ascii=False, indent=2)`` would, by
    pydantic's serializer: Python's json module encodes indented JSON in Python (8 ms of a
    500-example run's end, against 1 ms)."""
    with atomic_text(path, durable=True) as handle:
        handle.write(summary.model_dump_json(indent=2))
        handle.write("\n")
