"""The score: the weighted share of expected leaf values that match.

A leaf is a scalar, a path whose rule judges the value as a whole (``present``, ``regex``,
the scorers),
or an object or array (below the root) with nothing weighed inside it: empty, or all of it
ignored (its shape is still expected). Its weight comes from the ``weight`` rule in
force there (default 1). Ignored leaves carry no weight at all: ignoring a path takes it out
of the verdict instead of granting it. A leaf fails to match when a difference of kind
``changed``, ``missing`` or ``type_changed`` sits at its path or above it.

Partial credit: a leaf that fails only by differences at its own path that each still grant
a share (``Difference.score``: a similarity below its ``min`` grants the similarity) earns
the smallest of those shares times its weight; any other difference there, or one above it,
earns nothing. A leaf that matches earns its whole weight, so an example that passes scores
1.0 whatever its similarities.

Extra values (``unexpected``) and ``order`` differences lower no leaf: the expected values are
all there. They still prevent a pass. With no weighted leaf at all (``{}``, ``[]``, everything
ignored), the score is 1.0 when there is no difference and 0.0 otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evalkit.compare.compiled import CompiledRules
from evalkit.compare.differences import Difference
from evalkit.compare.values import child

_LOWERING_KINDS = frozenset({"changed", "missing", "type_changed"})


@dataclass(frozen=True)
class Score:
    matched_weight: float
    total_weight: float
    value: float


def score_expected(expected: Any, differences: Iterable[Difference], rules: CompiledRules) -> Score:
    differences = list(differences)
    lowering: dict[str, float] = {}  # pointer -> the share a leaf there still earns
    for difference in differences:
        if difference.kind in _LOWERING_KINDS:
            share = difference.score if difference.score is not None else 0.0
            lowering[difference.pointer] = min(share, lowering.get(difference.pointer, 1.0))
    gone = {d.pointer for d in differences if d.kind in ("missing", "type_changed")}
    tally = _Tally(rules, lowering, gone)
    tally.visit(expected, "", blocked=False, root=True)
    if tally.total <= 0:
        return Score(0.0, 0.0, 0.0 if differences else 1.0)
    return Score(tally.matched, tally.total, min(1.0, tally.matched / tally.total))


class _Tally:
    def __init__(self, rules: CompiledRules, lowering: dict[str, float], gone: set[str]) -> None:
        self.rules = rules
        self.lowering = lowering
        self.gone = gone  # paths whose actual value is missing or of another type
        self.matched = 0.0
        self.total = 0.0

    def visit(self, value: Any, pointer: str, blocked: bool, root: bool = False) -> float:
        """Count the leaves at and below ``pointer``; return the weight counted."""
        rule = self.rules.resolve(pointer)
        share = self.lowering.get(pointer)  # None: no difference here
        below = blocked or share is not None
        if rule.skipped:
            if self.rules.parts_come_back:  # a rule below may bring leaves back
                return self._children(value, pointer, below)
            return 0.0
        container = isinstance(value, dict | list)
        if container and not rule.judges_own_value:
            counted = self._children(value, pointer, below)
            if counted or root:
                return counted
        # A scalar, a value judged whole, or a container with nothing weighed inside it (empty,
        # or all ignored): its shape is still expected, so it is one leaf.
        self.total += rule.weight
        if not blocked:
            self.matched += rule.weight * (1.0 if share is None else share)
        if container and rule.judges_own_value and self.rules.rules_below(pointer):
            # The rules below it are leaves of their own: the judge's verdict here is not
            # theirs, but a value missing here is missing for them too.
            return rule.weight + self._children(value, pointer, blocked or pointer in self.gone)
        return rule.weight

    def _children(self, value: Any, pointer: str, blocked: bool) -> float:
        counted = 0.0
        if isinstance(value, dict):
            for key, item in value.items():
                counted += self.visit(item, child(pointer, key), blocked)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                counted += self.visit(item, child(pointer, index), blocked)
        return counted
