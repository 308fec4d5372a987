"""Find the differences between two JSON values under compiled rules, with deepdiff.

deepdiff walks the structure (objects key by key, arrays index by index) and reports keys and
elements present on one side only. One custom operator, ``_RuleOperator``, sees every level
first and takes over wherever a rule or JSON's own type model must decide:

- identical values (no regex rule anywhere): nothing to compare below;

- an ignored path (stop there, unless an ``ignore: false`` rule lies below);
- ``present`` paths, paths a ``regex`` or a scorer judges (``scorers``: similarity, contains,
  length, json_schema, python), and every pair that is not object/object or array/array (scalars,
  and type changes), compared by ``values.compare_scalar``;
- arrays compared without order (a multiset match, ``matching``), and arrays in order whose
  elements are all there but in another order (one ``order`` difference, not one per index).

deepdiff's own scalar comparison is never used: it treats ``True`` as equal to ``1``.

``applied`` lists the rules that excused a difference (the raw values differ, the rules accept
them): ignored, within tolerance, the same number written as text, text normalised, order
ignored, present, regex, and the scorers that passed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.compiled import CompiledRules, ResolvedRule
from evalkit.compare.differences import AppliedRule, Difference, DifferenceKind
from evalkit.compare.matching import match_elements, pair_leftovers, values_match
from evalkit.compare.pointers import format_pointer
from evalkit.compare.scorers import judge_scorers
from evalkit.compare.values import (
    child,
    compare_scalar,
    identical,
    members,
    numbers_to_compare,
    text_for_number,
    unignored_within,
)

_REMOVED = ("dictionary_item_removed", "iterable_item_removed")
_ADDED = ("dictionary_item_added", "iterable_item_added")


@dataclass
class Findings:
    """What a comparison found: differences, and the rules that shaped the verdict."""

    differences: list[Difference] = field(default_factory=list)
    applied: list[AppliedRule] = field(default_factory=list)
    _noted: set[AppliedRule] = field(default_factory=set, repr=False)

    def note(self, applied: AppliedRule) -> None:
        if applied not in self._noted:  # an ignored path can be met from both sides
            self._noted.add(applied)
            self.applied.append(applied)


def warm_up() -> None:
    """Import what the first comparison needs (deepdiff, and numpy through it: a few tenths of
    a second). Commands that never compare (``--help``, ``validate``, ``plan``) never pay for
    it; a run calls this in a worker thread while its first executions are away."""
    import deepdiff  # noqa: F401


def find_differences(
    expected: Any,
    actual: Any,
    rules: CompiledRules,
    pointer: str = "",
    into: Findings | None = None,
) -> Findings:
    """Compare ``expected`` with ``actual``, both located at ``pointer`` in their documents."""
    findings = into if into is not None else Findings()
    if rules.judges_values:
        # deepdiff does not look inside a value compared with itself (the same object on both
        # sides, e.g. a caller passing one document twice), but a regex or scorer can reject it.
        actual = copy.deepcopy(actual)
    from deepdiff import DeepDiff  # imported on the first comparison: see ``warm_up``

    operator = _RuleOperator(rules, pointer, findings)
    tree = DeepDiff(
        expected,
        actual,
        view="tree",
        custom_operators=[operator],
        zip_ordered_iterables=True,  # index by index; order-insensitive lists are ours
        threshold_to_diff_deeper=0,  # always report inside objects, never "whole object changed"
        cache_purge_level=0,
    )
    for report_type, levels in tree.items():
        for level in levels:
            _translate(report_type, level, operator)
    return findings


def _translate(report_type: str, level: Any, operator: _RuleOperator) -> None:
    if report_type in _REMOVED:
        operator.one_side_only("missing", operator.pointer_of(level), level.t1)
    elif report_type in _ADDED:
        operator.one_side_only("unexpected", operator.pointer_of(level, use_t2=True), level.t2)
    else:  # not expected with the options above; kept visible rather than dropped
        pointer = operator.pointer_of(level)
        operator.report(Difference(pointer, "changed", level.t1, level.t2, report_type))


class _RuleOperator:
    """A deepdiff custom operator (``match`` + ``give_up_diffing``) applying our rules."""

    def __init__(self, rules: CompiledRules, prefix: str, findings: Findings) -> None:
        self.rules = rules
        self.prefix = prefix
        self.findings = findings

    def pointer_of(self, level: Any, use_t2: bool = False) -> str:
        return self.prefix + format_pointer(level.path(output_format="list", use_t2=use_t2))

    def report(self, difference: Difference) -> None:
        self.findings.differences.append(difference)

    def note(self, pointer: str, kind: Any, detail: str) -> None:
        self.findings.note(AppliedRule(pointer, kind, detail))

    def one_side_only(self, kind: DifferenceKind, pointer: str, value: Any) -> None:
        """A value on one side only: a difference unless ignored (all of it)."""
        rule = self.rules.resolve(pointer)
        if rule.ignore:
            self.note(pointer, "ignored", "ignored")
        for path, item in unignored_within(value, pointer, self.rules):
            at = self.rules.resolve(path)
            tag = "present" if at.present else None
            if kind == "missing":
                self.report(Difference(path, kind, expected=item, rule=tag))
            else:
                # an element of an order-insensitive list left over because its regex ran
                # out of time says so (the regex is not run again)
                undecided = at.regex.undecided(item) if at.regex is not None else None
                self.report(Difference(path, kind, actual=item, rule=undecided or tag))

    def match(self, level: Any) -> bool:
        return True

    def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
        pointer = self.pointer_of(level)
        rule = self.rules.resolve(pointer)
        expected, actual = level.t1, level.t2
        same = identical(expected, actual)
        if same and not self.rules.judges_values:
            return True  # only a regex or a scorer can reject identical values
        containers = (isinstance(expected, dict) and isinstance(actual, dict)) or (
            isinstance(expected, list) and isinstance(actual, list)
        )
        if rule.skipped:
            if self.rules.parts_come_back and containers:
                return False  # descend: a rule below may bring a part back
            if not same and rule.ignore:
                self.note(pointer, "ignored", "ignored")
            if self.rules.parts_come_back and not same:  # what a part brought back lacks
                self.one_side_only("missing", pointer, expected)
                self.one_side_only("unexpected", pointer, actual)
            return True
        if rule.judges_own_value:
            if rule.present:
                if not same:
                    self.note(pointer, "present", "present (any value)")
            else:
                self._judge(pointer, rule, expected, actual)
            return self._below_judged(pointer, expected, actual, containers)
        if not containers:
            self._compare_scalar(pointer, rule, expected, actual)
            return True
        if isinstance(expected, list):
            if rule.unordered:
                self._compare_unordered(pointer, expected, actual)
                return True
            return self._reordered(pointer, expected, actual)
        return False

    def _below_judged(self, pointer: str, expected: Any, actual: Any, containers: bool) -> bool:
        """After judging a value whole: walk on below it when rules declared below apply
        there (``compiled``); what only one side has is missing or unexpected for them."""
        if not self.rules.rules_below(pointer):
            return True
        if containers:
            return False
        for path, item in members(expected, pointer):
            self.one_side_only("missing", path, item)
        for path, item in members(actual, pointer):
            self.one_side_only("unexpected", path, item)
        return True

    def _compare_scalar(self, pointer: str, rule: ResolvedRule, expected: Any, actual: Any) -> None:
        outcome = compare_scalar(rule, expected, actual)
        if outcome == "match":
            return  # equal, or equal as JSON numbers (1 and 1.0): nothing to excuse
        as_numbers = numbers_to_compare(rule, expected, actual)
        if as_numbers or (rule.numeric and not isinstance(expected, str)):
            detail = rule.describe_numeric()
        elif rule.text and isinstance(expected, str) and isinstance(actual, str):
            detail = rule.describe_text()
        else:
            detail = rule.describe_numeric() if rule.numeric else ""
        if text_for_number(rule, expected, actual):
            detail += "; a number written as text is not a number (see strings_as_numbers)"
        if outcome != "excused":
            self.report(Difference(pointer, outcome, expected, actual, detail or None))
        elif not as_numbers:
            self.note(pointer, "text", detail)
        elif rule.numeric:
            self.note(pointer, "tolerance", f"within {detail}")
        else:
            self.note(pointer, "number", "the same number (strings_as_numbers)")

    def _judge(self, pointer: str, rule: ResolvedRule, expected: Any, actual: Any) -> None:
        """A regex and the scorers judge the value; each failure is one difference."""
        same = identical(expected, actual)
        if rule.regex is not None:
            judged = rule.regex.judge(actual)
            detail = rule.regex.describe(judged)
            if judged == "match":
                if not same:
                    self.note(pointer, "regex", detail)
            else:  # no match, or not decided in time: never a pass
                self.report(Difference(pointer, "changed", expected, actual, detail))
        if not rule.scored:
            return
        verdict = judge_scorers(rule, expected, actual, pointer)
        for failure in verdict.failures:
            self.report(
                Difference(
                    pointer,
                    "changed",
                    expected,
                    actual,
                    failure.detail,
                    failure.credit,
                    failure.error,
                )
            )
        if not same:
            for kind, detail in verdict.passed:
                self.note(pointer, kind, detail)

    def _compare_unordered(self, pointer: str, expected: list[Any], actual: list[Any]) -> None:
        matching = match_elements(expected, actual, pointer, self.rules)
        if matching.reordered:
            self.note(pointer, "order", "order ignored")
        for i, j in pair_leftovers(expected, actual, matching, pointer, self.rules):
            find_differences(expected[i], actual[j], self.rules, child(pointer, i), self.findings)
        for i in matching.unmatched_expected:
            self.one_side_only("missing", child(pointer, i), expected[i])
        for j in matching.unmatched_actual:
            self.one_side_only("unexpected", child(pointer, j), actual[j])

    def _reordered(self, pointer: str, expected: list[Any], actual: list[Any]) -> bool:
        """One ``order`` difference when the elements are all there, in another order."""
        if len(expected) != len(actual) or len(expected) < 2:
            return False
        if self.rules.names_positions(pointer):
            return False  # rules tied to indexes: compare index by index
        in_order = all(
            values_match(left, right, child(pointer, index), self.rules)
            for index, (left, right) in enumerate(zip(expected, actual, strict=True))
        )
        if in_order:
            return False  # let deepdiff walk it (it may still note applied rules inside)
        matching = match_elements(expected, actual, pointer, self.rules, whole_or_nothing=True)
        if matching.unmatched_expected or matching.unmatched_actual:
            return False
        self.report(Difference(pointer, "order", expected, actual, "order: strict"))
        return True
