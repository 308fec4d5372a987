"""Telling an environment's copy of a declared agent from an orphan.

A run or sync with ``--env pr`` makes a copy of every agent under the environment's slug, e.g.
``invoice-extractor-pr-41``; later plans (on main, or for PR 42) must not call it an orphan.

Evidence first: evalkit's last-applied record says which manifest agent and environment made
the agent (``manifestSlug``, ``environment``). A record written before evalkit kept that says
nothing: then the slug is matched against the environment's slug template *as written*, before
``${VAR}`` interpolation, so a copy made with ``PR_NUMBER=41`` is recognised by a plan made with
``PR_NUMBER`` unset or 42. The template becomes an anchored pattern where ``{slug}`` is one of
the manifest's slugs, each ``${VAR}`` one or more slug segments, and the rest literal: with
``{slug}-pr-${PR_NUMBER}``, ``invoice-extractor-pr-41`` fits and ``invoice-extractor-prototype``
does not. An agent with no evalkit record was not made by evalkit (or its first sync never
finished): it stays an orphan, only noted as named like a copy.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from evalkit.manifest.interpolate import InterpolationError, interpolate_text
from evalkit.sync.record import LastApplied

#: what a ``${VAR}`` of a slug template may have been: one or more slug segments
_VARIABLE = "[a-z0-9]+(?:-[a-z0-9]+)*"
_MARK = "\x00"  # stands for every interpolated part while the template is taken apart
_PARTS = re.compile(r"(\{slug\}|\x00)")


class _EveryVariable(Mapping[str, str]):
    """An environment in which every variable is set, to ``_MARK``."""

    def __getitem__(self, key: str) -> str:
        return _MARK

    def __contains__(self, key: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def slug_pattern(template: str, slugs: Collection[str]) -> re.Pattern[str] | None:
    """The slugs ``template`` (as written) gives the manifest's ``slugs``, for any value of its
    variables; group ``slug`` is the manifest slug. ``None`` when nothing can fit."""
    if not slugs:
        return None
    try:
        marked = interpolate_text(template, _EveryVariable())
    except InterpolationError:
        return None  # the manifest did not load with it either
    choices = "|".join(re.escape(s) for s in sorted(slugs, key=lambda s: (-len(s), s)))
    out, named = "", False
    for part in _PARTS.split(marked):
        if part == "{slug}":
            out += "(?P=slug)" if named else f"(?P<slug>{choices})"
            named = True
        elif part == _MARK:
            out += _VARIABLE
        else:
            out += re.escape(part)
    return re.compile(out) if named else None


@dataclass(frozen=True)
class CopyOf:
    environment: str
    manifest_slug: str


@dataclass(frozen=True)
class CopyFinder:
    """Recognises copies of the manifest's agents (``slugs``) for its ``environments``."""

    environments: frozenset[str]
    slugs: frozenset[str]
    #: (environment, pattern of its copies' slugs), by environment name
    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def build(cls, templates: Mapping[str, str], slugs: Collection[str]) -> CopyFinder:
        """From each environment's slug template as written, and the manifest's slugs."""
        patterns = []
        for environment, template in sorted(templates.items()):
            pattern = slug_pattern(template, slugs)
            if pattern is not None:
                patterns.append((environment, pattern))
        return cls(frozenset(templates), frozenset(slugs), tuple(patterns))

    def said(self, record: LastApplied | None) -> CopyOf | None:
        """What the record says the agent is a copy of (any environment, any agent)."""
        if record is None or record.manifest_slug is None or record.environment is None:
            return None
        return CopyOf(record.environment, record.manifest_slug)

    def named_like(self, slug: str) -> CopyOf | None:
        """The declared agent and environment whose slug template ``slug`` fits."""
        for environment, pattern in self.patterns:
            found = pattern.fullmatch(slug)
            if found is not None:
                return CopyOf(environment, found.group("slug"))
        return None

    def declares(self, copy: CopyOf) -> bool:
        return copy.environment in self.environments and copy.manifest_slug in self.slugs

    def find(self, slug: str, record: LastApplied | None) -> tuple[CopyOf, str] | None:
        """What ``slug`` is a copy of, and how that is known (``record`` or ``name``), when it
        is a copy of a declared agent for a declared environment."""
        if record is None:
            return None  # not made by evalkit
        if record.knows_origin:
            said = self.said(record)
            return (said, "record") if said is not None and self.declares(said) else None
        named = self.named_like(slug)
        return (named, "name") if named is not None else None

    def resembles(self, slug: str, record: LastApplied | None) -> CopyOf | None:
        """For an orphan: the copy it says, or is named like, it is (to explain it)."""
        if record is not None and record.knows_origin:
            return self.said(record)
        return self.named_like(slug)
