"""``apply``: make a plan so, agent by agent, each one isolated from the others' failures.

First, with reads only, the whole plan is checked: every agent of it must still be as it was seen
(same ``latestCommit`` and ``updatedAt``, or still missing) and every local file must still have
the planned hash; otherwise nothing is written (Terraform's stale saved plan).

Then, per agent, in a fixed order: create it when missing -> upload the changed files (batches
bounded in size) -> read the new ``latestCommit`` and read every manifest file back (``readback``:
another writer may have uploaded meanwhile, and the commit alone cannot tell) -> one PATCH of
name, description and config that also stores the last-applied record. When a file read back is
not the manifest's, the agent stops there: its record is not saved. Because the record is written
last, a failure anywhere leaves a record that no longer matches the live ``latestCommit``: the
next plan compares the files in full and the next sync finishes the job.

Two syncs that PATCH the same agent: the last PATCH wins, whole (it always carries name, config
and the record that describes them), so the record on the agent is the one of the sync whose
settings are live.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from evalkit._version import __version__
from evalkit.api import AgentSummary, utc_now
from evalkit.errors import EvalkitError, PlanError
from evalkit.sync.calls import SyncCalls
from evalkit.sync.desired import hash_file, read_source
from evalkit.sync.jsondiff import merge_unmanaged
from evalkit.sync.live import Pool, get_agent
from evalkit.sync.plan import AgentChange, FileChange, LiveFingerprint, Plan
from evalkit.sync.readback import overwritten_error, read_back
from evalkit.sync.record import LastApplied, config_with_record, split_config

#: a batch upload holds at most this many files, and this many bytes of file content
BATCH_FILES = 100
BATCH_BYTES = 8 * 1024 * 1024

OutcomeStatus = Literal["applied", "partial", "failed", "unchanged"]


@dataclass(frozen=True)
class AgentOutcome:
    slug: str
    status: OutcomeStatus
    #: what was done, in order, e.g. "created the agent", "uploaded 3 files"
    done: tuple[str, ...] = ()
    error: str | None = None
    writes: int = 0


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[AgentOutcome, ...] = ()

    @property
    def failed(self) -> tuple[AgentOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status in ("failed", "partial"))

    @property
    def applied(self) -> tuple[AgentOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status in ("applied", "partial"))

    @property
    def state(self) -> Literal["converged", "nothing-applied", "partly-applied"]:
        if not self.failed:
            return "converged"
        return "partly-applied" if self.applied else "nothing-applied"

    @property
    def writes(self) -> int:
        return sum(o.writes for o in self.outcomes)


def apply(plan: Plan, client: SyncCalls, *, concurrency: int = 8) -> ApplyResult:
    """Apply ``plan``. Raises ``PlanError`` (nothing written) when the plan is stale: any of
    its agents moved on the platform, or a local file changed, since it was made."""
    pool = Pool(max(1, concurrency))
    base_dir = Path(plan.base_dir)
    check_sources(plan.agents, base_dir)
    current = pool.map(lambda change: get_agent(client, change.slug), plan.agents)
    check_fresh(plan.agents, current)
    todo = [(c, live) for c, live in zip(plan.agents, current, strict=True) if c.needs_write]
    # agents run side by side; each reads its files back with its share of ``concurrency``
    reads = Pool(max(1, pool.size // max(1, min(pool.size, len(todo)))))

    def run(item: tuple[AgentChange, AgentSummary | None]) -> AgentOutcome:
        return AgentApply(client, item[0], item[1], base_dir, plan.environment, reads).run()

    outcomes = {o.slug: o for o in pool.map(run, todo)}
    return ApplyResult(
        tuple(outcomes.get(a.slug, AgentOutcome(a.slug, "unchanged")) for a in plan.agents)
    )


def check_sources(changes: Sequence[AgentChange], base_dir: Path) -> None:
    """Every file to upload must still hold the bytes the plan was made from."""
    check_hashes(
        ((file.source, file.after.sha256) for c in changes for file in c.files if file.source),
        base_dir,
    )


def check_hashes(sources: Iterable[tuple[str, str]], base_dir: Path) -> None:
    """Each local file ``(source, sha256)`` (relative to ``base_dir``) still has that hash."""
    moved = [source for source, sha256 in sources if hash_file(base_dir / source)[0] != sha256]
    if moved:
        raise PlanError(
            "local files changed after the plan was made: "
            + ", ".join(moved)
            + "; run 'evalkit plan' again"
        )


def check_fresh(changes: Sequence[AgentChange], current: Sequence[AgentSummary | None]) -> None:
    check_seen([(change.slug, change.live) for change in changes], current)


def check_seen(
    seen: Sequence[tuple[str, LiveFingerprint]], current: Sequence[AgentSummary | None]
) -> None:
    """Each agent ``(slug, what the plan saw)`` is still as seen (``current``, in order)."""
    moved = [
        _moved(slug, fingerprint, now)
        for (slug, fingerprint), now in zip(seen, current, strict=True)
    ]
    stale = [line for line in moved if line is not None]
    if stale:
        raise PlanError(
            "the platform changed since the plan was made, nothing was applied:\n"
            + "\n".join(f"  {line}" for line in stale)
            + "\nrun 'evalkit plan' again and review the new plan"
        )


def _moved(slug: str, seen: LiveFingerprint, summary: AgentSummary | None) -> str | None:
    if summary is None:
        return f"{slug}: no longer exists" if seen.exists else None
    if not seen.exists:
        return f"{slug}: was created by someone else"
    if summary.latest_commit != seen.latest_commit:
        return f"{slug}: workspace files changed (commit {summary.latest_commit})"
    if summary.updated_at != seen.updated_at:
        return f"{slug}: settings changed (updated {summary.updated_at})"
    return None


@dataclass
class AgentApply:
    """The writes for one agent; any error stops this agent only."""

    client: SyncCalls
    change: AgentChange
    live: AgentSummary | None
    base_dir: Path
    #: the plan's environment, recorded with the manifest slug (``None``: the manifest's own)
    environment: str | None = None
    #: the pool this agent reads its files back with
    reads: Pool = field(default_factory=Pool)
    done: list[str] = field(default_factory=list)
    writes: int = 0

    def run(self) -> AgentOutcome:
        try:
            self._create()
            self._upload()
            self._patch()
        except EvalkitError as err:
            status: OutcomeStatus = "partial" if self.writes else "failed"
            return AgentOutcome(
                self.change.slug, status, tuple(self.done), _reason(err), self.writes
            )
        return AgentOutcome(self.change.slug, "applied", tuple(self.done), None, self.writes)

    def _create(self) -> None:
        if self.live is not None:
            return
        desired = self.change.desired
        self.live = self.client.agents.create(
            name=desired.name,
            slug=self.change.slug,
            description=desired.description,
            config=dict(desired.config),
        ).agent
        self._did("created the agent")

    def _upload(self) -> None:
        files = list(self.change.files)
        uploaded = 0
        for batch in batches(files):
            items = [
                {
                    "path": f.path,
                    "contentBase64": base64.b64encode(self._bytes(f)).decode("ascii"),
                }
                for f in batch
            ]
            if len(items) == 1:
                self.client.agents.put_file(
                    self.change.slug, items[0]["path"], content_base64=items[0]["contentBase64"]
                )
            else:
                self.client.agents.upload_files(self.change.slug, items)
            # one line for every batch so far: "uploaded 12 files", not three "uploaded 4 files"
            if uploaded:
                self.done.pop()
            uploaded += len(items)
            self._did(f"uploaded {_count(uploaded, 'file')}")
        if files:  # the record may vouch only for files read back after the new commit
            wanted = self.change.desired.files
            back = read_back(self.client, self.change.slug, wanted, self.reads)
            if back.disagreeing:
                raise overwritten_error(self.change.slug, list(back.disagreeing))
            self.live = back.agent

    def _bytes(self, file: FileChange) -> bytes:
        inline = file.inline_content()
        if inline is not None:
            data = inline
        elif file.source is not None:
            data = read_source(self.base_dir / file.source)
        else:
            raise PlanError(f"the plan has no content for {file.path!r}; make the plan again")
        if hashlib.sha256(data).hexdigest() != file.after.sha256:
            raise PlanError(
                f"{file.source or file.path} changed after the plan was made; "
                "run 'evalkit plan' again"
            )
        return data

    def _patch(self) -> None:
        assert self.live is not None
        desired = self.change.desired
        live_config, old_record = split_config(self.live.config)
        record = LastApplied(
            files=desired.files,
            config=desired.config,
            name=desired.name,
            description=desired.description,
            latest_commit=self.live.latest_commit,
            applied_at=utc_now(),
            evalkit_version=__version__,
            manifest_slug=desired.manifest_slug,
            environment=self.environment if desired.manifest_slug is not None else None,
        )
        config = merge_unmanaged(
            desired.config, live_config, old_record.config if old_record else None
        )
        # name and config always travel with the record, so that when two syncs PATCH at once
        # the last one wins whole and its record describes what is live
        body: dict[str, Any] = {"name": desired.name, "config": config_with_record(config, record)}
        if self.live.description or desired.description:
            body["description"] = desired.description or ""
        changed = [
            key
            for key, before, after in (
                ("name", self.live.name, desired.name),
                ("description", self.live.description or None, desired.description or None),
            )
            if before != after
        ]
        self.client.agents.update(self.change.slug, **body)
        self._did(_patch_summary(self.change, changed))

    def _did(self, what: str) -> None:
        self.writes += 1
        self.done.append(what)


def _patch_summary(change: AgentChange, changed: list[str]) -> str:
    parts = list(changed)
    if change.config and not change.creates_agent:
        parts.append("config")
    if not parts:
        return "saved the last-applied record"
    return "updated " + ", ".join(parts) + " (and the last-applied record)"


def batches(files: Sequence[FileChange]) -> Iterator[list[FileChange]]:
    """Files in upload order, grouped under ``BATCH_FILES`` files and ``BATCH_BYTES`` bytes."""
    batch: list[FileChange] = []
    size = 0
    for file in files:
        weight = file.after.size or 0
        if batch and (len(batch) >= BATCH_FILES or size + weight > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(file)
        size += weight
    if batch:
        yield batch


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _reason(err: EvalkitError) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__
