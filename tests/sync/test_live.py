"""What reading the live state costs, counted in requests (never timed)."""

from __future__ import annotations

import threading
import time
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


def test_started_calls_run_while_the_caller_works_and_keep_input_order() -> None:
    begun = threading.Semaphore(0)

    def call(n: int) -> int:
        begun.release()
        return n * 10

    with Pool(3).started(call, [1, 2, 3, 4]) as futures:
        # the caller's own work: every call begins without the caller asking for a result
        assert all(begun.acquire(timeout=10) for _ in range(4))
        assert [future.result() for future in futures] == [10, 20, 30, 40]


def test_started_calls_not_begun_when_the_block_ends_are_dropped() -> None:
    calls: list[int] = []
    release = threading.Event()

    def call(n: int) -> int:
        calls.append(n)
        release.wait(timeout=10)  # the first holds the pool's one thread until the block ends
        return n

    def fail_while_one_runs() -> None:
        with Pool(1).started(call, list(range(20))) as futures:
            # the last of the queued calls dropped: all of them are, so the first may end
            futures[-1].add_done_callback(lambda _: release.set())
            raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError, match="the caller failed"):
        fail_while_one_runs()
    assert calls == [0]  # the running call ended; the 19 queued behind it never began


def test_a_plan_reads_the_agents_while_it_builds_their_desired_state(
    tmp_path: Path, counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path, {"bot": {"config": {"n": 1}, "files": {"a.md": b"a"}}})
    import evalkit.sync.planner as planner

    built = planner.desired_agent
    read_first: list[bool] = []

    def building(*args: object, **options: object) -> object:
        # the agent's GET goes out while its files are read: seen before this build ends
        deadline = time.monotonic() + 10
        while not counted.transport.seen and time.monotonic() < deadline:
            time.sleep(0.005)
        read_first.append(bool(counted.transport.seen))
        return built(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(planner, "desired_agent", building)
    counted.transport.reset()
    made = plan(load(tmp_path), counted.client)
    assert read_first == [True]
    assert [agent.slug for agent in made.agents] == ["bot"]
    assert made.agents[0].creates_agent  # (not on the platform: read as missing, planned)
