"""Bringing the agents under test up to date with the manifest before a run (``run --sync``).

The run uses the sync library as ``evalkit sync`` does, limited to the agents whose examples
are selected, and every agent of the manifest when a workflow suite is selected (its steps
may call any: ``from_manifest.agents_under_test``); what was applied is kept as data for the
reports.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.client import EigenpalClient
from evalkit.errors import PlatformTrouble, RunError
from evalkit.manifest import Manifest
from evalkit.runner.from_manifest import agents_under_test
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
    """Sync the agents under test of ``jobs`` (``from_manifest.agents_under_test``: with a
    workflow suite, every agent of the manifest) and ``also`` (platform slugs: the judge agents
    their rules name); None when there is none. ``SyncFailed`` when the platform refused a write."""
    return _sync(manifest, client, jobs, also)


def _sync(
    manifest: Manifest, client: EigenpalClient, jobs: Sequence[ExampleJob], also: Collection[str]
) -> PreSync | None:
    from evalkit.sync.planner import desired_agent, orphan_rules, select_agents
    from evalkit.sync.stepwise import sync_stepwise

    names = sorted(agents_under_test(manifest, jobs) | set(also))
    if not names:
        return None
    # Planned and applied one agent at a time, every read and check before the first write: a
    # first sync plans every file of every example (40,000 for 20,000 inline examples).
    agents = [
        (agent.slug, functools.partial(desired_agent, agent, manifest.environment))
        for agent in select_agents(manifest, names)
    ]
    synced = sync_stepwise(
        agents,
        client,
        base_dir=manifest.path.parent,
        environment=manifest.environment,
        rules=orphan_rules(manifest),
    )
    result = synced.result
    if result is None or synced.record is None:
        return PreSync(None, "sync: agents already up to date")
    if result.failed:
        reasons = "; ".join(f"{o.slug}: {o.error}" for o in result.failed)
        raise SyncFailed(f"sync before the run failed ({result.state}): {reasons}")
    message = f"sync: {result.writes} write(s) to {len(result.applied)} agent(s)"
    # A record bounded by the agents: the whole plan of a first sync names every file of every
    # example, and the summary is read again for the reports.
    return PreSync(synced.record, message)
