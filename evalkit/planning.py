"""``evalkit plan`` and ``evalkit sync`` as library calls: ``evalkit.plan`` and ``evalkit.apply``.

    made = evalkit.plan("evalkit.yaml")                # what a sync would change
    outcome = evalkit.apply("evalkit.yaml")            # plan, then apply: ``evalkit sync --yes``
    outcome.result.state                               # converged, partly-applied, ...
    evalkit.apply(load_plan("plan.json"), against="evalkit.yaml")  # ``evalkit sync --plan``

``apply`` is the library's name for what ``evalkit sync`` does (``evalkit.sync`` is the sync
engine's package). Both open the platform of ``connection`` (default: from the environment,
the local platform unless ``EIGENPAL_BASE_URL`` is set) for the length of the call;
``open_planner`` keeps it open across several calls (the CLI shows the plan and asks before
it applies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from evalkit.client import EigenpalClient
from evalkit.connection import Connection, open_client
from evalkit.errors import ConfigError
from evalkit.manifest import Manifest, load_manifest
from evalkit.sync import ApplyResult, Plan
from evalkit.sync import apply as apply_plan
from evalkit.sync import plan as plan_manifest
from evalkit.sync.plan_file import check_saved_plan

DEFAULT_SYNC_CONCURRENCY = 8


@dataclass(frozen=True)
class SyncOutcome:
    #: the plan that was applied
    plan: Plan
    #: what the apply did, agent by agent
    result: ApplyResult


@dataclass(frozen=True)
class Planner:
    """Plan and apply against one open platform."""

    client: EigenpalClient
    concurrency: int = DEFAULT_SYNC_CONCURRENCY

    def plan(
        self,
        manifest: Manifest,
        *,
        only: Sequence[str] = (),
        refresh: bool = False,
    ) -> Plan:
        """What a sync of ``manifest`` (already set to its environment) would change."""
        return plan_manifest(
            manifest, self.client, only=only, refresh=refresh, concurrency=self.concurrency
        )

    def apply(self, made: Plan) -> ApplyResult:
        """Apply ``made``; raises ``PlanError`` with nothing written when it is stale."""
        return apply_plan(made, self.client, concurrency=self.concurrency)


@contextmanager
def open_planner(
    connection: Connection | None,
    *,
    project_root: Path,
    concurrency: int = DEFAULT_SYNC_CONCURRENCY,
    note: Callable[[str], None] = lambda line: None,
) -> Iterator[Planner]:
    """A ``Planner`` on the platform of ``connection``; ``note`` hears which one it is."""
    with open_client(connection, project_root=project_root, note=note) as client:
        yield Planner(client, concurrency)


def load_for_planning(manifest: Path | str | Manifest, environment: str | None) -> Manifest:
    """The manifest to plan, set to ``environment``; loaded before any platform is contacted,
    so a broken manifest is reported without waiting for one. An examples folder may still be
    missing or empty: a new agent is synced before harvest writes its first examples."""
    if isinstance(manifest, Manifest):
        loaded = manifest
    else:
        loaded = load_manifest(Path(manifest), awaiting_examples=True)
    return loaded.with_environment(environment) if environment else loaded


def plan(
    manifest: Path | str | Manifest,
    *,
    connection: Connection | None = None,
    environment: str | None = None,
    only: Sequence[str] = (),
    refresh: bool = False,
    concurrency: int = DEFAULT_SYNC_CONCURRENCY,
) -> Plan:
    """What ``evalkit sync`` would change on the platform, as data (``evalkit plan``)."""
    loaded = load_for_planning(manifest, environment)
    with open_planner(
        connection, project_root=loaded.path.parent, concurrency=concurrency
    ) as planner:
        return planner.plan(loaded, only=only, refresh=refresh)


def apply(
    manifest: Path | str | Manifest | Plan,
    *,
    connection: Connection | None = None,
    environment: str | None = None,
    only: Sequence[str] = (),
    refresh: bool = False,
    concurrency: int = DEFAULT_SYNC_CONCURRENCY,
    against: Path | str | Manifest | None = None,
) -> SyncOutcome:
    """Make the platform match the manifest (``evalkit sync --yes``). Given a saved ``Plan``
    (``evalkit.sync.load_plan``), apply it as it is, as ``evalkit sync --plan`` does: what it
    uploads is first checked against the manifest ``against`` (a plan file is untrusted: it
    may only upload files that manifest declares), and it refuses, with nothing written, when
    the platform moved since it was made."""
    if isinstance(manifest, Plan):
        replanning = bool(only) or environment is not None or refresh
        return _apply_saved(manifest, against, connection, concurrency, replanning=replanning)
    loaded = load_for_planning(manifest, environment)
    with open_planner(
        connection, project_root=loaded.path.parent, concurrency=concurrency
    ) as planner:
        made = planner.plan(loaded, only=only, refresh=refresh)
        return SyncOutcome(made, planner.apply(made))


def _apply_saved(
    saved: Plan,
    against: Path | str | Manifest | None,
    connection: Connection | None,
    concurrency: int,
    *,
    replanning: bool,
) -> SyncOutcome:
    """``apply`` of a saved plan: checked against the manifest ``against`` first."""
    if against is None:
        raise ConfigError(
            "a saved plan is applied against the manifest it was made from: pass "
            "against='evalkit.yaml' (what the plan uploads is checked against it)"
        )
    if replanning:
        raise ConfigError("a saved plan applies as is: drop only, environment and refresh")
    loaded = load_for_planning(against, saved.environment)
    checked = check_saved_plan(saved, loaded, where="the saved plan")
    with open_planner(
        connection, project_root=loaded.path.parent, concurrency=concurrency
    ) as planner:
        return SyncOutcome(checked, planner.apply(checked))
