"""How single values compare under a resolved rule; helpers shared by the comparison.

Type model (JSON's): null, boolean, number, string, object, array. ``true`` never equals
``1``; ``1`` equals ``1.0``. A numeric rule (tolerance) also reads strings written as plain
decimal numbers, so ``"10.00"`` and ``10.004`` match under ``tolerance: 0.01`` (CSV cells and
extractions often carry numbers as text). Text normalisations apply to strings on both sides.
A regex judges the actual value alone: it must be a string the regex fully matches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Literal

from evalkit.compare.compiled import CompiledRules, ResolvedRule
from evalkit.compare.pointers import escape_segment
from evalkit.compare.rules import TextNormalisation

ScalarOutcome = Literal["match", "excused", "changed", "type_changed"]

_DECIMAL = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")
_WHITESPACE = re.compile(r"\s+")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def child(pointer: str, key: str | int) -> str:
    return f"{pointer}/{escape_segment(str(key))}"


def normalise_text(text: str, normalisations: tuple[TextNormalisation, ...]) -> str:
    # A fixed order, so the result does not depend on how the rule lists them.
    if TextNormalisation.WHITESPACE in normalisations:
        text = _WHITESPACE.sub(" ", text)
    if TextNormalisation.STRIP in normalisations:
        text = text.strip()
    if TextNormalisation.CASEFOLD in normalisations:
        text = text.casefold()
    return text


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _DECIMAL.match(value):
        return float(value)
    return None


def within_tolerance(rule: ResolvedRule, expected: float, actual: float) -> bool:
    gap = abs(actual - expected)
    if rule.tolerance is not None and gap <= rule.tolerance:
        return True
    return rule.relative_tolerance is not None and gap <= rule.relative_tolerance * abs(expected)


def compare_scalar(rule: ResolvedRule, expected: Any, actual: Any) -> ScalarOutcome:
    """Compare two values that are not both objects or both arrays (or a regex judges them)."""
    if rule.regex is not None:
        ok = isinstance(actual, str) and rule.regex.fullmatch(actual) is not None
        return "match" if ok else "changed"
    expected_type, actual_type = json_type(expected), json_type(actual)
    if expected_type == actual_type and expected == actual:
        return "match"
    if rule.numeric:
        left, right = _as_number(expected), _as_number(actual)
        if left is not None and right is not None:
            return "excused" if within_tolerance(rule, left, right) else "changed"
    if expected_type != actual_type:
        return "type_changed"
    if expected_type == "string" and rule.text:
        same = normalise_text(expected, rule.text) == normalise_text(actual, rule.text)
        return "excused" if same else "changed"
    return "changed"


def identical(expected: Any, actual: Any) -> bool:
    """Equal as JSON documents, ``true`` and ``1`` told apart (``==`` alone conflates them)."""
    if expected is actual:
        return True
    return bool(expected == actual) and canonical(expected) == canonical(actual)


def canonical(value: Any) -> str:
    """A key equal for identical JSON values (used to pair identical list elements fast)."""
    try:
        return json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):  # keys of mixed types (not JSON) cannot be sorted
        return repr(value)


def unignored_within(value: Any, pointer: str, rules: CompiledRules) -> Iterator[tuple[str, Any]]:
    """Paths at or below ``pointer`` that an ``ignore: false`` rule brings back into play."""
    if not rules.resolve(pointer).ignore:
        yield pointer, value
        return
    if not rules.has_unignore:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from unignored_within(item, child(pointer, key), rules)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unignored_within(item, child(pointer, index), rules)


def absent_ok(value: Any, pointer: str, rules: CompiledRules) -> bool:
    """A value present on one side only is no difference (it is ignored, all of it)."""
    return next(unignored_within(value, pointer, rules), None) is None
