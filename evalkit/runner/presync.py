"""Bringing the agents under test up to date with the manifest before a run (``run --sync``).

The run uses the sync library as ``evalkit sync`` does, limited to the agents whose examples
are selected; what was applied is kept as data for the reports.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.client import EigenpalClient
from evalkit.errors import PlatformTrouble, RunError
from evalkit.manifest import Manifest
from evalkit.runner.jobs import ExampleJob


class SyncFailed(RunError, PlatformTrouble):
    """The platform refused the sync: an infrastructure problem (``evalkit.exit_codes``)."""


@dataclass(frozen=True)
class PreSync:
    #: the plan applied, as ``evalkit.sync.plan_file.plan_record`` records it; None when
    #: nothing changed
    plan: dict[str, Any] | None
    #: one line saying what happened
    message: str


def sync_agents(
    manifest: Manifest,
    client: EigenpalClient,
    jobs: Sequence[ExampleJob],
    *,
    also: Collection[str] = (),
) -> PreSync | None:
    """Sync the agents of ``jobs`` and ``also`` (platform slugs: the judge agents their rules
    name); None when there is none. ``SyncFailed`` when the platform refused a write."""
    from evalkit.sync.apply import AgentOutcome, ApplyResult, apply
    from evalkit.sync.plan import AgentChange, Plan
    from evalkit.sync.plan_file import plan_record
    from evalkit.sync.planner import desired_agent, orphan_rules, plan_agents, select_agents

    names = sorted({job.platform_name for job in jobs if job.kind == "agent"} | set(also))
    if not names:
        return None
    # Every agent's declared state is checked before any write; then each agent is planned and
    # applied before the next is planned, so that only one agent's files are planned at a time
    # (a first sync of 20,000 examples planned 40,000 files at once). Only an outline of each
    # agent's change is kept, for the record.
    desired = [
        desired_agent(agent, manifest.environment) for agent in select_agents(manifest, names)
    ]
    rules = orphan_rules(manifest)
    outlines: list[AgentChange] = []
    outcomes: list[AgentOutcome] = []
    record_only: list[Plan] = []  # applied only when some agent has changes, as a whole plan
    made: Plan | None = None
    while desired:
        one = plan_agents(
            [desired.pop(0)],
            client,
            base_dir=manifest.path.parent,
            environment=manifest.environment,
            check_orphans=False,
            orphans=rules,
        )
        made = made or one
        change = one.agents[0]
        outlines.append(change.outline())
        if change.has_changes:
            outcomes += apply(one, client).outcomes
        elif change.needs_write:
            record_only.append(one)
        else:
            outcomes.append(AgentOutcome(change.slug, "unchanged"))
        del one, change
    assert made is not None
    changes = made.model_copy(update={"agents": tuple(outlines)})
    if not changes.has_changes:
        return PreSync(None, "sync: agents already up to date")
    for one in record_only:
        outcomes += apply(one, client).outcomes
    order = [agent.slug for agent in outlines]
    result = ApplyResult(tuple(sorted(outcomes, key=lambda o: order.index(o.slug))))
    if result.failed:
        reasons = "; ".join(f"{o.slug}: {o.error}" for o in result.failed)
        raise SyncFailed(f"sync before the run failed ({result.state}): {reasons}")
    message = f"sync: {result.writes} write(s) to {len(result.applied)} agent(s)"
    # A record bounded by the agents: the whole plan of a first sync names every file of every
    # example, and the summary is read again for the reports.
    return PreSync(plan_record(changes), message)
