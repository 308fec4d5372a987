"""What reading the live state costs, counted in requests (never timed)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from evalkit.sync.apply import apply
from evalkit.sync.live import Pool, paths_to_download
from evalkit.sync.planner import plan

from .helpers import desired, live, record
from .local import Counted
from .project import load, write_project

AGENTS = 20
FILES = 30


def test_no_op_plan_on_20_agents_of_30_files_costs_one_request_per_agent(
    tmp_path: Path, counted: Counted
) -> None:
    agents = {
        f"agent-{n:02d}": {
            "config": {"n": n},
            "files": {
                f"docs/file-{i:02d}.md": f"agent {n} file {i}\n".encode() for i in range(FILES)
            },
        }
        for n in range(AGENTS)
    }
    write_project(tmp_path, agents)
    first = apply(plan(load(tmp_path), counted.client), counted.client)
    assert first.state == "converged"
    counted.transport.reset()

    noop = plan(load(tmp_path), counted.client, concurrency=8)

    assert not noop.has_changes
    assert {a.compared_by for a in noop.agents} == {"record"}
    seen = counted.transport.seen
    gets = [p for m, p in seen if m == "GET" and p.startswith("/api/v1/agents/")]
    lists = [p for m, p in seen if p == "/api/v1/agents"]
    assert len(gets) == AGENTS  # one GET per agent, no file downloaded
    assert len(lists) == 1  # one page of the agent list, for orphans
    assert len(seen) == AGENTS + 1
    print(f"no-op plan: {len(seen)} requests for {AGENTS} agents x {FILES} files")


def test_only_unknown_or_changing_small_files_are_downloaded(tmp_path: Path) -> None:
    files = {"a.md": b"a", "b.md": b"b", "big.bin": b"x" * 70_000}
    want = desired(tmp_path, "bot", {**files, "b.md": b"B", "big.bin": b"y" * 70_000, "c.md": b"c"})
    current = live("bot", {**files, "c.md": b"c"}, last=record(files))
    # a.md is as recorded; b.md changes (small text: read for its diff); big.bin changes but is
    # too big to diff; c.md is live but unknown to the record
    assert paths_to_download(want, current, refresh=False) == ["b.md", "c.md"]
    assert paths_to_download(want, current, refresh=True) == ["a.md", "b.md", "big.bin", "c.md"]
    moved = live("bot", {**files, "c.md": b"c"}, last=record(files, commit="old"))
    assert paths_to_download(want, moved, refresh=False) == ["a.md", "b.md", "big.bin", "c.md"]


def test_pool_keeps_input_order() -> None:
    assert Pool(4).map(lambda n: n * n, range(20)) == [n * n for n in range(20)]
    assert Pool(1).map(str, [3, 1]) == ["3", "1"]


def test_pool_queues_at_most_twice_its_size() -> None:
    # Executor.map queued every call at once (a future each: 2,000 per agent read back)
    started: list[int] = []
    window_overrun = threading.Event()
    seen_while_first_waits: list[int] = []

    def call(n: int) -> int:
        if n == 0:  # the head of the line waits: only the queued calls may start meanwhile
            window_overrun.wait(timeout=1.0)
            seen_while_first_waits.append(len(started))
            return n
        started.append(n)
        if len(started) > 3:
            window_overrun.set()
        return n

    assert Pool(2).map(call, range(50)) == list(range(50))
    assert seen_while_first_waits == [3]  # items 1-3 of the window of 4, no more


def test_pool_raises_the_first_failure_and_drops_the_calls_not_queued() -> None:
    calls: list[int] = []

    def call(n: int) -> int:
        calls.append(n)
        if n == 0:
            raise ValueError("first")
        return n

    with pytest.raises(ValueError, match="first"):
        Pool(2).map(call, range(100))
    assert len(calls) <= 4
