"""Merging ``compare:`` blocks and gates from the least specific level to the most specific.

Levels are defaults -> agent (or workflow) -> examples folder -> example. A more specific level
overrides only the fields it sets: ``/total: {tolerance: 0.01}`` in the defaults and
``/total: {weight: 2}`` on an example give ``/total: {tolerance: 0.01, weight: 2}``, while an
example's ``/generatedAt: {ignore: false}`` undoes a default ``ignore: [/generatedAt]``.
``repeat:`` merges the same way, field by field (times, pass_if, adaptive). Gates merge the
same way: each threshold from the most specific level that sets it (``null``
switches an inherited gate off). Where no gate is left set at all, the runner requires every
example to pass (``min_pass_rate: 1.0``).
"""

from __future__ import annotations

from typing import Any

from evalkit.compare.rules import CompareSpec
from evalkit.compare.spec_merge import merge_specs
from evalkit.manifest.models import Gates, Repeat


def merge_compare(*levels: CompareSpec | None) -> CompareSpec:
    """One ``CompareSpec`` from ``levels``, least specific first (``None`` levels are skipped);
    the comparison engine's own merge (``evalkit.compare.spec_merge``), so there is one rule."""
    return merge_specs(*levels)


def merge_repeat(*levels: Repeat | None) -> Repeat | None:
    """``repeat:`` where each of times, pass_if and adaptive comes from the most specific level
    that sets it; None when no level sets any."""
    fields: dict[str, Any] = {}
    for level in levels:
        if level is not None:
            fields.update({name: getattr(level, name) for name in level.model_fields_set})
    return Repeat(**fields) if fields else None


def merge_gates(*levels: Gates | None) -> Gates:
    """Gates where each threshold comes from the most specific level that sets it."""
    fields: dict[str, Any] = {}
    for level in levels:
        if level is not None:
            fields.update({name: getattr(level, name) for name in level.model_fields_set})
    return Gates(**fields)
