"""Differences and applied rules as data: what a report shows beside a path.

Pointers name the expected document for ``changed``, ``missing``, ``type_changed`` and
``order``; for ``unexpected`` they name the actual document (the value exists only there).
One exception: inside an element of an order-insensitive list that was paired with an actual
element, pointers go through the expected element's index (``/items/2/price`` is the price
of expected item 2, whichever actual item it was paired with).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

DifferenceKind = Literal["changed", "missing", "unexpected", "type_changed", "order"]
AppliedKind = Literal[
    "ignored",
    "tolerance",
    "number",
    "text",
    "order",
    "regex",
    "present",
    "similarity",
    "contains",
    "length",
    "json_schema",
    "python",
    "judge",
]

DISPLAY_LIMIT = 80


class Absent(Enum):
    """The value is not there at all (as opposed to JSON ``null``)."""

    ABSENT = "absent"

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent.ABSENT


def truncate(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    """A short JSON rendering for display; the full value stays in the data."""
    if value is ABSENT:
        return "(absent)"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


@dataclass(frozen=True)
class Difference:
    """One difference left after the rules. ``score``: the share of the value's weight it
    still earns in the score despite the difference (a similarity below its minimum earns
    the similarity); None earns nothing. ``error``: set when no verdict could be made at the
    path because a custom scorer failed (it raised, hung, crashed or returned no verdict):
    its traceback or what went wrong; ``rule`` says it in a line."""

    pointer: str
    kind: DifferenceKind
    expected: Any = ABSENT
    actual: Any = ABSENT
    rule: str | None = None
    score: float | None = None
    error: str | None = None

    def display(self, limit: int = DISPLAY_LIMIT) -> str:
        where = self.pointer or "(root)"
        if self.error is not None:
            # A scorer or judge that failed: what went wrong leads (the values are in the
            # results), or a clipped line would show the values and hide the reason.
            return f"{where}: {self.rule or self.error}"
        text = f"{where}: {self.kind.replace('_', ' ')}"
        if self.kind == "missing":
            text += f", expected {truncate(self.expected, limit)}"
        elif self.kind == "unexpected":
            text += f", actual {truncate(self.actual, limit)}"
        elif self.kind != "order":
            expected, actual = truncate(self.expected, limit), truncate(self.actual, limit)
            text += f", expected {expected}, actual {actual}"
        if self.rule:
            text += f" [{self.rule}]"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; values are complete (never truncated)."""
        data: dict[str, Any] = {"pointer": self.pointer, "kind": self.kind}
        if self.expected is not ABSENT:
            data["expected"] = self.expected
        if self.actual is not ABSENT:
            data["actual"] = self.actual
        if self.rule is not None:
            data["rule"] = self.rule
        if self.score is not None:
            data["score"] = self.score
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass(frozen=True)
class AppliedRule:
    """A rule that shaped the verdict at a path (e.g. a difference excused by a tolerance)."""

    pointer: str
    kind: AppliedKind
    detail: str = ""

    def display(self) -> str:
        where = self.pointer or "(root)"
        return f"{where}: {self.detail or self.kind}"

    def to_dict(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "kind": self.kind, "detail": self.detail}
