"""``plan``: read the live state, then compare it with the manifest (pure, in ``diff``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.api import utc_now
from evalkit.errors import PlanError
from evalkit.sync.api import SyncClient
from evalkit.sync.changes import AgentChange, OrphanAgent, Plan
from evalkit.sync.desired import DesiredAgent, build_desired_agent
from evalkit.sync.diff import diff_agent
from evalkit.sync.live import Pool, list_all_agents, read_live
from evalkit.sync.record import split_config

if TYPE_CHECKING:
    from evalkit.manifest.spec import AgentSpec, Manifest


def plan(
    manifest: Manifest,
    client: SyncClient,
    *,
    only: Collection[str] = (),
    refresh: bool = False,
    concurrency: int = 8,
) -> Plan:
    """What a sync of ``manifest`` would change on the platform ``client`` talks to.

    ``manifest`` is already set to its environment (``Manifest.with_environment``). ``only``
    restricts the plan to some agents (slug or manifest slug); orphan agents are then not
    looked for, since the plan sees only part of the manifest.
    """
    chosen = select_agents(manifest, only)
    return plan_agents(
        [desired_agent(agent) for agent in chosen],
        client,
        base_dir=manifest.path.parent,
        environment=manifest.environment,
        refresh=refresh,
        check_orphans=not only,
        known_slugs=all_slugs(manifest),
        concurrency=concurrency,
    )


def select_agents(manifest: Manifest, only: Collection[str]) -> list[AgentSpec]:
    if not only:
        return list(manifest.agents)
    known = {name for a in manifest.agents for name in (a.slug, a.manifest_slug)}
    unknown = sorted(set(only) - known)
    if unknown:
        raise PlanError(
            f"--only {', '.join(unknown)}: no such agent in the manifest "
            f"(agents: {', '.join(a.slug for a in manifest.agents) or 'none'})"
        )
    return [a for a in manifest.agents if {a.slug, a.manifest_slug} & set(only)]


def desired_agent(agent: AgentSpec) -> DesiredAgent:
    examples: dict[str, Path | bytes] = {}
    for example in agent.examples:
        examples.update(example.platform_files())
    return build_desired_agent(
        slug=agent.slug,
        name=agent.name,
        description=agent.description,
        config=agent.config,
        workspace=agent.workspace_files(),
        examples=examples,
    )


def all_slugs(manifest: Manifest) -> set[str]:
    """Every slug the manifest owns, in every environment: none of them is an orphan."""
    slugs = {a.manifest_slug for a in manifest.agents} | {a.slug for a in manifest.agents}
    for environment in manifest.environments.values():
        slugs |= {environment.slug_for(a.manifest_slug) for a in manifest.agents}
    return slugs


def plan_agents(
    desired: Sequence[DesiredAgent],
    client: SyncClient,
    *,
    base_dir: Path,
    environment: str | None = None,
    refresh: bool = False,
    check_orphans: bool = True,
    known_slugs: Collection[str] = (),
    concurrency: int = 8,
) -> Plan:
    """The plan for ``desired``. ``known_slugs`` are agents the manifest owns elsewhere (other
    environments): they are not orphans here."""
    slugs = [agent.slug for agent in desired]
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise PlanError(f"the manifest declares agent slug(s) {', '.join(duplicates)} twice")
    pool = Pool(max(1, concurrency))
    live = read_live(client, desired, refresh=refresh, pool=pool)
    changes = tuple(
        _relative_sources(diff_agent(agent, live[agent.slug]), base_dir) for agent in desired
    )
    orphans: tuple[OrphanAgent, ...] = ()
    if check_orphans:
        owned = set(slugs) | set(known_slugs)
        orphans = tuple(
            OrphanAgent(
                slug=summary.slug,
                name=summary.name,
                was_managed=split_config(summary.config)[1] is not None,
            )
            for summary in sorted(list_all_agents(client), key=lambda s: s.slug)
            if summary.slug not in owned
        )
    return Plan(
        created_at=utc_now(),
        environment=environment,
        base_dir=str(base_dir),
        agents=changes,
        orphan_agents=orphans,
        orphans_checked=check_orphans,
    )


def _relative_sources(change: AgentChange, base_dir: Path) -> AgentChange:
    """File sources relative to the manifest's folder, so a saved plan can be applied from
    another checkout of the same commit (CI: plan in one job, sync in the next)."""
    base = base_dir.resolve()
    files = []
    for file in change.files:
        source = Path(file.source) if file.source is not None else None
        if source is not None and source.resolve().is_relative_to(base):
            file = file.model_copy(update={"source": source.resolve().relative_to(base).as_posix()})
        files.append(file)
    return change.model_copy(update={"files": tuple(files)})
