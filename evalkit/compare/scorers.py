"""Scorers that need no model: rule keys that judge a value on its own terms rather than by
equality with the expected one.

- ``similarity``: fuzzy similarity of the expected and actual texts (rapidfuzz), 0 to 1; at
  or above ``min`` the value matches; below it, the similarity is the leaf's partial credit in
  the score (``Failure.credit``, read by ``scoring``).
- ``contains`` / ``not_contains`` / ``contains_any``: phrases in the actual text (substrings),
  or elements of an actual list, after the rule's ``text`` normalisations.
- ``length``: the actual text's length in characters (grapheme clusters: what a reader counts,
  so ``é`` is one however it is encoded) or words (runs of non-space characters holding a
  letter or a digit, as ``wc -w`` counts but without lone punctuation).
- ``json_schema``: the actual value validates against a JSON Schema file (``schema_files``).
- ``python``: custom scorers, each called in a worker process (``python_scorers``).
- ``judge``: a judge agent's judgement, made by the runner before the comparison (``judges``).

Texts are compared in Unicode normal form NFC, so a letter and its decomposed spelling are
the same text. Every failure is a sentence a reviewer reads beside the path: "similarity 0.62
below 0.85 (token_set)", "missing 'refund'", "312 words, at most 200".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex  # type: ignore[import-untyped]
from rapidfuzz import fuzz

from evalkit.compare.compiled import ResolvedRule
from evalkit.compare.judges import judge_value
from evalkit.compare.numeric import score_text
from evalkit.compare.python_scorers import judge_python
from evalkit.compare.rules import LengthUnit, SimilarityMethod
from evalkit.compare.schema_files import schema_failure
from evalkit.compare.values import json_type, normalise_text

_METHODS: dict[SimilarityMethod, Callable[[str, str], float]] = {
    SimilarityMethod.RATIO: fuzz.ratio,
    SimilarityMethod.TOKEN_SET: fuzz.token_set_ratio,
    SimilarityMethod.PARTIAL: fuzz.partial_ratio,
}
_GRAPHEME = regex.compile(r"\X")
_TOKEN = regex.compile(r"\S+")
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")
_SHOWN_PHRASES = 5


@dataclass(frozen=True)
class Failure:
    """One scorer's verdict against the value, in words; ``credit``: the share of the leaf's
    weight still earned (similarity's partial credit), ``None`` for none."""

    detail: str
    credit: float | None = None
    #: the scorer failed, not the value: what went wrong (a traceback)
    error: str | None = None


@dataclass(frozen=True)
class ScorerVerdict:
    failures: list[Failure] = field(default_factory=list)
    #: what passing scorers found, for the rules applied at the path: (kind, detail)
    passed: list[tuple[str, str]] = field(default_factory=list)


def judge_scorers(
    rule: ResolvedRule, expected: Any, actual: Any, pointer: str = ""
) -> ScorerVerdict:
    """Run every scorer of the rule on one value, at ``pointer``."""
    verdict = ScorerVerdict()
    if rule.json_schema is not None:
        problem = schema_failure(rule.json_schema, actual)
        _record(verdict, "json_schema", problem, f"matches schema {_schema_name(rule)}")
    if rule.similarity is not None:
        _similarity(verdict, rule, expected, actual)
    for name, judge in (
        ("contains", _contains_all),
        ("not_contains", _contains_none),
        ("contains_any", _contains_some),
    ):
        phrases: tuple[str, ...] = getattr(rule, name)
        if phrases:
            problem, found = judge(rule, phrases, actual)
            _record(verdict, "contains", problem, found)
    if rule.length is not None:
        _length(verdict, rule, actual)
    for scorer in rule.python:
        judged = judge_python(scorer, expected, actual, pointer)
        if judged.passed:
            verdict.passed.append(("python", judged.detail))
        else:
            verdict.failures.append(Failure(judged.detail, judged.credit, judged.error))
    if rule.judge is not None:
        graded = judge_value(rule.judge, expected, actual, pointer)
        if graded.passed:
            verdict.passed.append(("judge", graded.detail))
        else:
            verdict.failures.append(Failure(graded.detail, graded.credit, graded.error))
    return verdict


def judged_ok(rule: ResolvedRule, expected: Any, actual: Any, pointer: str = "") -> bool:
    """The regex and the scorers of a rule that judges the value whole all accept it."""
    if rule.regex is not None and rule.regex.judge(actual) != "match":
        return False
    return not (rule.scored and judge_scorers(rule, expected, actual, pointer).failures)


def _record(verdict: ScorerVerdict, kind: str, problem: str | None, found: str) -> None:
    if problem is None:
        verdict.passed.append((kind, found))
    else:
        verdict.failures.append(Failure(problem))


def _schema_name(rule: ResolvedRule) -> str:
    return (rule.json_schema or "").replace("\\", "/").rsplit("/", 1)[-1]


def _text(value: str, rule: ResolvedRule) -> str:
    return normalise_text(unicodedata.normalize("NFC", value), rule.text)


def _after(rule: ResolvedRule) -> str:
    return f" ({rule.describe_text()})" if rule.text else ""


def _not_text(key: str, side: str, value: Any, lists: bool = False) -> str:
    wanted = "text or a list" if lists else "text"
    return f"{key} needs {wanted}: the {side} value is {_kind(value)}"


def _kind(value: Any) -> str:
    kind = json_type(value)
    return {"null": "null", "array": "a list", "object": "an object"}.get(kind, f"a {kind}")


# --- similarity


def similarity_of(expected: str, actual: str, method: SimilarityMethod) -> float:
    """How similar two (normalised) texts are, from 0 to 1; equal texts are 1."""
    if expected == actual:
        return 1.0
    return _METHODS[method](expected, actual) / 100.0


def _similarity(verdict: ScorerVerdict, rule: ResolvedRule, expected: Any, actual: Any) -> None:
    wanted = rule.similarity
    assert wanted is not None
    if not (isinstance(expected, str) and isinstance(actual, str)):
        if json_type(expected) == json_type(actual) and expected == actual:
            verdict.passed.append(("similarity", "similarity: the same value"))
            return
        side, value = (
            ("expected", expected) if not isinstance(expected, str) else ("actual", actual)
        )
        verdict.failures.append(Failure(_not_text("similarity", side, value), credit=0.0))
        return
    method = wanted.method
    score = similarity_of(_text(expected, rule), _text(actual, rule), method)
    shown = score_text(score, wanted.min)
    if score >= wanted.min:
        detail = f"similarity {shown} ({method.value}, at least {wanted.min:g})"
        verdict.passed.append(("similarity", detail))
        return
    how = ", ".join([method.value, *([rule.describe_text()] if rule.text else [])])
    detail = f"similarity {shown} below {wanted.min:g} ({how})"
    verdict.failures.append(Failure(detail, credit=score))


# --- contains, not_contains, contains_any


def _quoted(phrases: Sequence[str]) -> str:
    shown = [repr(p) for p in phrases[:_SHOWN_PHRASES]]
    if len(phrases) > _SHOWN_PHRASES:
        shown.append(f"{len(phrases) - _SHOWN_PHRASES} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _present(rule: ResolvedRule, phrases: Sequence[str], actual: Any) -> list[bool] | None:
    """For each phrase, whether the actual text contains it (or the actual list holds it);
    None when the actual value is neither."""
    if isinstance(actual, str):
        text = _text(actual, rule)
        return [_text(phrase, rule) in text for phrase in phrases]
    if isinstance(actual, list):
        elements = {_text(item, rule) for item in actual if isinstance(item, str)}
        return [_text(phrase, rule) in elements for phrase in phrases]
    return None


def _contains_all(
    rule: ResolvedRule, phrases: Sequence[str], actual: Any
) -> tuple[str | None, str]:
    found = _present(rule, phrases, actual)
    if found is None:
        return _not_text("contains", "actual", actual, lists=True), ""
    missing = [phrase for phrase, there in zip(phrases, found, strict=True) if not there]
    what = "no element" if isinstance(actual, list) else "missing"
    problem = f"{what} {_quoted(missing)}{_after(rule)}" if missing else None
    return problem, f"contains {_quoted(phrases)}"


def _contains_none(
    rule: ResolvedRule, phrases: Sequence[str], actual: Any
) -> tuple[str | None, str]:
    found = _present(rule, phrases, actual)
    if found is None:
        return _not_text("not_contains", "actual", actual, lists=True), ""
    there = [phrase for phrase, is_there in zip(phrases, found, strict=True) if is_there]
    what = "has the element" if isinstance(actual, list) else "contains"
    problem = f"{what} {_quoted(there)}{_after(rule)}" if there else None
    return problem, f"contains none of {_quoted(phrases)}"


def _contains_some(
    rule: ResolvedRule, phrases: Sequence[str], actual: Any
) -> tuple[str | None, str]:
    found = _present(rule, phrases, actual)
    if found is None:
        return _not_text("contains_any", "actual", actual, lists=True), ""
    hits = [phrase for phrase, there in zip(phrases, found, strict=True) if there]
    if hits:
        return None, f"contains {_quoted(hits)}"
    listing = _quoted(phrases).replace(" and ", " or ")
    return f"contains none of {listing}{_after(rule)}", ""


# --- length


def length_of(text: str, unit: LengthUnit) -> int:
    """Characters as a reader counts them (grapheme clusters), or words."""
    if unit == LengthUnit.WORDS:
        return sum(1 for token in _TOKEN.findall(text) if _WORDLIKE.search(token))
    return len(_GRAPHEME.findall(text))


def _length(verdict: ScorerVerdict, rule: ResolvedRule, actual: Any) -> None:
    bounds = rule.length
    assert bounds is not None
    if not isinstance(actual, str):
        verdict.failures.append(Failure(_not_text("length", "actual", actual)))
        return
    count = length_of(_text(actual, rule), bounds.unit)
    unit = bounds.unit.value if count != 1 else bounds.unit.value[:-1]
    problem = None
    if bounds.min is not None and count < bounds.min:
        problem = f"{count} {unit}, at least {bounds.min}"
    elif bounds.max is not None and count > bounds.max:
        problem = f"{count} {unit}, at most {bounds.max}"
    _record(verdict, "length", problem, f"{count} {unit}")
