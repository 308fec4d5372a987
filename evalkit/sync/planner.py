"""``plan``: read the live state, then compare it with the manifest (pure, in ``diff``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from evalkit.api import AgentSummary, utc_now
from evalkit.errors import PlanError
from evalkit.sync.calls import SyncCalls
from evalkit.sync.copies import CopyFinder
from evalkit.sync.desired import DesiredAgent, Source, build_desired_agent
from evalkit.sync.diff import diff_agent
from evalkit.sync.live import Pool, get_agent, list_all_agents, read_live
from evalkit.sync.orphans import OrphanRules, acknowledge_files, sort_out
from evalkit.sync.plan import AgentChange, EnvironmentCopy, OrphanAgent, Plan
from evalkit.sync.state import LiveAgent

if TYPE_CHECKING:
    from evalkit.manifest.spec import AgentSpec, Manifest


def refuse_duplicate_slugs(slugs: Sequence[str]) -> None:
    """``PlanError`` naming the agent slugs the manifest declares more than once."""
    duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if duplicates:
        raise PlanError(f"the manifest declares agent slug(s) {', '.join(duplicates)} twice")


def plan(
    manifest: Manifest,
    client: SyncCalls,
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
    pool = Pool(max(1, concurrency))
    # The agents are read while their desired states are built (their files read and
    # hashed): a run's drift check of 500 examples waited for one, then the other.
    with pool.started(lambda agent: get_agent(client, agent.slug), chosen) as reading:
        desired = [desired_agent(agent, manifest.environment) for agent in chosen]
        summaries = [summary.result() for summary in reading]
    return plan_agents(
        desired,
        summaries,
        client,
        base_dir=manifest.path.parent,
        environment=manifest.environment,
        refresh=refresh,
        check_orphans=not only,
        orphans=orphan_rules(manifest),
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


def example_sources(agent: AgentSpec) -> dict[str, Source]:
    """The platform path of each file of ``agent``'s examples -> its local file (or, inline,
    what makes its bytes)."""
    examples: dict[str, Source] = {}
    for example in agent.examples:
        examples.update(example.platform_sources())
    return examples


def desired_agent(agent: AgentSpec, environment: str | None = None) -> DesiredAgent:
    examples = example_sources(agent)
    return build_desired_agent(
        slug=agent.slug,
        name=agent.name,
        description=agent.description,
        config=agent.config,
        workspace=agent.workspace_files(),
        examples=examples,
        manifest_slug=agent.manifest_slug,
        environment=environment,
    )


def orphan_rules(manifest: Manifest) -> OrphanRules:
    """How the manifest sorts out the live agents a plan of it does not manage: its own slugs
    are not orphans while an environment is planned; its environments' copies of its agents
    are listed as such; ``ignore_orphans`` acknowledges the orphans it names."""
    slugs = {agent.manifest_slug for agent in manifest.agents}
    templates = {
        name: environment.slug_as_written or environment.slug_template
        for name, environment in manifest.environments.items()
    }
    return OrphanRules(
        owned=frozenset(slugs),
        copies=CopyFinder.build(templates, slugs),
        ignore=tuple(manifest.ignore_orphans),
    )


def plan_agents(
    desired: Sequence[DesiredAgent],
    summaries: Sequence[AgentSummary | None],
    client: SyncCalls,
    *,
    base_dir: Path,
    environment: str | None = None,
    refresh: bool = False,
    check_orphans: bool = True,
    orphans: OrphanRules | None = None,
    concurrency: int = 8,
) -> Plan:
    """The plan for ``desired``, whose agents read as ``summaries`` (``get_agent``);
    ``orphans`` sorts out the other live agents (environment copies, orphans, acknowledged
    orphans)."""
    slugs = [agent.slug for agent in desired]
    refuse_duplicate_slugs(slugs)
    pool = Pool(max(1, concurrency))
    live = read_live(client, desired, summaries, refresh=refresh, pool=pool)
    rules = orphans or OrphanRules()
    changes = tuple(change_of(agent, live[agent.slug], base_dir, rules) for agent in desired)
    copies: tuple[EnvironmentCopy, ...] = ()
    orphan_agents: tuple[OrphanAgent, ...] = ()
    if check_orphans:
        copies, orphan_agents = sort_out(list_all_agents(client), slugs, rules)
    return Plan(
        created_at=utc_now(),
        environment=environment,
        base_dir=str(base_dir),
        agents=changes,
        orphan_agents=orphan_agents,
        environment_copies=copies,
        orphans_checked=check_orphans,
    )


def change_of(
    desired: DesiredAgent, live: LiveAgent | None, base_dir: Path, rules: OrphanRules
) -> AgentChange:
    """One agent's entry of the plan: ``desired`` compared with ``live``, its local sources
    relative to ``base_dir``, its orphan files sorted out by ``rules``."""
    return acknowledge_files(_relative_sources(diff_agent(desired, live), base_dir), rules)


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
