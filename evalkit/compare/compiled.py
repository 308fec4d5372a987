"""A ``compare:`` block compiled once into a lookup: path -> the rule that governs it.

Resolution for one concrete path: every rule whose pattern matches the path *or one of its
ancestors* is a candidate (a rule governs everything below its path). Candidates are ranked by
pattern specificity (``pointers.specificity``), ties going to the later declaration; an entry
in ``ignore:`` counts as ``{ignore: true}`` declared before the ``rules:`` map. Each field is
taken from the best-ranked candidate that sets it explicitly, so ``/meta: {ignore: true}`` and
``/meta/version: {ignore: false}`` compare only the version under ``/meta``.

``regex``, ``present`` and the scorers (``similarity``, ``contains``, ``not_contains``,
``contains_any``, ``length``, ``json_schema``, ``python``, ``judge``) describe one value, not a
subtree: they come only from rules whose pattern matches the path itself.

Below a value they judge whole, the paths are not compared with the expected ones (the judge
had its say on all of it: ``"": {json_schema: ...}`` checks the output's shape, not its
values), except where a rule of their own applies: one declared below the judged path (its
pattern does not cover the judged path), such as ``/reply: {contains: [...]}`` or
``/total: {tolerance: 0.01}`` under ``""``, whatever its keys; ``/**`` covers ``""`` too, so
it brings nothing back. Such a path, and what lies below it, is compared as usual (by its
scorers, regex or ``present`` if it has them, else with the expected value); the others are
``unjudged`` and skipped like ignored ones, quietly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from evalkit.compare.numeric import number_text
from evalkit.compare.pointers import (
    ANY_DEPTH,
    ANY_ONE,
    PointerPattern,
    format_pointer,
    parse_pointer,
)
from evalkit.compare.rules import (
    MERGED,
    CompareSpec,
    JudgeRule,
    Length,
    ListOrder,
    PythonScorer,
    Similarity,
    TextNormalisation,
)
from evalkit.compare.user_regex import UserRegex, compile_user_regex

#: the keys that judge the value at their path on its own terms (not by equality)
SCORER_FIELDS = (
    "json_schema",
    "similarity",
    "contains",
    "not_contains",
    "contains_any",
    "length",
    "python",
    "judge",
)
_OWN_VALUE_FIELDS = frozenset({"regex", "present", *SCORER_FIELDS})
_CACHE_LIMIT = 50_000  # resolved paths kept per rule set before the cache starts afresh


@dataclass(frozen=True)
class ResolvedRule:
    """The effective rule at one path, every field resolved."""

    ignore: bool = False
    tolerance: float | None = None
    relative_tolerance: float | None = None
    text: tuple[TextNormalisation, ...] = ()
    unordered: bool = False
    regex: UserRegex | None = None
    present: bool = False
    weight: float = 1.0
    strings_as_numbers: bool = False
    similarity: Similarity | None = None
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    contains_any: tuple[str, ...] = ()
    length: Length | None = None
    #: the schema file: absolute once the manifest anchored it (``schema_files``)
    json_schema: str | None = None
    #: custom scorers, their files absolute once the manifest anchored them (``python_scorers``)
    python: tuple[PythonScorer, ...] = ()
    #: a judge agent grades the value (the runner made the judgement: ``judges``)
    judge: JudgeRule | None = None
    #: below a value judged whole, with no rule of its own: not compared (see the notes)
    unjudged: bool = False

    @property
    def skipped(self) -> bool:
        """Not compared here: ignored, or left to the judge of a value above."""
        return self.ignore or self.unjudged

    @property
    def judges_own_value(self) -> bool:
        """The value here is judged on its own terms (a regex, ``present``, scorers)."""
        return self.present or self.judged_whole

    @property
    def scored(self) -> bool:
        """Some scorer judges the value here (instead of equality with the expected one)."""
        return bool(
            self.similarity
            or self.contains
            or self.not_contains
            or self.contains_any
            or self.length
            or self.json_schema
            or self.python
            or self.judge
        )

    @property
    def judged_whole(self) -> bool:
        """The value here is judged as a whole (a regex or scorers): equality stops here, only
        rules declared below it apply below it (``rules_below``)."""
        return self.regex is not None or self.scored

    @property
    def numeric(self) -> bool:
        return self.tolerance is not None or self.relative_tolerance is not None

    def describe_numeric(self) -> str:
        parts = []
        if self.tolerance is not None:
            parts.append(f"tolerance {number_text(self.tolerance)}")
        if self.relative_tolerance is not None:
            parts.append(f"relative tolerance {number_text(self.relative_tolerance)}")
        return " or ".join(parts) or "strings_as_numbers"

    def describe_text(self) -> str:
        return "text " + "+".join(n.value for n in self.text)


DEFAULT_RULE = ResolvedRule()


@dataclass(frozen=True)
class _Entry:
    pattern: PointerPattern
    fields: dict[str, Any]
    rank: tuple[tuple[int, int, int], int]


@dataclass
class CompiledRules:
    """Rules ready to answer ``resolve(pointer)`` quickly; build with ``compile_rules``."""

    entries: tuple[_Entry, ...]
    # Some rule judges values on its own terms (a regex, a scorer): even a value identical
    # to the expected one can then fail.
    judges_values: bool
    # Some rule says ``ignore: false``: ignored subtrees must still be searched for it.
    has_unignore: bool
    # Some rule has a tolerance: "matches" is then not transitive (see ``matching``).
    has_tolerance: bool = False
    # Some rule judges a value whole (a regex, present, a scorer): rules below it may apply.
    judges_whole: bool = False
    _cache: dict[str, ResolvedRule] = field(default_factory=dict, repr=False)
    _below: dict[str, bool] = field(default_factory=dict, repr=False)
    _positional: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def empty(self) -> bool:
        return not self.entries

    def resolve(self, pointer: str) -> ResolvedRule:
        """The effective rule at an escaped pointer (``pointers.format_pointer``)."""
        if not self.entries:
            return DEFAULT_RULE
        cached = self._cache.get(pointer)
        if cached is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[pointer] = self._resolve(pointer)
        return cached

    @property
    def parts_come_back(self) -> bool:
        """A skipped subtree (ignored, or below a judged value) may hold paths compared."""
        return self.has_unignore or self.judges_whole

    def rules_below(self, pointer: str) -> bool:
        """Some rule declared below ``pointer`` (its pattern does not cover ``pointer``) may
        match a path under it: below a value judged whole, such paths are still compared."""
        known = self._below.get(pointer)
        if known is None:
            segments = parse_pointer(pointer)
            known = any(
                not entry.pattern.covers(pointer) and _may_match_below(entry.pattern, segments)
                for entry in self.entries
            )
            self._below[pointer] = known
        return known

    def names_positions(self, pointer: str) -> bool:
        """Could a rule single out some elements of the list at ``pointer`` by index (a literal
        number where its elements sit, e.g. ``/items/0/id`` for ``/items``)? Conservative
        after a ``**``. Such rules tie values to positions, so moving elements around is not
        "the same values in another order"."""
        known = self._positional.get(pointer)
        if known is None:
            depth = parse_pointer(pointer)
            known = any(_names_position(e.pattern.segments, depth) for e in self.entries)
            self._positional[pointer] = known
        return known

    def _resolve(self, pointer: str) -> ResolvedRule:
        chosen: dict[str, Any] = {}
        # Entries are sorted most specific first, so the first to set a field wins.
        for entry in self.entries:
            if not entry.pattern.covers(pointer):
                continue
            exact: bool | None = None
            for name, value in entry.fields.items():
                if name in chosen:
                    continue
                if name in _OWN_VALUE_FIELDS:
                    if exact is None:
                        exact = entry.pattern.matches(pointer)
                    if not exact:
                        continue
                chosen[name] = value
        rule = _build(chosen)
        if self.judges_whole and pointer:
            judged = self._judged_above(pointer)
            if judged is not None and not any(
                entry.pattern.covers(pointer) and not entry.pattern.covers(judged)
                for entry in self.entries
            ):
                rule = replace(rule, unjudged=True)
        return rule

    def _judged_above(self, pointer: str) -> str | None:
        """The nearest path strictly above ``pointer`` whose value is judged whole."""
        segments = parse_pointer(pointer)
        found = None
        for depth in range(len(segments)):  # the root first: each parent resolved is cached
            above = format_pointer(segments[:depth])
            rule = self.resolve(above)
            if rule.judges_own_value and not rule.skipped:
                found = above
        return found


def _may_match_below(pattern: PointerPattern, path: tuple[str, ...]) -> bool:
    """Can the pattern match some path strictly below ``path``?"""
    segments = pattern.segments
    states = {0}  # how many pattern segments have matched the path so far
    for segment in path:
        following = set()
        for i in states:
            if i < len(segments) and segments[i] == ANY_DEPTH:
                following.add(i)  # ** takes this segment too
                states_after = _after_any_depth(segments, i, segment)
                following |= states_after
            elif i < len(segments) and segments[i] in (ANY_ONE, segment):
                following.add(i + 1)
        states = following
        if not states:
            return False
    return any(i < len(segments) or segments[i - 1 : i] == (ANY_DEPTH,) for i in states)


def _after_any_depth(segments: tuple[str, ...], i: int, segment: str) -> set[int]:
    """States after ``segment`` when the ``**`` at ``i`` matches nothing more."""
    j = i + 1
    if j < len(segments) and segments[j] == ANY_DEPTH:
        return {j} | _after_any_depth(segments, j, segment)
    if j < len(segments) and segments[j] in (ANY_ONE, segment):
        return {j + 1}
    return set()


def _names_position(pattern: tuple[str, ...], list_path: tuple[str, ...]) -> bool:
    for index, segment in enumerate(pattern):
        if segment == ANY_DEPTH:
            return any(later.isdigit() for later in pattern[index + 1 :])
        if index == len(list_path):
            return segment.isdigit()
        if segment not in (ANY_ONE, list_path[index]):
            return False
    return False


def _build(chosen: dict[str, Any]) -> ResolvedRule:
    regex = chosen.get("regex")
    order = chosen.get("order")
    weight = chosen.get("weight")
    return ResolvedRule(
        ignore=bool(chosen.get("ignore")),
        tolerance=chosen.get("tolerance"),
        relative_tolerance=chosen.get("relative_tolerance"),
        text=tuple(chosen.get("text") or ()),
        unordered=order == ListOrder.IGNORE,
        regex=compile_user_regex(regex) if regex is not None else None,
        present=bool(chosen.get("present")),
        weight=1.0 if weight is None else float(weight),
        strings_as_numbers=bool(chosen.get("strings_as_numbers")),
        similarity=chosen.get("similarity"),
        contains=tuple(chosen.get("contains") or ()),
        not_contains=tuple(chosen.get("not_contains") or ()),
        contains_any=tuple(chosen.get("contains_any") or ()),
        length=chosen.get("length"),
        json_schema=chosen.get("json_schema"),
        python=tuple(chosen.get("python") or ()),
        judge=chosen.get("judge"),
    )


def compile_rules(spec: CompareSpec | None) -> CompiledRules:
    """Compile the path rules of a spec; the same rules give the same (cached) object."""
    if spec is None:
        return _compile_cached("{}")
    key = spec.model_dump_json(include={"ignore", "rules"}, exclude_unset=True)
    return _compile_cached(key)


@lru_cache(maxsize=256)
def _compile_cached(key: str) -> CompiledRules:
    spec = CompareSpec.model_validate_json(key, context=MERGED)
    declared: list[tuple[str, dict[str, Any]]] = [(p, {"ignore": True}) for p in spec.ignore]
    for pointer, rule in spec.rules.items():
        fields = {name: getattr(rule, name) for name in sorted(rule.model_fields_set)}
        declared.append((pointer, fields))
    entries = []
    for index, (pointer, fields) in enumerate(declared):
        pattern = PointerPattern.compile(pointer)
        entries.append(_Entry(pattern, fields, (pattern.specificity, index)))
    entries.sort(key=lambda entry: entry.rank, reverse=True)
    judges_values = any(
        entry.fields.get(name) is not None
        for entry in entries
        for name in ("regex", *SCORER_FIELDS)
    )
    has_unignore = any(entry.fields.get("ignore") is False for entry in entries)
    judges_whole = any(
        entry.fields.get(name) not in (None, False)
        for entry in entries
        for name in ("regex", "present", *SCORER_FIELDS)
    )
    has_tolerance = any(
        entry.fields.get(name) is not None
        for entry in entries
        for name in ("tolerance", "relative_tolerance")
    )
    return CompiledRules(
        entries=tuple(entries),
        judges_values=judges_values,
        has_unignore=has_unignore,
        has_tolerance=has_tolerance,
        judges_whole=judges_whole,
    )
