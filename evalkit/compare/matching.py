"""A fast yes/no "do these values match under the rules?" and order-insensitive list matching.

``values_match`` is the boolean twin of the full comparison in ``walk`` (which reports every
difference through deepdiff): where many candidate pairs must be tried, as for the elements of
an order-insensitive list, a full diff per pair would be far too slow. Tests check that the
two always agree.

Order-insensitive lists are matched as multisets: identical elements pair first (a hash
lookup; skipped when a regex or a scorer exists, since either can reject an identical
value), then each remaining expected element takes the first remaining actual element that
matches it under the rules. An element's rules are resolved at its expected index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.compiled import CompiledRules
from evalkit.compare.scorers import judged_ok
from evalkit.compare.values import absent_ok, canonical, child, compare_scalar, members


def values_match(expected: Any, actual: Any, pointer: str, rules: CompiledRules) -> bool:
    """True when comparing the two values under the rules finds no difference."""
    rule = rules.resolve(pointer)
    both_objects = isinstance(expected, dict) and isinstance(actual, dict)
    both_arrays = isinstance(expected, list) and isinstance(actual, list)
    if rule.skipped:
        if not rules.parts_come_back:
            return True
        if not (both_objects or both_arrays):
            return absent_ok(expected, pointer, rules) and absent_ok(actual, pointer, rules)
    elif rule.judges_own_value:
        if not (rule.present or judged_ok(rule, expected, actual, pointer)):
            return False
        if not rules.rules_below(pointer):
            return True
        if not (both_objects or both_arrays):  # rules below see one side only
            return all(absent_ok(v, p, rules) for p, v in members(expected, pointer)) and all(
                absent_ok(v, p, rules) for p, v in members(actual, pointer)
            )
    elif not (both_objects or both_arrays):
        return compare_scalar(rule, expected, actual) in ("match", "excused")
    if both_objects:
        return _objects_match(expected, actual, pointer, rules)
    if rule.unordered and not rule.skipped:
        matching = match_elements(expected, actual, pointer, rules)
        return all(
            absent_ok(expected[i], child(pointer, i), rules) for i in matching.unmatched_expected
        ) and all(absent_ok(actual[j], child(pointer, j), rules) for j in matching.unmatched_actual)
    return _arrays_match(expected, actual, pointer, rules)


def _objects_match(
    expected: dict[str, Any], actual: dict[str, Any], pointer: str, rules: CompiledRules
) -> bool:
    for key, value in expected.items():
        path = child(pointer, key)
        if key not in actual:
            if not absent_ok(value, path, rules):
                return False
        elif not values_match(value, actual[key], path, rules):
            return False
    return all(
        absent_ok(value, child(pointer, key), rules)
        for key, value in actual.items()
        if key not in expected
    )


def _arrays_match(
    expected: list[Any], actual: list[Any], pointer: str, rules: CompiledRules
) -> bool:
    for index in range(max(len(expected), len(actual))):
        path = child(pointer, index)
        if index >= len(actual):
            if not absent_ok(expected[index], path, rules):
                return False
        elif index >= len(expected):
            if not absent_ok(actual[index], path, rules):
                return False
        elif not values_match(expected[index], actual[index], path, rules):
            return False
    return True


@dataclass
class Matching:
    """Which expected element (index) matched which actual element, and what is left over."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    unmatched_expected: list[int] = field(default_factory=list)
    unmatched_actual: list[int] = field(default_factory=list)

    @property
    def reordered(self) -> bool:
        return any(i != j for i, j in self.pairs)


def match_elements(
    expected: list[Any],
    actual: list[Any],
    pointer: str,
    rules: CompiledRules,
    whole_or_nothing: bool = False,
) -> Matching:
    """Match the elements of two lists as multisets under the rules: as many pairs as
    possible (a maximum matching).

    Without tolerances, "matches" is equality after normalising (text, ignored parts) or a
    test of the actual value alone (regex, present), so first fit is already maximum. A
    tolerance is not transitive (1.0 ~ 1.04 ~ 1.08, yet 1.0 !~ 1.08 at 0.05): first fit can
    then strand an element, and augmenting paths recover the pairs it missed.

    ``whole_or_nothing``: the caller only wants to know whether every element pairs up, so
    the first element left without a partner ends the search (its result is then partial)."""
    matcher = _Matcher(expected, actual, pointer, rules)
    waiting = matcher.pair_identical() if not rules.judges_values else list(range(len(expected)))
    unmatched = []
    for i in waiting:
        if matcher.first_fit(i) or (rules.has_tolerance and matcher.free and matcher.augment(i)):
            continue
        unmatched.append(i)
        if whole_or_nothing:
            break
    return Matching(
        pairs=sorted(matcher.assigned.items()),
        unmatched_expected=unmatched,
        unmatched_actual=list(matcher.free),
    )


