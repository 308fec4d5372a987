"""Bringing the agents under test up to date with the manifest before a run (``run --sync``).

The run uses the sync library as ``evalkit sync`` does, limited to the agents whose examples
are selected; what was applied is kept as data for the reports.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable, Collection, Sequence
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
    try:
        return _sync(manifest, client, jobs, also)
    finally:  # the plan is garbage now
        give_back_memory()


def _sync(
    manifest: Manifest, client: EigenpalClient, jobs: Sequence[ExampleJob], also: Collection[str]
) -> PreSync | None:
    from evalkit.sync.apply import apply
    from evalkit.sync.plan_file import plan_record
    from evalkit.sync.planner import plan

    agents = sorted({job.platform_name for job in jobs if job.kind == "agent"} | set(also))
    if not agents:
        return None
    changes = plan(manifest, client, only=agents)
    if not changes.has_changes:
        return PreSync(None, "sync: agents already up to date")
    result = apply(changes, client)
    if result.failed:
        reasons = "; ".join(f"{o.slug}: {o.error}" for o in result.failed)
        raise SyncFailed(f"sync before the run failed ({result.state}): {reasons}")
    message = f"sync: {result.writes} write(s) to {len(result.applied)} agent(s)"
    # A record bounded by the agents: the whole plan of a first sync names every file of every
    # example, and the summary is read again for the reports.
    return PreSync(plan_record(changes), message)


def give_back_memory() -> bool:
    """Collect the sync's garbage and hand the heap pages it freed back to the system (glibc's
    ``malloc_trim``; elsewhere the collection only). The examples run after the sync, and their
    own allocations otherwise came on top of what the plan of every file had taken (20,000
    inline examples: the run's peak 178 -> 169 MB). True when pages could be handed back."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl, Windows)
        return None
    return trim
