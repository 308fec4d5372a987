"""How single values compare under a resolved rule; helpers shared by the comparison.

Type model (JSON's): null, boolean, number, string, object, array. ``true`` never equals
``1``; ``1`` equals ``1.0``. Numbers are compared in decimal, as written (``numeric``), so a
tolerance means what a person reads. Text is text: ``"5.00"`` against ``5`` is a type change
and ``"5.00"`` against ``"5"`` a change, except where a rule says otherwise:

- a numeric rule (``tolerance``, ``relative_tolerance``) reads two strings written as decimal
  numbers as numbers (CSV cells are always text): ``"10.00"`` and ``"10.004"`` match under
  ``tolerance: 0.01``; a string against a number is still a type change;
- ``strings_as_numbers: true`` reads a string written as a decimal number as that number on
  either side: ``"5.00"`` matches ``5``, and ``5.004`` too under ``tolerance: 0.01``.

Text normalisations apply to strings on both sides. A regex judges the actual value alone: it
must be a string the regex fully matches, within the time limits of ``user_regex`` (a match
stopped there is not a match).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any, Literal

from evalkit.compare.compiled import CompiledRules, ResolvedRule
from evalkit.compare.numeric import as_decimal, is_decimal_text, is_number, numbers_within
from evalkit.compare.pointers import escape_segment
from evalkit.compare.rules import TextNormalisation

ScalarOutcome = Literal["match", "excused", "changed", "type_changed"]

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


def numbers_to_compare(rule: ResolvedRule, expected: Any, actual: Any) -> bool:
    """Whether the rule compares these two values as numbers (see the notes)."""
    if not (rule.numeric or rule.strings_as_numbers):
        return False
    both_text = isinstance(expected, str) and isinstance(actual, str)
    read_text = rule.strings_as_numbers or both_text
    return is_number(expected, read_text=read_text) and is_number(actual, read_text=read_text)


def within_tolerance(rule: ResolvedRule, expected: Any, actual: Any) -> bool:
    """The two numbers match under the rule's tolerances (equal, without any), in decimal."""
    return numbers_within(expected, actual, rule.tolerance, rule.relative_tolerance)


def text_for_number(rule: ResolvedRule, expected: Any, actual: Any) -> bool:
    """A number on one side, the same written as text on the other, under a numeric rule that
    does not read text as numbers: a type change worth explaining."""
    if not rule.numeric or rule.strings_as_numbers:
        return False
    return (is_decimal_text(expected) and as_decimal(actual) is not None) or (
        is_decimal_text(actual) and as_decimal(expected) is not None
    )


def compare_scalar(rule: ResolvedRule, expected: Any, actual: Any) -> ScalarOutcome:
    """Compare two values that are not both objects or both arrays (paths a regex or a scorer
    judges are ``scorers.judged_ok``'s)."""
    expected_type, actual_type = json_type(expected), json_type(actual)
    if expected_type == actual_type and (expected == actual or _both_nan(expected, actual)):
        return "match"
    if numbers_to_compare(rule, expected, actual):
        return "excused" if within_tolerance(rule, expected, actual) else "changed"
    if expected_type != actual_type:
        return "type_changed"
    if expected_type == "string" and rule.text:
        same = normalise_text(expected, rule.text) == normalise_text(actual, rule.text)
        return "excused" if same else "changed"
    return "changed"


def _both_nan(expected: Any, actual: Any) -> bool:
    """NaN is not JSON, but Python's json reads it: the same token on both sides matches."""
    both_floats = isinstance(expected, float) and isinstance(actual, float)
    return both_floats and math.isnan(expected) and math.isnan(actual)


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
    """Paths at or below ``pointer`` that are compared: not skipped (ignored, or below a value
    judged whole), or brought back below a skipped one (``ignore: false``, a rule of its own
    under a judged value)."""
    if not rules.resolve(pointer).skipped:
        yield pointer, value
        return
    if not rules.parts_come_back:
        return
    for path, item in members(value, pointer):
        yield from unignored_within(item, path, rules)


def members(value: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """The paths and values of an object's members or a list's elements (none for others)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield child(pointer, key), item
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield child(pointer, index), item


def absent_ok(value: Any, pointer: str, rules: CompiledRules) -> bool:
    """A value present on one side only is no difference (it is ignored, all of it)."""
    return next(unignored_within(value, pointer, rules), None) is None
