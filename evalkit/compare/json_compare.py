"""Compare an actual JSON value with the expected one under a rule set.

``compile_rules(spec)`` is done once per rule set (and cached); ``compare_json`` then runs per
example, its regex matches sharing one time budget (``user_regex``). The result lists every
difference left after the rules, the rules that shaped the verdict (``applied``), and the score
(see ``scoring``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.compiled import CompiledRules, compile_rules
from evalkit.compare.differences import AppliedRule, Difference
from evalkit.compare.pointers import parse_pointer
from evalkit.compare.python_scorers import scorer_documents
from evalkit.compare.rules import CompareSpec
from evalkit.compare.scoring import score_expected
from evalkit.compare.user_regex import regex_time_budget
from evalkit.compare.walk import find_differences

__all__ = ["CompiledRules", "JsonComparison", "compare_json", "compile_rules"]

TOO_DEEP = "nested too deeply to compare"
_KIND_ORDER = {"type_changed": 0, "changed": 1, "missing": 2, "unexpected": 3, "order": 4}
_DIGITS = re.compile(r"\d+\Z")


@dataclass(frozen=True)
class JsonComparison:
    """The outcome of one JSON comparison."""

    differences: list[Difference] = field(default_factory=list)
    applied: list[AppliedRule] = field(default_factory=list)
    score: float = 1.0
    matched_weight: float = 0.0
    total_weight: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "score": self.score,
            "matchedWeight": self.matched_weight,
            "totalWeight": self.total_weight,
            "differences": [d.to_dict() for d in self.differences],
            "applied": [a.to_dict() for a in self.applied],
        }


def compare_json(
    expected: Any, actual: Any, rules: CompiledRules | CompareSpec | None = None
) -> JsonComparison:
    """Compare two JSON values (already parsed) under the rules."""
    compiled = rules if isinstance(rules, CompiledRules) else compile_rules(rules)
    try:
        with regex_time_budget(), scorer_documents(expected, actual):
            findings = find_differences(expected, actual, compiled)
        differences = sorted(findings.differences, key=_document_order)
        applied = sorted(findings.applied, key=lambda a: _pointer_order(a.pointer))
        score = score_expected(expected, differences, compiled)
    except RecursionError:
        # A verdict, not a crash: one run's absurd output must not stop the others. The
        # values stay out of the difference: serialising them would recurse just as deep.
        return JsonComparison(differences=[Difference("", "changed", rule=TOO_DEEP)], score=0.0)
    return JsonComparison(
        differences=differences,
        applied=applied,
        score=score.value,
        matched_weight=score.matched_weight,
        total_weight=score.total_weight,
    )


def _pointer_order(pointer: str) -> tuple[tuple[int, int, str], ...]:
    # Numbers in numeric order, so /items/2 comes before /items/10.
    return tuple((0, int(s), "") if _DIGITS.match(s) else (1, 0, s) for s in parse_pointer(pointer))


def _document_order(difference: Difference) -> tuple[Any, ...]:
    return (_pointer_order(difference.pointer), _KIND_ORDER[difference.kind])
