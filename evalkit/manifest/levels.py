"""Merging ``compare:`` blocks and gates from the least specific level to the most specific.

Levels are defaults -> agent (or workflow) -> examples folder -> example. A more specific level
overrides only the fields it sets: ``/total: {tolerance: 0.01}`` in the defaults and
``/total: {weight: 2}`` on an example give ``/total: {tolerance: 0.01, weight: 2}``, while an
example's ``/generatedAt: {ignore: false}`` undoes a default ``ignore: [/generatedAt]``.
``repeat:`` merges the same way, field by field (times, pass_if, adaptive); ``PlacedRepeat`` keeps
where each field was written, to refuse a ``pass_if`` that the attempts can never meet at its
line. Gates merge the
same way: each threshold from the most specific level that sets it (``null``
switches an inherited gate off). Where no gate is left set at all, the runner requires every
example to pass (``min_pass_rate: 1.0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.rules import CompareSpec
from evalkit.compare.spec_merge import merge_specs
from evalkit.errors import ManifestProblem, SourceMark
from evalkit.manifest.models import AtLeast, Gates, Repeat
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text


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


@dataclass(frozen=True)
class PlacedRepeat:
    """A ``repeat:`` merged down the levels, and where each of its fields was written."""

    repeat: Repeat | None = None
    #: field name -> (the mark of its key, its place as text), of the level that set it
    places: Mapping[str, tuple[SourceMark, str]] = field(default_factory=dict)

    def over(self, level: Repeat | None, source: YamlSource, loc: Loc) -> PlacedRepeat:
        """This merged with ``level``, the ``repeat:`` written at ``loc`` of ``source``."""
        if level is None:
            return self
        places = dict(self.places)
        for name in level.model_fields_set:
            # ``repeat: 5`` sets times without a key of its own
            at = (*loc, name) if source.has((*loc, name)) else loc
            places[name] = (source.mark(at, key=True), loc_text(at))
        return PlacedRepeat(merge_repeat(self.repeat, level), places)

    def never_passes(self) -> ManifestProblem | None:
        """A problem at the ``pass_if`` when it asks more passes than there are attempts."""
        repeat = self.repeat
        if repeat is None or not isinstance(repeat.pass_if, AtLeast):
            return None
        needed = repeat.pass_if.at_least
        adaptive = repeat.adaptive
        most = adaptive.max if adaptive is not None else repeat.times
        if needed <= most:
            return None
        mark, where = self.places["pass_if"]
        name = "adaptive max" if adaptive is not None else "times"
        place = self.places.get("adaptive" if adaptive is not None else "times")
        if place is None:
            said = "times not set, so 1"
        elif place[1].startswith(where.removesuffix("pass_if")):  # the same repeat: block
            said = f"{name} {most}"
        else:
            said = f"{name} {most} at {place[1]}"
        message = f"{where}: at_least {needed} can never pass with {most} attempt(s) ({said})"
        fix = "raise adaptive max" if adaptive is not None else "set times"
        hint = f"{fix} to {needed} or more, or lower at_least to {most} or less"
        return ManifestProblem(mark, message, where, hint)


def merge_gates(*levels: Gates | None) -> Gates:
    """Gates where each threshold comes from the most specific level that sets it."""
    fields: dict[str, Any] = {}
    for level in levels:
        if level is not None:
            fields.update({name: getattr(level, name) for name in level.model_fields_set})
    return Gates(**fields)
