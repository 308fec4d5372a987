"""One measured figure against its target, the table printed at the end and its JSON form."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

#: "<=": the figure must not exceed the target; ">=": it must reach it
Bound = Literal["<=", ">="]


@dataclass(frozen=True)
class Row:
    """A figure of one scenario. ``target`` None: shown beside the others, judged by none."""

    scenario: str
    label: str
    figure: float
    unit: str
    target: float | None = None
    bound: Bound = "<="
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """figure / target: at most 1 meets a "<=" target, at least 1 a ">=" one."""
        if self.target is None or self.target == 0:
            return None
        return self.figure / self.target

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.bound == "<=":
            return self.figure <= self.target
        return self.figure >= self.target

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def render(rows: Sequence[Row]) -> str:
    """A plain-text table: scenario, what, figure, target, ratio, met."""
    header = ("scenario", "figure", "measured", "target", "ratio", "met")
    lines = [header]
    for row in rows:
        target = "-" if row.target is None else f"{row.bound} {_number(row.target)} {row.unit}"
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        met = {None: "-", True: "yes", False: "NO"}[row.met]
        lines.append(
            (row.scenario, row.label, f"{_number(row.figure)} {row.unit}", target, ratio, met)
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    text = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(text)


def write_json(path: Path, rows: Sequence[Row], meta: dict[str, Any]) -> None:
    document = {**meta, "rows": [row.as_json() for row in rows]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
