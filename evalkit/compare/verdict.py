"""One example's verdict: its JSON output and its files against what is expected.

Score: expected JSON leaves (with their weights) and expected files (one unit of weight each,
credited with the file's own score) form one pool; the score is the matched share of it. With
nothing weighted at all, the score is 1.0 without differences and 0.0 with any.

Rating: ``pass`` when no difference is left after the rules; otherwise ``partial`` when the
score reaches the partial threshold (the spec's, default 0.5), else ``fail``.

``expected_json=None`` means the example expects nothing of the JSON output (the platform's
``expected: null``); ``expected_files=None`` means no file checks at all, while ``{}`` means "no
files expected", so any output file is unexpected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evalkit.compare.differences import AppliedRule, Difference
from evalkit.compare.files import FileComparison, compare_files
from evalkit.compare.json_compare import compare_json
from evalkit.compare.judges import JudgeBook, judge_book
from evalkit.compare.python_scorers import scorer_example
from evalkit.compare.rules import CompareSpec
from evalkit.compare.user_regex import regex_time_budget

Rating = Literal["pass", "partial", "fail"]

DEFAULT_PARTIAL_THRESHOLD = 0.5


@dataclass(frozen=True)
class ExampleVerdict:
    rating: Rating
    score: float
    matched_weight: float
    total_weight: float
    differences: list[Difference] = field(default_factory=list)
    files: list[FileComparison] = field(default_factory=list)
    applied: list[AppliedRule] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.rating == "pass"

    @property
    def scorer_errors(self) -> list[Difference]:
        """The differences where a custom scorer failed (``Difference.error``): the example
        then deserves the ``error`` verdict, whatever its rating."""
        found = [d for d in self.differences if d.error is not None]
        return found + [d for f in self.files for d in f.differences if d.error is not None]

    def summary(self, max_lines: int = 10) -> str:
        """A short text for people (feedback body, console), values truncated."""
        head = f"{self.rating}: score {self.score:.2f}"
        lines = [d.display() for d in self.differences]
        lines += [_file_line(f) for f in self.files if not f.matched]
        if not lines:
            return head
        shown = lines[:max_lines]
        if len(lines) > max_lines:
            shown.append(f"... and {len(lines) - max_lines} more")
        return "\n".join([head, *(f"- {line}" for line in shown)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "rating": self.rating,
            "score": self.score,
            "matchedWeight": self.matched_weight,
            "totalWeight": self.total_weight,
            "differences": [d.to_dict() for d in self.differences],
            "files": [f.to_dict() for f in self.files],
            "applied": [a.to_dict() for a in self.applied],
        }


def _file_line(comparison: FileComparison) -> str:
    text = f"file {comparison.name}: {comparison.status}"
    if comparison.problem:
        text += f" ({comparison.problem})"
    elif comparison.differences:
        text += f" ({len(comparison.differences)} differences)"
    return text


def parse_if_json_text(value: Any) -> Any:
    """A string holding a JSON object or array becomes that value; anything else is kept.
    (A string such as ``"42"`` stays text: it is far more likely meant as text.)"""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def compare_example(
    expected_json: Any,
    actual_json: Any,
    expected_files: Mapping[str, bytes] | None,
    actual_files: Mapping[str, bytes] | None,
    spec: CompareSpec | None = None,
    *,
    input: Any = None,
    judgements: JudgeBook | None = None,
) -> ExampleVerdict:
    """Compare one example's outputs with its expectations under a (merged) spec; ``input``
    (the example's input JSON) is for the custom scorers (``python`` rules); ``judgements``
    holds the judge agents' judgements (``judge`` rules), and records those it lacked."""
    if judgements is not None:
        judgements.start_comparison()
    # the JSON and the files share the regex budget, the scorers' example and the judgements
    with regex_time_budget(), scorer_example(input), judge_book(judgements):
        return _compare_example(expected_json, actual_json, expected_files, actual_files, spec)


def _compare_example(
    expected_json: Any,
    actual_json: Any,
    expected_files: Mapping[str, bytes] | None,
    actual_files: Mapping[str, bytes] | None,
    spec: CompareSpec | None,
) -> ExampleVerdict:
    spec = spec or CompareSpec()
    matched = total = 0.0
    differences: list[Difference] = []
    applied: list[AppliedRule] = []
    if expected_json is not None:
        comparison = compare_json(
            parse_if_json_text(expected_json), parse_if_json_text(actual_json), spec
        )
        differences, applied = comparison.differences, comparison.applied
        matched += comparison.matched_weight
        total += comparison.total_weight
    files: list[FileComparison] = []
    if expected_files is not None:
        files = compare_files(expected_files, actual_files or {}, spec.files)
        for comparison_of_file in files:
            if comparison_of_file.status != "unexpected":
                total += 1.0
                matched += comparison_of_file.score
    clean = not differences and all(f.matched for f in files)
    score = min(1.0, matched / total) if total > 0 else (1.0 if clean else 0.0)
    threshold = spec.partial_threshold
    if threshold is None:
        threshold = DEFAULT_PARTIAL_THRESHOLD
    rating: Rating = "pass" if clean else ("partial" if score >= threshold else "fail")
    return ExampleVerdict(rating, score, matched, total, differences, files, applied)
