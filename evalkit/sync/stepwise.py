"""A sync applied one agent at a time (a run's ``--sync``): it holds one agent's planned files
at a time. A first sync of 20,000 inline examples plans 40,000 files; planned whole, with their
desired hashes and the record that lists them, they took ~50 MB of the run's memory.

It keeps the promises of ``plan`` + ``apply`` (docs/sync.md), in their order:

1. Reads only: every agent's live state, side by side, then the downloads each agent's
   comparison needs. Each agent is planned, and only what is needed later is kept of its
   change (``Planned``: its record for the reports, its local files to upload with their
   hashes, a digest of the change) with the live state it was compared with.
2. Reads only: every agent is still as it was seen and every local file to upload still has its
   planned hash; otherwise nothing is written (``PlanError``), as ``apply`` refuses a stale plan.
3. Agent after agent: its change is made again from the same live state (no new read), and
   applied as ``apply`` applies one agent (create, uploads, read-back, the PATCH that saves the
   record) when it is the change planned; then it is dropped. An agent whose change moved
   since (a local file edited during the sync) fails alone, as in ``apply``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit.api import AgentSummary, utc_now
from evalkit.errors import PlanError
from evalkit.sync.apply import AgentApply, AgentOutcome, ApplyResult, check_hashes, check_seen
from evalkit.sync.calls import SyncCalls
from evalkit.sync.desired import DesiredAgent
from evalkit.sync.live import Pool, get_agent, read_one
from evalkit.sync.orphans import OrphanRules
from evalkit.sync.plan import AgentChange, LiveFingerprint, Plan
from evalkit.sync.plan_file import AgentRecord, plan_record
from evalkit.sync.planner import change_of, refuse_duplicate_slugs
from evalkit.sync.state import LiveAgent

#: one agent to sync: its platform slug, and what builds (checks and hashes) its desired state
AgentToSync = tuple[str, Callable[[], DesiredAgent]]


@dataclass(frozen=True)
class Planned:
    """What is kept of one agent's change between its plan and its turn to be applied."""

    slug: str
    #: the live state it was compared with, and what of it the freshness check compares
    live: LiveAgent | None
    seen: LiveFingerprint
    has_changes: bool
    needs_write: bool
    #: what the run's record shows of it
    record: AgentRecord
    #: its local files to upload (relative to the manifest's folder), with their sha256
    sources: tuple[tuple[str, str], ...]
    #: of the change as planned: the change made again before it is applied must match it
    digest: str


@dataclass(frozen=True)
class StepwiseSync:
    #: None when no agent had changes (nothing was written)
    result: ApplyResult | None
    #: ``plan_record`` of the changes planned; None when there were none
    record: dict[str, Any] | None


def sync_stepwise(
    agents: Sequence[AgentToSync],
    client: SyncCalls,
    *,
    base_dir: Path,
    environment: str | None = None,
    rules: OrphanRules | None = None,
    concurrency: int = 8,
) -> StepwiseSync:
    """Plan ``agents`` (orphan agents are not looked for), check, then apply them one at a time.
    ``PlanError`` (nothing written) when the platform or a local file moved before the writes."""
    slugs = [slug for slug, _ in agents]
    refuse_duplicate_slugs(slugs)
    pool = Pool(max(1, concurrency))
    rules = rules or OrphanRules()
    # Each agent's desired state is built (its files read and hashed) while the agents are
    # read: a run's sync of 500 examples waited for one, then the other.
    with pool.started(lambda slug: get_agent(client, slug), slugs) as reading:
        planned = [
            _plan_one(build(), summary.result(), client, base_dir, rules, pool)
            for (_, build), summary in zip(agents, reading, strict=True)
        ]
    outline = Plan(
        created_at=utc_now(),
        environment=environment,
        base_dir=str(base_dir),
        agents=(),
        orphans_checked=False,
    )
    if not any(p.has_changes for p in planned):
        return StepwiseSync(None, None)
    record = plan_record(outline, [p.record for p in planned])
    check_hashes((source for p in planned for source in p.sources), base_dir)
    current = pool.map(lambda p: get_agent(client, p.slug), planned)
    check_seen([(p.slug, p.seen) for p in planned], current)
    outcomes = []
    for (_, build), one, live in zip(agents, planned, current, strict=True):
        if not one.needs_write:
            outcomes.append(AgentOutcome(one.slug, "unchanged"))
            continue
        outcomes.append(_apply_one(build, one, live, client, base_dir, environment, rules, pool))
    return StepwiseSync(ApplyResult(tuple(outcomes)), record)


def _plan_one(
    desired: DesiredAgent,
    summary: AgentSummary | None,
    client: SyncCalls,
    base_dir: Path,
    rules: OrphanRules,
    pool: Pool,
) -> Planned:
    live = read_one(client, desired, summary, pool=pool)
    change = change_of(desired, live, base_dir, rules)
    return Planned(
        slug=change.slug,
        live=live,
        seen=change.live,
        has_changes=change.has_changes,
        needs_write=change.needs_write,
        record=AgentRecord.of(change),
        sources=tuple((f.source, f.after.sha256) for f in change.files if f.source is not None),
        digest=change_digest(change),
    )


def _apply_one(
    build: Callable[[], DesiredAgent],
    planned: Planned,
    live: AgentSummary | None,
    client: SyncCalls,
    base_dir: Path,
    environment: str | None,
    rules: OrphanRules,
    pool: Pool,
) -> AgentOutcome:
    try:
        change = change_of(build(), planned.live, base_dir, rules)
    except PlanError as err:
        return AgentOutcome(planned.slug, "failed", error=str(err).splitlines()[0])
    if change_digest(change) != planned.digest:
        return AgentOutcome(
            planned.slug,
            "failed",
            error="local files changed after the plan was made; run 'evalkit plan' again",
        )
    return AgentApply(client, change, live, base_dir, environment, pool).run()


def change_digest(change: AgentChange) -> str:
    """A digest of everything ``change`` would write and record (not its files' bytes, which
    their hashes stand for, nor their text diffs, made from those bytes)."""
    digest = hashlib.sha256(
        change.model_dump_json(exclude={"files": True, "desired": {"files": True}}).encode()
    )
    for path, sha256 in change.desired.files.items():
        digest.update(f"{path}\0{sha256}\n".encode())
    for file in change.files:
        facts = (file.path, file.action.value, file.after.sha256, file.source or "")
        digest.update(("\0".join(facts) + "\n").encode())
    return digest.hexdigest()
