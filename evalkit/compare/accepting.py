"""Accepting an output as the new expectation (``evalkit accept``): the old expected value with
only what the comparison finds different taken from the actual output.

What the rules excuse keeps its old expected value, so accepting noise is no change: an
ignored path (a value only the output has stays out), a number within its tolerance, text
equal after its normalisations, an order-free list's elements (kept in their old order, the
output's new elements appended, the ones it lost dropped), and a value a regex or a scorer
accepts. A list in strict order whose elements are all there in another order takes the new
order, each element keeping its old value; one the output inserted elements into, or lost some
of, keeps the elements that still match (the matching first and last ones, and a longest
common run between them) with their old values, the new ones in their place. A value a regex
or a scorer rejects keeps its old value too, unless taking the actual one satisfies the rule (a
similarity to the expected text): the rule, not the expected value, is what the output fails,
so only a new rule fixes that; the comparison of the accepted value with the output
(``AcceptedJson.left``) lists what is left. A value a judge agent grades keeps its old expected
value (its reference answer) whatever the judge said: judges run on the platform, in ``evalkit
run`` only (``AcceptedJson.judged``).

Files: a file that differs takes only what differs, in its own text (``file_edits``): a JSON
file is merged like the JSON output, a CSV file's records like a list of objects (under the
file rule's ``order``, ``text`` and ``compare``), a text file line by line; a bytes file, a
text file judged by scorers, and a file that cannot be read in its mode become the output file.
An expected file the output lacks is removed; an output file nobody expected is added (only
reported when the example expects files at all, as in the comparison).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any, Literal

from evalkit.compare.compiled import CompiledRules, compile_rules
from evalkit.compare.differences import ABSENT, Difference
from evalkit.compare.file_edits import edited_csv, edited_text
from evalkit.compare.file_formats import (
    UnreadableFile,
    csv_record,
    csv_records,
    csv_rows,
    decode_text,
    parse_json,
)
from evalkit.compare.file_modes import FileMode
from evalkit.compare.files import FileComparison, compare_files, csv_spec, rule_for, scored_text
from evalkit.compare.json_compare import compare_json
from evalkit.compare.json_edit import JsonSyntax, edited_node, parse
from evalkit.compare.matching import match_elements, pair_leftovers, values_match
from evalkit.compare.python_scorers import scorer_documents, scorer_example
from evalkit.compare.rules import CompareSpec, FileRule
from evalkit.compare.scorers import judged_ok
from evalkit.compare.user_regex import regex_time_budget
from evalkit.compare.values import absent_ok, child, identical
from evalkit.compare.verdict import parse_if_json_text


@dataclass(frozen=True)
class AcceptedJson:
    """The new expected JSON, and what comparing it with the output still finds."""

    value: Any
    #: the new value differs from the old one
    changed: bool
    #: differences the accepted value still has: a rule judges them, not the expected value
    left: list[Difference] = field(default_factory=list)
    #: paths a judge agent grades: their old expected value stays (judges are run by
    #: ``evalkit run`` on the platform, not here), and they are not in ``left``
    judged: list[str] = field(default_factory=list)


def accept_json(
    expected: Any, actual: Any, spec: CompareSpec | None = None, *, input: Any = None
) -> AcceptedJson:
    """``expected`` with the paths where ``actual`` differs under ``spec`` taken from
    ``actual`` (see the module's notes); ``input`` is the example's, for python scorers."""
    rules = compile_rules(spec)
    old, new = parse_if_json_text(expected), parse_if_json_text(actual)
    with regex_time_budget(), scorer_example(input), scorer_documents(old, new):
        value = _Merger(rules).merged(old, new, "")
    check = compare_json(value, new, rules)
    judged = [d for d in check.differences if rules.resolve(d.pointer).judge is not None]
    left = [d for d in check.differences if d not in judged]
    pointers = list(dict.fromkeys(d.pointer for d in judged))
    return AcceptedJson(value, not identical(value, old), left, pointers)


class _Merger:
    def __init__(self, rules: CompiledRules) -> None:
        self.rules = rules

    def merged(self, expected: Any, actual: Any, pointer: str) -> Any:
        """The value to expect at ``pointer``, both sides present."""
        rules = self.rules
        if values_match(expected, actual, pointer, rules):
            return expected
        rule = rules.resolve(pointer)
        containers = _containers(expected, actual)
        if rule.skipped:
            # Ignored (or left to a judge above): the old value stays, but for the parts a
            # rule below brings back.
            if rules.parts_come_back and containers:
                return self._members(expected, actual, pointer)
            return expected
        if rule.judge is not None:
            return expected  # the judge's reference answer: judges run on the platform only
        if rule.judges_own_value:
            if not rule.present and judged_ok(rule, actual, actual, pointer):
                return actual  # the rule compares with the expected value (a similarity)
            if rules.rules_below(pointer) and containers:
                return self._members(expected, actual, pointer)
            return expected  # the rule rejects the output whatever is expected
        if not containers:
            return actual  # a scalar that changed, or a change of type
        return self._members(expected, actual, pointer)

    def fresh(self, actual: Any, pointer: str) -> Any:
        """A value only the output has, without its ignored parts (``ABSENT`` if all are)."""
        rules = self.rules
        if not rules.resolve(pointer).skipped:
            return actual
        if not rules.parts_come_back:
            return ABSENT
        if isinstance(actual, dict):
            kept = {key: self.fresh(item, child(pointer, key)) for key, item in actual.items()}
            kept = {key: item for key, item in kept.items() if item is not ABSENT}
            return kept if kept else ABSENT
        if isinstance(actual, list):
            items = [self.fresh(item, child(pointer, index)) for index, item in enumerate(actual)]
            kept_items = [item for item in items if item is not ABSENT]
            return kept_items if kept_items else ABSENT
        return ABSENT

    def _members(self, expected: Any, actual: Any, pointer: str) -> Any:
        if isinstance(expected, dict):
            return self._object(expected, actual, pointer)
        if self.rules.resolve(pointer).unordered:
            return self._unordered(expected, actual, pointer)
        return self._ordered(expected, actual, pointer)

    def _object(self, expected: dict[str, Any], actual: dict[str, Any], pointer: str) -> Any:
        merged: dict[str, Any] = {}
        for key, item in expected.items():
            path = child(pointer, key)
            if key in actual:
                merged[key] = self.merged(item, actual[key], path)
            elif absent_ok(item, path, self.rules):
                merged[key] = item  # ignored: the old value stays
        for key, item in actual.items():
            if key not in expected:
                kept = self.fresh(item, child(pointer, key))
                if kept is not ABSENT:
                    merged[key] = kept
        return merged

    def _unordered(self, expected: list[Any], actual: list[Any], pointer: str) -> Any:
        matching = match_elements(expected, actual, pointer, self.rules)
        leftovers = pair_leftovers(expected, actual, matching, pointer, self.rules)
        partner = dict([*matching.pairs, *leftovers])
        merged = []
        for index, item in enumerate(expected):
            path = child(pointer, index)
            if index in partner:
                merged.append(self.merged(item, actual[partner[index]], path))
            elif absent_ok(item, path, self.rules):
                merged.append(item)
        for index in matching.unmatched_actual:
            kept = self.fresh(actual[index], child(pointer, index))
            if kept is not ABSENT:
                merged.append(kept)
        return merged

    def _ordered(self, expected: list[Any], actual: list[Any], pointer: str) -> Any:
        if len(expected) == len(actual) > 1 and not self.rules.names_positions(pointer):
            matching = match_elements(expected, actual, pointer, self.rules, whole_or_nothing=True)
            if not matching.unmatched_expected and not matching.unmatched_actual:
                # the same elements in another order: the old values in the new order
                old_of = {j: i for i, j in matching.pairs}
                return [expected[old_of[j]] for j in range(len(actual))]
        merged = []
        for old, new in _aligned(expected, actual, self._matches(expected, actual, pointer)):
            if old is not None and new is not None:
                merged.append(self.merged(expected[old], actual[new], child(pointer, old)))
            elif old is not None:
                if absent_ok(expected[old], child(pointer, old), self.rules):
                    merged.append(expected[old])
            elif new is not None:
                kept = self.fresh(actual[new], child(pointer, new))
                if kept is not ABSENT:
                    merged.append(kept)
        return merged

    def _matches(self, expected: list[Any], actual: list[Any], pointer: str) -> list[Pair]:
        """Elements that match under the rules, in order in both lists: the matching first and
        last ones, and a longest common run of those between (when both lists are short
        enough). Without a rule that names a position, as an element's rules are those of its
        expected index."""
        if self.rules.names_positions(pointer):
            return []

        def match(i: int, j: int) -> bool:
            return values_match(expected[i], actual[j], child(pointer, i), self.rules)

        head = 0
        while head < min(len(expected), len(actual)) and match(head, head):
            head += 1
        tail = 0
        while tail < min(len(expected), len(actual)) - head and match(
            len(expected) - 1 - tail, len(actual) - 1 - tail
        ):
            tail += 1
        between = _longest_common(
            range(head, len(expected) - tail), range(head, len(actual) - tail), match
        )
        ends = [(len(expected) - k, len(actual) - k) for k in range(tail, 0, -1)]
        return [(k, k) for k in range(head)] + between + ends


Pair = tuple[int, int]
#: the most pairs of elements compared to align the middle of two lists in order
MAX_ALIGNED = 10_000


def _longest_common(old: range, new: range, match: Callable[[int, int], bool]) -> list[Pair]:
    """A longest run of matching pairs, in order in both ranges (none when they are too long
    to try every pair)."""
    if not old or not new or len(old) * len(new) > MAX_ALIGNED:
        return []
    hits = [[match(a, b) for b in new] for a in old]
    length = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for a in range(len(old) - 1, -1, -1):
        for b in range(len(new) - 1, -1, -1):
            if hits[a][b]:
                length[a][b] = length[a + 1][b + 1] + 1
            else:
                length[a][b] = max(length[a + 1][b], length[a][b + 1])
    pairs, a, b = [], 0, 0
    while a < len(old) and b < len(new):
        if hits[a][b] and length[a][b] == length[a + 1][b + 1] + 1:
            pairs.append((old[a], new[b]))
            a, b = a + 1, b + 1
        elif length[a + 1][b] >= length[a][b + 1]:
            a += 1
        else:
            b += 1
    return pairs


def _aligned(
    expected: list[Any], actual: list[Any], matches: list[Pair]
) -> Iterator[tuple[int | None, int | None]]:
    """Every element of both lists once, in the output's order: the matching pairs, and
    between two of them the others paired by position (those left over alone)."""
    i = j = 0
    for old, new in [*matches, (len(expected), len(actual))]:
        yield from zip_longest(range(i, old), range(j, new))
        if old < len(expected):
            yield old, new
        i, j = old + 1, new + 1


def _containers(expected: Any, actual: Any) -> bool:
    return (isinstance(expected, dict) and isinstance(actual, dict)) or (
        isinstance(expected, list) and isinstance(actual, list)
    )


FileAction = Literal["replace", "remove", "add"]


@dataclass(frozen=True)
class FileChange:
    """One expected file changed by an accept: its new content (none when removed)."""

    name: str
    action: FileAction
    content: bytes | None = None


@dataclass(frozen=True)
class AcceptedFiles:
    changes: list[FileChange] = field(default_factory=list)
    #: the files that still differ once accepted (a scorer of a text file rejects the output)
    left: list[FileComparison] = field(default_factory=list)


def accept_files(
    expected: Mapping[str, bytes],
    actual: Mapping[str, bytes],
    rules: Mapping[str, FileRule] | None = None,
) -> AcceptedFiles:
    """The changes that make ``expected`` the output's files, as the comparison sees them:
    files it finds equal (or ignores) are not touched."""
    rules = rules or {}
    changes = []
    for compared in compare_files(expected, actual, rules):
        name = compared.name
        if compared.status == "missing":
            changes.append(FileChange(name, "remove"))
        elif compared.status == "unexpected":
            changes.append(FileChange(name, "add", actual[name]))
        elif compared.status == "differ":
            content = _accepted_file(compared, expected[name], actual[name], rule_for(name, rules))
            changes.append(FileChange(name, "replace", content))
    after = dict(expected)
    for change in changes:
        if change.content is None:
            after.pop(change.name, None)
        else:
            after[change.name] = change.content
    left = [c for c in compare_files(after, actual, rules) if not c.matched]
    return AcceptedFiles(changes, left)


def _accepted_file(
    compared: FileComparison, expected: bytes, actual: bytes, rule: FileRule | None
) -> bytes:
    """The expected file with the output's differing parts, in its own text where its mode
    allows (``file_edits``); else the output file."""
    try:
        if compared.problem is not None:
            return actual
        if compared.mode == FileMode.JSON:
            return _accepted_json_file(expected, actual, rule)
        if compared.mode == FileMode.CSV:
            edited = _accepted_csv(expected, actual, rule or FileRule())
        elif compared.mode == FileMode.TEXT and not scored_text(compared.mode, rule or FileRule()):
            edited = edited_text(expected, actual, tuple(rule.text or ()) if rule else ())
        else:
            return actual
    except UnreadableFile:
        return actual
    return actual if edited is None else edited


def _accepted_json_file(expected: bytes, actual: bytes, rule: FileRule | None) -> bytes:
    """Only the differing values, written into the expected file's own text."""
    parse_json(expected, "the expected file")  # the limits of the comparison's reader
    new = parse_json(actual, "the output file")
    text = decode_text(expected, "the expected file")
    try:
        root = parse(text)
    except JsonSyntax:  # JSON Python reads but the editor does not (NaN): written anew
        return actual
    accepted = accept_json(root.value, new, rule.compare if rule is not None else None)
    prefix = expected[: len(expected) - len(text.encode("utf-8"))]  # a byte-order mark
    return prefix + edited_node(text, root, accepted.value).encode("utf-8")


def _accepted_csv(expected: bytes, actual: bytes, rule: FileRule) -> bytes | None:
    """Only the rows (and within a row, the cells) that differ, in the expected file's text."""
    rows = csv_rows(expected, "the expected file")
    if not rows:
        return None
    kept = [csv_record(rows[0].cells, row.cells) for row in rows[1:]]
    accepted = accept_json(kept, csv_records(actual, "the output file"), csv_spec(rule))
    return edited_csv(expected, rows, kept, accepted.value)
