"""The per-commit workspace cache: built once, shared safely, old commits removed when unused."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.runtime.workspace import FolderWorkspace, Workspace
from evalkit.emulator.store.agents import AgentStore
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.workspace_cache import WorkspaceCache

from ..helpers import create_agent, run_and_wait


class CountingBlobs(BlobStore):
    reads = 0

    def get(self, digest: str) -> bytes:
        self.reads += 1
        return super().get(digest)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[AgentStore, CountingBlobs]]:
    db = Database(tmp_path / "p.sqlite3")
    blobs = CountingBlobs(tmp_path / "blobs")
    yield AgentStore(db, blobs), blobs
    db.close()


def new_agent(agents: AgentStore, files: dict[str, bytes]) -> str:
    agent = agents.create(name="a", slug="a", description=None, config=None)
    agents.write_files(agent.id, [(path, data, None) for path, data in files.items()])
    return agent.id


def contents(workspace: Workspace) -> dict[str, bytes | None]:
    return {path: workspace.get(path) for path in workspace.paths()}


def commit_of(agents: AgentStore, agent_id: str) -> str | None:
    return agents.get(agent_id).latest_commit


def test_a_commit_is_built_once_without_examples_and_reused_across_restarts(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, blobs = store
    files = {"main.py": b"m", "lib/util.py": b"u", "examples/x/expected.json": b"{}"}
    agent_id = new_agent(agents, files)
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    first = cache.acquire(agent_id, commit_of(agents, agent_id))
    assert contents(first) == {"lib/util.py": b"u", "main.py": b"m"}
    assert blobs.reads == 2
    cache.release(first)
    again = WorkspaceCache(tmp_path / "workspaces", agents)  # a restarted platform
    second = again.acquire(agent_id, commit_of(agents, agent_id))
    assert contents(second) == contents(first)
    assert blobs.reads == 2


def test_an_agent_without_files_has_an_empty_workspace(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    agent = agents.create(name="a", slug="a", description=None, config=None)
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    assert cache.acquire(agent.id, None).paths() == []


def test_many_threads_building_one_commit_end_with_one_whole_folder(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    files = {f"f{n}.txt": str(n).encode() for n in range(30)}
    agent_id = new_agent(agents, files)
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    start = threading.Barrier(8)
    got: list[dict[str, bytes | None]] = []

    def acquire() -> None:
        start.wait()
        workspace = cache.acquire(agent_id, commit_of(agents, agent_id))
        got.append(contents(workspace))
        cache.release(workspace)

    threads = [threading.Thread(target=acquire) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [files] * 8
    (only,) = (cache.root / agent_id).iterdir()  # no half-built folder left behind
    assert only.name == commit_of(agents, agent_id)


def test_an_old_commit_is_kept_while_in_use_and_removed_after(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    agent_id = new_agent(agents, {"data.txt": b"v1"})
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    old = cache.acquire(agent_id, commit_of(agents, agent_id))
    agents.write_files(agent_id, [("data.txt", b"v2", None)])
    new = cache.acquire(agent_id, commit_of(agents, agent_id))
    assert (old.get("data.txt"), new.get("data.txt")) == (b"v1", b"v2")  # old one still whole
    cache.release(old)
    cache.release(new)
    agents.write_files(agent_id, [("data.txt", b"v3", None)])
    newest = cache.acquire(agent_id, commit_of(agents, agent_id))
    assert newest.get("data.txt") == b"v3"
    assert [p.name for p in (cache.root / agent_id).iterdir()] == [commit_of(agents, agent_id)]


def test_a_run_that_saw_a_commit_now_gone_gets_the_latest(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    agent_id = new_agent(agents, {"data.txt": b"v1"})
    seen = commit_of(agents, agent_id)
    agents.write_files(agent_id, [("data.txt", b"v2", None)])
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    workspace = cache.acquire(agent_id, seen)
    assert isinstance(workspace, FolderWorkspace)
    assert workspace.commit == commit_of(agents, agent_id)
    assert workspace.get("data.txt") == b"v2"


def test_leftovers_of_a_stopped_platform_are_removed_and_wipe_empties(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    agent_id = new_agent(agents, {"a.txt": b"a"})
    root = tmp_path / "workspaces"
    (root / agent_id / ".building-x").mkdir(parents=True)
    (root / ".removing-y").mkdir()
    cache = WorkspaceCache(root, agents)
    assert list(root.iterdir()) == [root / agent_id]
    assert list((root / agent_id).iterdir()) == []
    cache.release(cache.acquire(agent_id, commit_of(agents, agent_id)))
    cache.wipe()
    assert list(root.iterdir()) == []
    assert cache.acquire(agent_id, commit_of(agents, agent_id)).get("a.txt") == b"a"


def test_names_that_are_not_the_platforms_own_are_refused(
    tmp_path: Path, store: tuple[AgentStore, CountingBlobs]
) -> None:
    agents, _ = store
    cache = WorkspaceCache(tmp_path / "workspaces", agents)
    with pytest.raises(ValueError, match="not a workspace cache name"):
        cache.acquire("../escape", "c_1")


def test_old_data_with_a_file_inside_a_file_fails_its_runs_cleanly(
    make_client: Any, config: PlatformConfig, caplog: pytest.LogCaptureFixture
) -> None:
    """A workspace stored before the API refused ``lib`` beside ``lib/util.py``: each run fails
    saying so, without the data folder's path or a traceback in the log."""
    caplog.set_level(logging.DEBUG)
    client = make_client()
    create_agent(client, "old", config={"runtime": {"command": "python main.py"}})
    for path in ("main.py", "lib"):
        client.put("/api/v1/agents/old/files", params={"path": path}, json={"content": "x=1"})
    assert config.data_dir is not None
    with sqlite3.connect(config.data_dir / "platform.sqlite3") as conn:  # as old data had it
        conn.execute(
            "INSERT INTO workspace_files SELECT agent_id, 'lib/util.py', blob, size, content_type"
            " FROM workspace_files WHERE path = 'lib'"
        )
        conn.execute("UPDATE agents SET latest_commit = 'cmt_olddata'")
    result = run_and_wait(client, "old")
    assert result["status"] == "failed"
    assert "'lib'" in result["error"]
    assert "'lib/util.py'" in result["error"]
    assert "internal runtime error" not in result["error"]
    assert str(config.data_dir) not in result["error"]
    assert not [record for record in caplog.records if record.exc_info]
