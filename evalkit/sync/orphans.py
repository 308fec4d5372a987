"""Live agents and files a plan does not manage: environment copies, orphans, acknowledged ones.

``ignore_orphans`` patterns read like .gitignore over a tree of ``<agent slug>/<file path>``:
``legacy-*`` acknowledges orphan agents, ``bot/notes/`` the orphan files under ``notes/`` of the
agent ``bot`` (its manifest slug, in every environment), ``*.bak`` such files of every agent.
An acknowledged orphan is still listed; ``--fail-on-orphans`` does not count it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from evalkit.api import AgentSummary
from evalkit.manifest.workspace import glob_regex
from evalkit.sync.copies import CopyFinder
from evalkit.sync.plan import AgentChange, EnvironmentCopy, OrphanAgent
from evalkit.sync.record import split_config


@dataclass(frozen=True)
class OrphanRules:
    """What a plan knows about agents it does not manage."""

    #: slugs the manifest owns elsewhere (its own slugs, while an environment is planned)
    owned: frozenset[str] = frozenset()
    copies: CopyFinder | None = None
    #: the manifest's ``ignore_orphans`` patterns, in order
    ignore: tuple[str, ...] = ()
    _regexes: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the manifest validated the patterns: a broken one cannot get here
        object.__setattr__(self, "_regexes", tuple(glob_regex(p) for p in self.ignore))

    def acknowledging(self, name: str) -> str | None:
        """The first pattern that acknowledges ``name`` (a slug, or ``slug/path``)."""
        for pattern, regex in zip(self.ignore, self._regexes, strict=True):
            if regex.match(name):
                return pattern
        return None


def sort_out(
    summaries: Iterable[AgentSummary], managed: Collection[str], rules: OrphanRules
) -> tuple[tuple[EnvironmentCopy, ...], tuple[OrphanAgent, ...]]:
    """The live agents outside ``managed`` and ``rules.owned``: environment copies (stalest
    first) and orphans (by slug)."""
    copies: list[EnvironmentCopy] = []
    orphans: list[OrphanAgent] = []
    for summary in sorted(summaries, key=lambda s: s.slug):
        if summary.slug in managed or summary.slug in rules.owned:
            continue
        record = split_config(summary.config)[1]
        found = rules.copies.find(summary.slug, record) if rules.copies else None
        if found is not None:
            copy, how = found
            copies.append(
                EnvironmentCopy(
                    slug=summary.slug,
                    name=summary.name,
                    environment=copy.environment,
                    copy_of=copy.manifest_slug,
                    created_at=summary.created_at,
                    updated_at=summary.updated_at,
                    recognised_by="record" if how == "record" else "name",
                )
            )
            continue
        like = rules.copies.resembles(summary.slug, record) if rules.copies else None
        orphans.append(
            OrphanAgent(
                slug=summary.slug,
                name=summary.name,
                was_managed=record is not None,
                acknowledged_by=rules.acknowledging(summary.slug),
                environment=like.environment if like else None,
                copy_of=like.manifest_slug if like else None,
            )
        )
    copies.sort(key=lambda c: (c.environment, c.updated_at or c.created_at or "", c.slug))
    return tuple(copies), tuple(orphans)


def acknowledge_files(change: AgentChange, rules: OrphanRules) -> AgentChange:
    """``change`` with its orphan files matched against ``ignore_orphans`` (as
    ``<manifest slug>/<path>``)."""
    if not rules.ignore or not change.orphan_files:
        return change
    owner = change.desired.manifest_slug or change.slug
    files = tuple(
        orphan.model_copy(update={"acknowledged_by": rules.acknowledging(f"{owner}/{orphan.path}")})
        for orphan in change.orphan_files
    )
    return change.model_copy(update={"orphan_files": files})