class _Matcher:
    def __init__(
        self, expected: list[Any], actual: list[Any], pointer: str, rules: CompiledRules
    ) -> None:
        self.expected, self.actual, self.pointer, self.rules = expected, actual, pointer, rules
        self.free = dict.fromkeys(range(len(actual)))  # an insertion-ordered set
        self.assigned: dict[int, int] = {}  # expected index -> actual index
        self.owner: dict[int, int] = {}  # actual index -> expected index
        self.last = -1
        self._edges: dict[tuple[int, int], bool] = {}

    def edge(self, i: int, j: int) -> bool:
        known = self._edges.get((i, j))
        if known is None:
            path = child(self.pointer, i)
            known = values_match(self.expected[i], self.actual[j], path, self.rules)
            self._edges[i, j] = known
        return known

    def _pair(self, i: int, j: int) -> None:
        self.free.pop(j, None)
        self.assigned[i] = j
        self.owner[j] = i

    def pair_identical(self) -> list[int]:
        """Pair identical elements by hash; return the expected indexes still waiting."""
        by_key: dict[str, list[int]] = defaultdict(list)
        for j in reversed(range(len(self.actual))):
            by_key[canonical(self.actual[j])].append(j)
        waiting = []
        for i, item in enumerate(self.expected):
            candidates = by_key.get(canonical(item))
            if candidates:
                j = candidates.pop()
                self._pair(i, j)
                self._edges[i, j] = True
            else:
                waiting.append(i)
        return waiting

    def first_fit(self, i: int) -> bool:
        found = next((j for j in _likely_first(self.free, i, self.last) if self.edge(i, j)), None)
        if found is None:
            return False
        self._pair(i, found)
        self.last = found
        return True

    def augment(self, start: int) -> bool:
        """Find an alternating path from ``start`` to a free actual element, breadth first,
        and flip it (Kuhn's algorithm), so earlier pairs can move aside."""
        came_from: dict[int, int] = {}  # actual index -> the expected index that reached it
        queue = [start]
        for current in queue:  # the queue grows while we walk it
            for j in range(len(self.actual)):
                if j in came_from or not self.edge(current, j):
                    continue
                came_from[j] = current
                if j in self.free:
                    self._flip(came_from, j, start)
                    return True
                queue.append(self.owner[j])
        return False

    def _flip(self, came_from: dict[int, int], j: int, start: int) -> None:
        while True:
            i = came_from[j]
            previous = self.assigned.get(i)
            self._pair(i, j)
            if i == start or previous is None:
                return
            j = previous


def _likely_first(free: dict[int, None], index: int, last: int) -> Iterator[int]:
    """Candidates in a promising order: the same index, then next to the previous match
    (lists kept in order, shifted or reversed), then all the others. Keeps matching near
    linear for lists that are mostly in some order, without changing which pairs are valid."""
    tried = set()
    for j in (index, last + 1, last - 1):
        if j in free and j not in tried:
            tried.add(j)
            yield j
    for j in free:
        if j not in tried:
            yield j


def pair_leftovers(
    expected: list[Any],
    actual: list[Any],
    matching: Matching,
    pointer: str,
    rules: CompiledRules,
) -> list[tuple[int, int]]:
    """Pair unmatched elements that resemble each other (objects or arrays sharing matching
    members), so a report can say what changed inside an element rather than "one element
    missing, another unexpected". Greedy: best resemblance first, ties to the lower indexes."""
    scored: list[tuple[int, int, int]] = []
    for i in matching.unmatched_expected:
        for j in matching.unmatched_actual:
            shared = _resemblance(expected[i], actual[j], child(pointer, i), rules)
            if shared:
                scored.append((-shared, i, j))
    scored.sort()
    used_expected: set[int] = set()
    used_actual: set[int] = set()
    pairs = []
    for _, i, j in scored:
        if i not in used_expected and j not in used_actual:
            used_expected.add(i)
            used_actual.add(j)
            pairs.append((i, j))
    matching.unmatched_expected = [i for i in matching.unmatched_expected if i not in used_expected]
    matching.unmatched_actual = [j for j in matching.unmatched_actual if j not in used_actual]
    return sorted(pairs)


def _resemblance(expected: Any, actual: Any, pointer: str, rules: CompiledRules) -> int:
    """How many members of two containers match (0 for scalars or mixed types)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return sum(
            1
            for key, value in expected.items()
            if key in actual and values_match(value, actual[key], child(pointer, key), rules)
        )
    if isinstance(expected, list) and isinstance(actual, list):
        # Shared elements in any order, so a reordered inner list still pairs up.
        return len(match_elements(expected, actual, pointer, rules).pairs)
    return 0
