"""What a scenario is: a name for ``--only``, what it measures, and a function giving rows."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from benchmarks.table import Row

Size = Literal["small", "full"]
SIZES: tuple[Size, ...] = ("small", "full")


@dataclass(frozen=True)
class Context:
    size: Size
    #: an empty folder of this scenario's own, deleted afterwards
    workdir: Path
    started: float
    #: the rows measured so far; a scenario adds each as soon as it has it, so a later failure
    #: does not lose it
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)

    def pick(self, small: int, full: int) -> int:
        return full if self.size == "full" else small

    def log(self, message: str) -> None:
        """A progress line on stderr, so a long scenario shows where it is."""
        print(f"  [{time.perf_counter() - self.started:6.1f} s] {message}", file=sys.stderr)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    #: how it is measured, in a sentence or three; printed by --list and kept in the JSON
    description: str
    run: Callable[[Context], None]
