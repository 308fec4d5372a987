"""JSON Schema validators whose ``pattern`` checks cannot hang the platform.

jsonschema searches ``pattern``, ``patternProperties`` (and ``additionalProperties``, which
skips the names ``patternProperties`` matches) with Python's ``re``, which cannot be stopped: a
pattern that backtracks catastrophically (``(a|a)*$`` on 40 ``a`` and a ``!``) holds the
interpreter lock for hours, and the whole local platform with it. Here they search with the
``regex`` package instead (Python's syntax; it releases the lock while it matches and stops
after ``MATCH_LIMIT_SECONDS``), as ``evalkit.compare.user_regex`` does for compare rules (the
emulator does not import evalkit.compare, hence this small copy).

A pattern that is stopped, does not compile in ``regex`` or would expand too far when it does
raises ``UnusablePattern``: the output cannot be vouched for. ``regex`` unrolls counted
repeats when it compiles, and ``((?:a|bc){1000}){1000}`` crashes the process, so the size is
read first with Python's own parser (the schema check already compiled the pattern with ``re``).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import regex  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend

MATCH_LIMIT_SECONDS = 1.0
MAX_EXPANDED_SIZE = 20_000  # elements once counted repeats are unrolled (as evalkit.compare)

_PARSER: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


class UnusablePattern(Exception):
    """A schema pattern that could not be searched; the message names it and says why."""


def bounded_search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` is found in ``text`` (JSON Schema: a search, not a full match)."""
    compiled = _compile(pattern)
    try:
        found = compiled.search(text, concurrent=True, timeout=MATCH_LIMIT_SECONDS)
    except TimeoutError:
        raise UnusablePattern(
            f"pattern {pattern!r} took longer than {MATCH_LIMIT_SECONDS:g} s on a "
            f"{len(text)}-character string and was stopped (it backtracks catastrophically)"
        ) from None
    return found is not None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    try:
        size = _expanded_size(_PARSER.parse(pattern))
    except (re.error, ValueError, OverflowError, RecursionError) as err:
        raise UnusablePattern(f"pattern {pattern!r} cannot be read: {err}") from None
    if size > MAX_EXPANDED_SIZE:
        raise UnusablePattern(
            f"pattern {pattern!r} unrolls to more than {MAX_EXPANDED_SIZE} elements "
            "(counted repeats such as {1000} nested in one another)"
        )
    try:
        return regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as err:
        raise UnusablePattern(f"pattern {pattern!r} does not compile: {err}") from None


def _expanded_size(node: Any) -> int:
    """Elements of a parsed pattern with every counted repeat unrolled (an upper bound)."""
    total = 0
    for op, argument in node:
        inner = sum(_expanded_size(sub) for sub in _subpatterns(argument))
        if str(op) in _REPEATS:
            low, high = argument[0], argument[1]
            count = high if high != _PARSER.MAXREPEAT else low + 1
            total += max(inner, 1) * max(count, 1)
        else:
            total += 1 + inner
        if total > MAX_EXPANDED_SIZE:
            return total
    return total


def _subpatterns(argument: Any) -> Iterator[Any]:
    if isinstance(argument, _PARSER.SubPattern):
        yield argument
    elif isinstance(argument, tuple | list):
        for part in argument:
            yield from _subpatterns(part)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not bounded_search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if bounded_search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        name
        for name in instance
        if name not in properties and not any(bounded_search(p, name) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        unexpected = ", ".join(repr(extra) for extra in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({unexpected} unexpected)")


@lru_cache(maxsize=16)
def bounded_validator(validator_class: Any) -> Any:
    """``validator_class`` with its ``pattern`` keywords searched by ``bounded_search``."""
    replacements = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }
    keywords = {k: v for k, v in replacements.items() if k in validator_class.VALIDATORS}
    return extend(validator_class, keywords)  # type: ignore[no-untyped-call]
