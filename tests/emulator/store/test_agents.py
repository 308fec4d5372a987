"""The agent store: a config is parsed once per stored text, not on every read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit.emulator.store.agents import AgentStore, ConfigCache
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[AgentStore]:
    db = Database(tmp_path / "p.sqlite3")
    yield AgentStore(db, BlobStore(tmp_path / "blobs"))
    db.close()


def big_config(version: int) -> dict[str, object]:
    """A synced agent's shape: the runtime, and a hash per workspace file."""
    files = {f"examples/ex{n:05d}/expected.json": f"{version:064x}" for n in range(500)}
    return {"runtime": {"builtin": "echo"}, "evalkit": {"lastApplied": {"files": files}}}


def test_reads_of_an_unchanged_config_share_one_parse(agents: AgentStore) -> None:
    created = agents.create(name="A", slug="a", description=None, config=big_config(1))
    by_id, by_slug = agents.get(created.id), agents.get("a")
    assert by_id.config == big_config(1)
    assert by_id.config is by_slug.config
    assert agents.find_all(search=None, limit=10, offset=0)[0][0].config is by_id.config


def test_an_updated_config_is_read_anew(agents: AgentStore) -> None:
    created = agents.create(name="A", slug="a", description=None, config=big_config(1))
    before = agents.get(created.id).config
    agents.update(created.id, {"config": big_config(2)})
    after = agents.get(created.id).config
    assert after == big_config(2)
    assert after is not before
    agents.update(created.id, {"config": None})
    assert agents.get(created.id).config is None


def test_the_cache_keeps_the_most_recently_read_agents_only() -> None:
    cache = ConfigCache(size=2)
    first = cache.parse("a", '{"n": 1}')
    cache.parse("b", '{"n": 2}')
    assert cache.parse("a", '{"n": 1}') is first  # read again: now the most recent
    cache.parse("c", '{"n": 3}')  # "b" goes
    assert cache.parse("a", '{"n": 1}') is first
    assert cache.parse("b", '{"n": 2}') == {"n": 2}
