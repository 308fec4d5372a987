"""Compare expected files with output files, matched by name.

Each expected file is compared with the output file of the same name, in a mode chosen by the
most specific file rule whose name or glob matches (see ``rule_for``), else by extension:
``.json`` -> json, ``.csv`` -> csv, common text types -> text, anything else -> bytes.
An expected file with no output is ``missing``; an output file nobody expected is
``unexpected``. Both are differences. Files whose most specific rule says ``ignore: true``
(e.g. ``*.log``) are left out of the results altogether, expected or not.

Each file also gets a score in [0, 1]: 1 when it matches, the JSON score (json mode) or the
share of matching cells (csv mode) when it differs, 0 otherwise.

A text file whose rule has scorers (``similarity``, ``contains``, ``not_contains``,
``contains_any``, ``length``) is judged by them as one text (line endings and the final
newline normalised, the rule's ``text`` normalisations applied) instead of line by line: its
differences sit at pointer ``""`` and a similarity below its minimum is its score.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from evalkit.compare.conflicts import TEXT_SCORERS
from evalkit.compare.differences import AppliedRule, Difference
from evalkit.compare.file_formats import (
    UnreadableFile,
    csv_records,
    parse_json,
    text_lines,
    unified_diff,
)
from evalkit.compare.file_modes import GLOB_CHARS, default_mode
from evalkit.compare.rules import CompareSpec, FileMode, FileRule, PathRule
from evalkit.compare.spec_merge import merge_specs

if TYPE_CHECKING:
    from evalkit.compare.json_compare import JsonComparison

# ``compare_json`` is imported by the functions that use it, at the first file compared as
# JSON: the manifest's checks use this module's name matching (``glob_matches``) before a run
# starts, and the JSON comparison (its walk, matching and scorers) waits for the first
# comparison.

FileStatus = Literal["match", "differ", "missing", "unexpected"]


@dataclass(frozen=True)
class FileComparison:
    """How one file compared."""

    name: str
    mode: FileMode
    status: FileStatus
    expected_size: int | None = None
    actual_size: int | None = None
    expected_sha256: str | None = None
    actual_sha256: str | None = None
    score: float = 0.0
    diff: str | None = None  # text mode: a bounded unified diff
    differences: list[Difference] = field(default_factory=list)  # json and csv modes
    applied: list[AppliedRule] = field(default_factory=list)
    problem: str | None = None  # why the file could not be read in its mode

    @property
    def matched(self) -> bool:
        return self.status == "match"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "mode": self.mode.value,
            "status": self.status,
            "score": self.score,
            "expectedSize": self.expected_size,
            "actualSize": self.actual_size,
            "expectedSha256": self.expected_sha256,
            "actualSha256": self.actual_sha256,
        }
        if self.diff is not None:
            data["diff"] = self.diff
        if self.differences:
            data["differences"] = [d.to_dict() for d in self.differences]
        if self.applied:
            data["applied"] = [a.to_dict() for a in self.applied]
        if self.problem is not None:
            data["problem"] = self.problem
        return data


def _glob_specificity(glob: str) -> tuple[int, int, int]:
    literal = not any(char in GLOB_CHARS for char in glob)
    literal_chars = sum(1 for char in glob if char not in GLOB_CHARS)
    return (int(literal), literal_chars, len(glob))


def glob_matches(glob: str, name: str) -> bool:
    """``*`` matches across folders; a glob without ``/`` also matches the base name in any
    folder (as in .gitignore): ``*.csv`` and ``totals.csv`` both match ``out/totals.csv``."""
    if glob == name or fnmatch.fnmatchcase(name, glob):
        return True
    return "/" not in glob and fnmatch.fnmatchcase(PurePosixPath(name).name, glob)


def rule_for(name: str, rules: Mapping[str, FileRule]) -> FileRule | None:
    """The most specific rule for a file name: a name without wildcards beats any glob; then
    more literal characters, then a longer glob; equal globs go to the later one."""
    best: tuple[tuple[int, int, int], int] | None = None
    chosen = None
    for index, (glob, rule) in enumerate(rules.items()):
        if glob_matches(glob, name):
            rank = (_glob_specificity(glob), index)
            if best is None or rank > best:
                best, chosen = rank, rule
    return chosen


def mode_of(name: str, rule: FileRule | None) -> FileMode:
    """The mode a file is compared in: its rule's ``mode`` when the rule sets one, else the
    default of its name."""
    return rule.mode if rule is not None and "mode" in rule.model_fields_set else default_mode(name)


def compare_files(
    expected: Mapping[str, bytes],
    actual: Mapping[str, bytes],
    rules: Mapping[str, FileRule] | None = None,
) -> list[FileComparison]:
    """Compare every expected file, then report output files nobody expected; files an
    ``ignore`` rule covers are skipped either way."""
    rules = rules or {}
    results = []
    for name in sorted(expected):
        rule = rule_for(name, rules) or FileRule(mode=default_mode(name))
        if rule.ignore:
            continue
        mode = mode_of(name, rule)
        results.append(_compare_one(name, mode, rule, expected[name], actual.get(name)))
    for name in sorted(set(actual) - set(expected)):
        extra_rule = rule_for(name, rules)
        if extra_rule is not None and extra_rule.ignore:
            continue
        mode = mode_of(name, extra_rule)
        data = actual[name]
        results.append(
            FileComparison(
                name, mode, "unexpected", actual_size=len(data), actual_sha256=_sha256(data)
            )
        )
    return results


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _compare_one(
    name: str, mode: FileMode, rule: FileRule, expected: bytes, actual: bytes | None
) -> FileComparison:
    sizes: dict[str, Any] = {"expected_size": len(expected), "expected_sha256": _sha256(expected)}
    if actual is None:
        return FileComparison(name, mode, "missing", **sizes)
    sizes.update(actual_size=len(actual), actual_sha256=_sha256(actual))
    same = sizes["expected_sha256"] == sizes["actual_sha256"]
    if mode == FileMode.EXISTS or (same and not scored_text(mode, rule)):
        return FileComparison(name, mode, "match", score=1.0, **sizes)
    try:
        if mode == FileMode.TEXT:
            return _compare_text(name, rule, expected, actual, sizes)
        if mode in (FileMode.JSON, FileMode.CSV):
            comparison = _compare_structured(mode, rule, expected, actual)
            status: FileStatus = "match" if comparison.passed else "differ"
            return FileComparison(
                name,
                mode,
                status,
                score=comparison.score,
                differences=comparison.differences,
                applied=comparison.applied,
                **sizes,
            )
    except UnreadableFile as err:
        return FileComparison(name, mode, "differ", problem=str(err), **sizes)
    return FileComparison(name, mode, "differ", **sizes)  # bytes: the hashes differ


def scored_text(mode: FileMode, rule: FileRule) -> bool:
    """Scorers judge this file (even one identical to the expected file can fail them)."""
    return mode == FileMode.TEXT and any(getattr(rule, key) is not None for key in TEXT_SCORERS)


def _compare_text(
    name: str, rule: FileRule, expected: bytes, actual: bytes, sizes: dict[str, Any]
) -> FileComparison:
    scorers = {key: getattr(rule, key) for key in TEXT_SCORERS if getattr(rule, key) is not None}
    if scorers:
        return _score_text(name, rule, scorers, expected, actual, sizes)
    normalisations = tuple(rule.text or ())
    expected_lines = text_lines(expected, "the expected file", normalisations)
    actual_lines = text_lines(actual, "the output file", normalisations)
    if expected_lines == actual_lines:
        return FileComparison(name, FileMode.TEXT, "match", score=1.0, **sizes)
    diff = unified_diff(expected_lines, actual_lines, name)
    return FileComparison(name, FileMode.TEXT, "differ", diff=diff, **sizes)


def _score_text(
    name: str,
    rule: FileRule,
    scorers: dict[str, Any],
    expected: bytes,
    actual: bytes,
    sizes: dict[str, Any],
) -> FileComparison:
    expected_text = "\n".join(text_lines(expected, "the expected file", ()))
    actual_text = "\n".join(text_lines(actual, "the output file", ()))
    if rule.text:
        scorers["text"] = rule.text
    spec = CompareSpec(rules={"": PathRule(**scorers)})
    from evalkit.compare.json_compare import compare_json  # (see the imports above)

    comparison = compare_json(expected_text, actual_text, spec)
    return FileComparison(
        name,
        FileMode.TEXT,
        "match" if comparison.passed else "differ",
        score=comparison.score,
        differences=comparison.differences,
        applied=comparison.applied,
        **sizes,
    )


def _compare_structured(
    mode: FileMode, rule: FileRule, expected: bytes, actual: bytes
) -> JsonComparison:
    from evalkit.compare.json_compare import compare_json

    if mode == FileMode.JSON:
        left = parse_json(expected, "the expected file")
        right = parse_json(actual, "the output file")
        return compare_json(left, right, rule.compare)
    records_expected = csv_records(expected, "the expected file")
    records_actual = csv_records(actual, "the output file")
    return compare_json(records_expected, records_actual, csv_spec(rule))


def csv_spec(rule: FileRule) -> CompareSpec:
    """The JSON rules for a CSV file's records: the file rule's ``order`` and ``text`` apply to
    every row and cell, then its ``compare`` block (pointers ``/<row>/<column>``) on top."""
    root: dict[str, Any] = {}
    if rule.order is not None:
        root["order"] = rule.order
    if rule.text:
        root["text"] = rule.text
    base = CompareSpec(rules={"": PathRule(**root)}) if root else None
    return merge_specs(base, rule.compare)
