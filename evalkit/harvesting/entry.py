"""``evalkit promote`` and ``evalkit harvest`` as library calls: ``evalkit.promote``,
``evalkit.harvest``.

    evalkit.promote("exec_123", name="late-fee-missing")      # one execution -> one example
    evalkit.harvest(agent="invoice-extractor", rating="fail", has_expected=True)

Both load the manifest first (a broken one is reported before any platform is contacted),
then open the platform of ``connection`` as ``evalkit.plan`` does (default: from the
environment, the local platform unless ``EIGENPAL_BASE_URL`` is set).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from evalkit.connection import Connection, open_client
from evalkit.conventions import MANIFEST_NAME
from evalkit.harvesting.filters import DEFAULT_LIMIT, HarvestFilters, since_timestamp
from evalkit.harvesting.promote import (
    HarvestResult,
    Promoted,
    check_promote,
    harvest_executions,
    promote_execution,
)
from evalkit.harvesting.target import target_of
from evalkit.manifest import Manifest, load_manifest


def _loaded(manifest: Path | str | Manifest) -> Manifest:
    if isinstance(manifest, Manifest):
        return manifest
    # The agent's examples folder may not exist yet: these commands write its first examples.
    return load_manifest(Path(manifest), awaiting_examples=True)


def promote(
    execution_id: str,
    *,
    name: str,
    manifest: Path | str | Manifest = MANIFEST_NAME,
    agent: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    connection: Connection | None = None,
    note: Callable[[str], None] = lambda line: None,
) -> Promoted:
    """Write the example ``name`` of ``agent`` from one execution: its input, and as
    expected output the reviewer's expected JSON and files, else its output
    (``evalkit promote``). An existing example, or an execution an example names already,
    is refused unless ``force``; what is known offline is checked before the platform is
    opened."""
    loaded = _loaded(manifest)
    check_promote(loaded, execution_id, name=name, agent=agent, force=force)
    with open_client(connection, project_root=loaded.path.parent, note=note) as client:
        return promote_execution(
            client, loaded, execution_id, name=name, agent=agent, force=force, dry_run=dry_run
        )


def harvest(
    manifest: Path | str | Manifest = MANIFEST_NAME,
    *,
    agent: str | None = None,
    feedback_status: str | None = None,
    rating: str | None = None,
    has_expected: bool | None = None,
    since: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    dry_run: bool = False,
    keep_wrong_answers: bool = False,
    connection: Connection | None = None,
    note: Callable[[str], None] = lambda line: None,
) -> HarvestResult:
    """Promote every execution of ``agent`` the filters select that no example names yet,
    each under a stable name (``evalkit harvest``). ``since``: ISO-8601, or ``7d``/``12h``.
    An execution rated fail or partial without a reviewer's expected output is skipped (its
    output is known to be wrong) unless ``keep_wrong_answers``."""
    filters = HarvestFilters(
        feedback_status=feedback_status,
        feedback_rating=rating,
        has_expected=has_expected,
        since=None if since is None else since_timestamp(since),
        limit=limit,
    )
    loaded = _loaded(manifest)
    target_of(loaded, agent)  # an unknown agent is said before the platform is opened
    with open_client(connection, project_root=loaded.path.parent, note=note) as client:
        return harvest_executions(
            client,
            loaded,
            agent=agent,
            filters=filters,
            dry_run=dry_run,
            keep_wrong_answers=keep_wrong_answers,
        )
