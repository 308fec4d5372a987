"""Accepting an output as the new expectation (``evalkit accept``): the old expected value with
only what the comparison finds different taken from the actual output.

What the rules excuse keeps its old expected value, so accepting noise is no change: an
ignored path (a value only the output has stays out), a number within its tolerance, text
equal after its normalisations, an order-free list's elements (kept in their old order, the
output's new elements appended, the ones it lost dropped), and a value a regex or a scorer
accepts. A list in strict order whose elements are all there in another order takes the new
order, each element keeping its old value. A value a regex or a scorer rejects keeps its old
value too, unless taking the actual one satisfies the rule (a similarity to the expected text):
the rule, not the expected value, is what the output fails, so only a new rule fixes that; the
comparison of the accepted value with the output (``AcceptedJson.left``) lists what is left.
A value a judge agent grades keeps its old expected value (its reference answer) whatever the
judge said: judges run on the platform, in ``evalkit run`` only (``AcceptedJson.judged``).

Files: a file that differs is replaced by the output file, a JSON file (json mode) merged like
the JSON output; an expected file the output lacks is removed; an output file nobody expected is
added (only reported when the example expects files at all, as in the comparison).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evalkit.compare.compiled import CompiledRules, compile_rules
from evalkit.compare.differences import ABSENT, Difference
from evalkit.compare.file_formats import UnreadableFile, parse_json
from evalkit.compare.file_modes import FileMode
from evalkit.compare.files import FileComparison, compare_files, rule_for
from evalkit.compare.json_compare import compare_json
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
        for index in range(max(len(expected), len(actual))):
            path = child(pointer, index)
            if index < len(expected) and index < len(actual):
                merged.append(self.merged(expected[index], actual[index], path))
            elif index < len(expected):
                if absent_ok(expected[index], path, self.rules):
                    merged.append(expected[index])
            else:
                kept = self.fresh(actual[index], path)
                if kept is not ABSENT:
                    merged.append(kept)
        return merged


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
    """The output file, but for a JSON file only its differing values (in its own layout when
    that is all of them)."""
    if compared.mode != FileMode.JSON or compared.problem is not None:
        return actual
    try:
        old = parse_json(expected, "the expected file")
        new = parse_json(actual, "the output file")
    except UnreadableFile:
        return actual
    accepted = accept_json(old, new, rule.compare if rule is not None else None)
    if identical(accepted.value, new):
        return actual
    return (json.dumps(accepted.value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
