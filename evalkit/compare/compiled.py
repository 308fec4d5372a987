"""A ``compare:`` block compiled once into a lookup: path -> the rule that governs it.

Resolution for one concrete path: every rule whose pattern matches the path *or one of its
ancestors* is a candidate (a rule governs everything below its path). Candidates are ranked by
pattern specificity (``pointers.specificity``), ties going to the later declaration; an entry
in ``ignore:`` counts as ``{ignore: true}`` declared before the ``rules:`` map. Each field is
taken from the best-ranked candidate that sets it explicitly, so ``/meta: {ignore: true}`` and
``/meta/version: {ignore: false}`` compare only the version under ``/meta``.

``regex``, ``present`` and the scorers (``similarity``, ``contains``, ``not_contains``,
``contains_any``, ``length``, ``json_schema``, ``python``) describe one value, not a subtree:
they come only from rules whose pattern matches the path itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from evalkit.compare.numeric import number_text
from evalkit.compare.pointers import ANY_DEPTH, ANY_ONE, PointerPattern, parse_pointer
from evalkit.compare.rules import (
    MERGED,
    CompareSpec,
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
        )

    @property
    def judged_whole(self) -> bool:
        """The value here is judged as a whole (a regex or scorers): never walked into."""
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
    _cache: dict[str, ResolvedRule] = field(default_factory=dict, repr=False)
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
        return _build(chosen)


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
    )
