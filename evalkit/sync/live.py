"""Reading the live state of agents, with as few requests as the last-applied record allows.

Per agent: one ``GET /agents/{slug}?include=files`` (its config carries the record, the listing
says which files exist). While the record's ``latestCommit`` equals the live one, no file
changed since evalkit wrote it (contract B1): the recorded hashes stand in for the files, and
only files the record does not know are downloaded (plus small text files about to change, for
their unified diff). Otherwise, or with ``refresh``, every listed file the manifest has is
downloaded and hashed, so an edit made on the platform is always found.
"""

from __future__ import annotations

import base64
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

from evalkit.api import AgentSummary, FileContentResponse
from evalkit.client.errors import EigenpalNotFoundError
from evalkit.errors import PlanError
from evalkit.sync.calls import SyncCalls
from evalkit.sync.desired import DesiredAgent
from evalkit.sync.record import split_config
from evalkit.sync.state import TEXT_DIFF_LIMIT, LiveAgent, LiveFile, decode_text

DEFAULT_CONCURRENCY = 8
PAGE_SIZE = 100

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Pool:
    """A bounded pool: at most ``size`` calls in flight; results keep the input order.

    ``map`` queues at most ``2 * size`` calls at once (``Executor.map`` queues them all: a sync
    reading back 2,000 files held 2,000 futures with their locks, ~0.7 KB each); after a
    failure, the calls not started yet are dropped and the first failure (in input order)
    is raised. ``started`` queues every call at once: for a few (one per agent)."""

    size: int = DEFAULT_CONCURRENCY

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        work = list(items)
        if len(work) <= 1 or self.size <= 1:
            return [fn(item) for item in work]
        results: list[R] = []
        queued: deque[Future[R]] = deque()
        with ThreadPoolExecutor(max_workers=min(self.size, len(work))) as executor:
            try:
                for item in work:
                    if len(queued) >= 2 * self.size:
                        results.append(queued.popleft().result())
                    queued.append(executor.submit(fn, item))
                while queued:
                    results.append(queued.popleft().result())
            finally:
                for future in queued:
                    future.cancel()
        return results

    @contextmanager
    def started(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[list[Future[R]]]:
        """``fn`` on each item, started now in the pool's threads (at most ``size`` at once),
        as futures in input order: the caller does its own work while they run and takes
        each result when it needs it. The calls not started when the block ends are dropped;
        the block ends once those running have."""
        with ThreadPoolExecutor(max_workers=max(1, min(self.size, len(items)))) as executor:
            futures = [executor.submit(fn, item) for item in items]
            try:
                yield futures
            finally:
                for future in futures:
                    future.cancel()


def live_from_summary(summary: AgentSummary) -> LiveAgent:
    """The agent as read, before any file is known."""
    config, record = split_config(summary.config)
    listed = tuple(sorted(summary.files or []))
    return LiveAgent(
        slug=summary.slug,
        name=summary.name,
        description=summary.description,
        config=config,
        record=record,
        latest_commit=summary.latest_commit,
        updated_at=summary.updated_at,
        listed=listed,
    )


def get_agent(client: SyncCalls, slug: str) -> AgentSummary | None:
    """The agent with its file listing, or ``None`` when it does not exist."""
    try:
        return client.agents.get(slug, include="files").agent
    except EigenpalNotFoundError:
        return None


def download(client: SyncCalls, slug: str, path: str) -> bytes:
    answer = client.agents.list_files(slug, path=path)
    if not isinstance(answer, FileContentResponse):
        raise PlanError(f"agent {slug!r}: the platform sent a listing instead of {path!r}")
    return base64.b64decode(answer.content_base64)


def paths_to_download(desired: DesiredAgent, live: LiveAgent, *, refresh: bool) -> list[str]:
    """Which listed files must be read to compare them with the manifest."""
    wanted = [p for p in live.listed if p in desired.files]
    if refresh or not live.record_is_current or live.record is None:
        return wanted
    recorded = live.record.files
    return [
        path
        for path in wanted
        if path not in recorded
        or (recorded[path] != desired.files[path].sha256 and _small(desired, path))
    ]


def _small(desired: DesiredAgent, path: str) -> bool:
    return desired.files[path].size <= TEXT_DIFF_LIMIT


def read_live(
    client: SyncCalls,
    desired: Sequence[DesiredAgent],
    summaries: Sequence[AgentSummary | None],
    *,
    refresh: bool = False,
    pool: Pool | None = None,
) -> dict[str, LiveAgent | None]:
    """The live state of every desired agent (``None`` for those that do not exist), from
    its ``get_agent`` in ``summaries`` (read by the caller while it built ``desired``)."""
    pool = pool or Pool()
    agents: dict[str, LiveAgent | None] = {}
    jobs: list[tuple[str, str]] = []
    for want, summary in zip(desired, summaries, strict=True):
        live, paths = _before_downloads(want, summary, refresh=refresh)
        agents[want.slug] = live
        jobs += [(want.slug, path) for path in paths]
    contents = pool.map(lambda job: download(client, *job), jobs)
    for (slug, path), data in zip(jobs, contents, strict=True):
        current = agents[slug]
        assert current is not None
        agents[slug] = replace(current, known={**current.known, path: _fact(data)})
    return agents


def read_one(
    client: SyncCalls,
    want: DesiredAgent,
    summary: AgentSummary | None,
    *,
    refresh: bool = False,
    pool: Pool | None = None,
) -> LiveAgent | None:
    """``read_live`` of one agent whose ``summary`` (``get_agent``) was read already."""
    live, paths = _before_downloads(want, summary, refresh=refresh)
    if live is None or not paths:
        return live
    contents = (pool or Pool()).map(lambda path: download(client, want.slug, path), paths)
    facts = {path: _fact(data) for path, data in zip(paths, contents, strict=True)}
    return replace(live, known={**live.known, **facts})


def _before_downloads(
    want: DesiredAgent, summary: AgentSummary | None, *, refresh: bool
) -> tuple[LiveAgent | None, list[str]]:
    """The agent as its summary and record tell, and the paths still to download."""
    if summary is None:
        return None, []
    live = live_from_summary(summary)
    paths = paths_to_download(want, live, refresh=refresh)
    use_record = live.record is not None and live.record_is_current and not refresh
    known: dict[str, LiveFile] = {}
    if use_record and live.record is not None:
        recorded = live.record.files
        known = {p: LiveFile(sha256=recorded[p]) for p in live.listed if p in recorded}
    live = replace(live, known=known, compared_by="record" if use_record else "full")
    return live, paths


def _fact(data: bytes) -> LiveFile:
    return LiveFile(hashlib.sha256(data).hexdigest(), len(data), decode_text(data))


def list_all_agents(client: SyncCalls) -> list[AgentSummary]:
    """Every agent on the platform, page after page."""
    found: list[AgentSummary] = []
    offset = 0
    while True:
        page = client.agents.list(limit=PAGE_SIZE, offset=offset)
        found += page.data
        offset += len(page.data)
        if not page.data or offset >= page.total:
            return found
