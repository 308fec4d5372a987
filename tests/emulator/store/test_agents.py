"""The agent store: a config is parsed once per stored text, not on every read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalkit.emulator.store.agents import (
    STATS_QUERY,
    AgentStatsRecord,
    AgentStore,
    ConfigCache,
    store_text,
)
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
    assert by_id.execution_config == {"runtime": {"builtin": "echo"}}
    assert by_id.execution_config is by_slug.execution_config
    listed = agents.find_all(search=None, limit=10, offset=0)[0][0]
    assert listed.execution_config is by_id.execution_config


def test_an_execution_sees_its_runtime_and_triggers_and_not_the_sync_record(
    agents: AgentStore,
) -> None:
    """The cache keeps what executions read: a synced config's hash per file stays out of it
    (about 1 MB parsed per agent of 2,000 examples); the whole config is still read whole."""
    config = {**big_config(1), "triggers": {"api": {"enabled": False}}, "model": "m"}
    created = agents.create(name="A", slug="a", description=None, config=config)
    read = agents.get(created.id)
    assert read.execution_config == {
        "runtime": {"builtin": "echo"},
        "triggers": {"api": {"enabled": False}},
    }
    assert read.config == config
    assert not read.api_trigger_enabled


def test_an_updated_config_is_read_anew(agents: AgentStore) -> None:
    created = agents.create(name="A", slug="a", description=None, config=big_config(1))
    before = agents.get(created.id).execution_config
    changed = {**big_config(2), "runtime": {"builtin": "fixed"}}
    agents.update(created.id, {"config": changed})
    after = agents.get(created.id).execution_config
    assert after == {"runtime": {"builtin": "fixed"}}
    assert after is not before
    assert agents.get(created.id).config == changed
    agents.update(created.id, {"config": None})
    assert agents.get(created.id).execution_config is None
    assert agents.get(created.id).config is None


def runtime_text(n: int) -> str:
    return json.dumps({"runtime": {"n": n}})


def test_the_cache_keeps_the_most_recently_read_agents_only() -> None:
    cache = ConfigCache(max_chars=2 * len(runtime_text(1)))
    first = cache.parse("a", runtime_text(1))
    cache.parse("b", runtime_text(2))
    assert cache.parse("a", runtime_text(1)) is first  # read again: now the most recent
    cache.parse("c", runtime_text(3))  # "b" goes
    assert cache.parse("a", runtime_text(1)) is first
    assert cache.parse("b", runtime_text(2)) == {"runtime": {"n": 2}}


def test_the_cache_is_bounded_by_the_size_of_its_texts_not_their_number() -> None:
    text = json.dumps(big_config(1))
    cache = ConfigCache(max_chars=3 * len(text))
    parsed = [cache.parse(f"agent-{agent}", text) for agent in range(10)]
    assert cache.chars == 3 * len(text)
    assert cache.parse("agent-9", text) is parsed[9]  # the most recent ones are kept
    assert cache.parse("agent-7", text) is parsed[7]
    assert cache.parse("agent-0", text) is not parsed[0]  # the oldest went


def test_a_config_longer_than_the_cache_is_parsed_each_time_and_not_kept() -> None:
    small, big = runtime_text(1), json.dumps(big_config(1))
    cache = ConfigCache(max_chars=len(big) - 1)
    kept = cache.parse("a", small)
    first = cache.parse("b", big)
    again = cache.parse("b", big)
    assert first == again == {"runtime": {"builtin": "echo"}}
    assert first is not again
    assert cache.chars == len(small)
    assert cache.parse("a", small) is kept


def test_a_changed_text_replaces_the_agents_entry_and_its_size() -> None:
    cache = ConfigCache(max_chars=100)
    cache.parse("a", '{"n": 1}')
    cache.parse("a", '{"n": 12}')
    assert cache.chars == len('{"n": 12}')


def test_storing_and_reading_a_config_parses_nothing_until_it_is_asked_for(
    agents: AgentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync's writes and reads answer with the stored text: no parse, nothing cached (a
    first run held 1.3 MB per agent of 2,000 examples); an execution's read parses once."""
    parses: list[str] = []
    real_loads = json.loads

    def counting_loads(text: str, *args: object, **kwargs: object) -> object:
        parses.append(text)
        return real_loads(text)

    monkeypatch.setattr("evalkit.emulator.store.agents.json.loads", counting_loads)
    created = agents.create(name="A", slug="a", description=None, config=big_config(1))
    updated = agents.update("a", {"config": big_config(2)})
    read = agents.get(created.id)
    assert read.config_text == updated.config_text == store_text(big_config(2))
    assert parses == []
    assert agents._configs.chars == 0
    assert read.execution_config == {"runtime": {"builtin": "echo"}}
    assert agents.get("a").execution_config is read.execution_config
    assert len(parses) == 1


def test_a_config_is_stored_as_an_answer_writes_it() -> None:
    config = {"a": [1, 2.5, None], "é": "☃", "b": {"c": True}}
    assert store_text(config) == '{"a":[1,2.5,null],"é":"☃","b":{"c":true}}'
    assert store_text({"s": "\ud800"}) == '{"s":"\\ud800"}'  # SQLite takes no lone surrogate
    assert store_text(None) is None


def test_an_agents_stats_are_read_from_an_index_alone(tmp_path: Path) -> None:
    """Every GET of an agent (a run's drift check) reads its stats: through the executions'
    rows, 79 ms at 100,000 executions; through a covering index, 9 ms."""
    db = Database(tmp_path / "p.sqlite3")
    with db.read() as conn:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {STATS_QUERY}", ("awf_x",)).fetchall()
    db.close()
    assert "COVERING INDEX executions_stats" in " ".join(str(step[3]) for step in plan)


def test_stats_count_and_average_an_agents_executions(tmp_path: Path) -> None:
    db = Database(tmp_path / "stats.sqlite3")
    store = AgentStore(db, BlobStore(tmp_path / "blobs"))
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO executions (id, agent_id, status, created_at, input_json, duration_ms)"
            " VALUES (?, ?, 'completed', ?, '{}', ?)",
            [
                ("e1", "awf_a", "2026-01-01T00:00:00.000Z", 100),
                ("e2", "awf_a", "2026-01-02T00:00:00.000Z", None),
                ("e3", "awf_a", "2026-01-01T12:00:00.000Z", 300),
                ("e4", "awf_b", "2026-02-01T00:00:00.000Z", 5),
            ],
        )
    stats = store.stats("awf_a")
    db.close()
    assert stats == AgentStatsRecord(3, "2026-01-02T00:00:00.000Z", 200.0)
