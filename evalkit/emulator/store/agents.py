"""Agents and their workspace files (contract A5, A7; B1, B2)."""

from __future__ import annotations

import json
import mimetypes
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evalkit.api import utc_now
from evalkit.emulator.problems import ApiProblem, invalid, not_found
from evalkit.emulator.runtime.workspace import HIDDEN_FOLDER, is_hidden
from evalkit.emulator.store.blobs import BlobStore
from evalkit.emulator.store.db import Database
from evalkit.emulator.store.ids import new_agent_id, new_commit
from evalkit.emulator.store.paths import check_tree, folders_of, tree_clash

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: an agent's stats, from the index ``executions_stats`` alone (db.py)
STATS_QUERY = (
    "SELECT count(*), max(created_at), avg(duration_ms) FROM executions WHERE agent_id = ?"
)


@dataclass(frozen=True)
class AgentRecord:
    id: str
    slug: str
    name: str
    description: str | None
    #: the config as stored (``store_text``); parsed only when ``config`` is read
    config_text: str | None
    created_at: str
    updated_at: str
    latest_commit: str | None
    #: where ``config`` is parsed, shared with the agent's other records
    configs: ConfigCache | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, row: sqlite3.Row, configs: ConfigCache | None = None) -> AgentRecord:
        return cls(
            id=row["id"],
            slug=row["slug"],
            name=row["name"],
            description=row["description"],
            config_text=row["config"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            latest_commit=row["latest_commit"],
            configs=configs,
        )

    @property
    def config(self) -> dict[str, Any] | None:
        """The whole config, parsed anew on each read (an answer needs no parse: it carries
        ``config_text`` as it is, render.py; an execution reads ``execution_config``)."""
        text = self.config_text
        if text is None:
            return None
        value: dict[str, Any] = json.loads(text)
        return value

    @property
    def execution_config(self) -> dict[str, Any] | None:
        """What an execution reads of the config (``EXECUTION_KEYS``), shared by the records
        of the same stored text, so nothing may change it in place."""
        text = self.config_text
        if text is None:
            return None
        if self.configs is None:
            return execution_view(json.loads(text))
        return self.configs.parse(self.id, text)

    @property
    def api_trigger_enabled(self) -> bool:
        """``triggers.api.enabled: false`` turns API runs off (contract B9)."""
        triggers = (self.execution_config or {}).get("triggers")
        api = triggers.get("api") if isinstance(triggers, dict) else None
        return not (isinstance(api, dict) and api.get("enabled") is False)


@dataclass(frozen=True)
class AgentStatsRecord:
    total_executions: int
    last_execution_at: str | None
    avg_duration_ms: float | None


@dataclass(frozen=True)
class WorkspaceSnapshot:
    """An agent's commit (None before its first file) and its visible (path, blob) pairs."""

    commit: str | None
    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WorkspaceFile:
    path: str
    content: bytes
    content_type: str | None


def guess_content_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def dataset_examples(paths: list[str]) -> list[str]:
    """Example names from the ``examples/<name>/...`` layout (contract A7)."""
    names = {p.split("/")[1] for p in paths if p.startswith("examples/") and p.count("/") >= 2}
    return sorted(names)


#: the members of an agent's config an execution reads: its runtime, and whether API runs are
#: on. Not evalkit's last-applied record, a hash per workspace file (400 KB of text at 2,000
#: examples, about 1 MB once parsed): the local platform never reads it.
EXECUTION_KEYS = ("runtime", "triggers")
#: characters of config text the ``ConfigCache`` keeps, all agents together: bounded by size,
#: not by a count of agents, since a synced agent's config grows with its workspace
CONFIG_CACHE_CHARS = 2 * 1024 * 1024


def execution_view(config: Any) -> dict[str, Any]:
    """The members of a parsed ``config`` that an execution reads (``EXECUTION_KEYS``)."""
    if not isinstance(config, dict):
        return {}
    return {key: config[key] for key in EXECUTION_KEYS if key in config}


class ConfigCache:
    """Each agent's execution view of its config (``execution_view``), kept while its stored
    text is the same.

    A synced agent's config carries evalkit's last-applied record, a hash per workspace file
    (100 KB at 1,000 examples): parsing it on every execution cost the platform more CPU than
    the rest of the run. Only executions parse (answers carry the stored text), so a sync's
    writes and reads fill no entry. What is kept is the view, not the whole parse: ten synced
    agents of 2,000 examples held about 1 MB each parsed, their views a few hundred bytes.
    Records share the view, so nothing may change it in place (nothing does: an update
    stores a new text).

    The least recently read configs go first once their texts (kept to tell a changed config)
    add up to more than ``max_chars``; a config longer than that on its own is parsed on every
    read, never kept.
    """

    def __init__(self, max_chars: int = CONFIG_CACHE_CHARS) -> None:
        self._max_chars = max_chars
        self._lock = threading.Lock()
        self._parsed: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._chars = 0

    @property
    def chars(self) -> int:
        """Characters of config text held now (at most ``max_chars``)."""
        return self._chars

    def parse(self, agent_id: str, text: str) -> dict[str, Any]:
        with self._lock:
            kept = self._parsed.get(agent_id)
            if kept is not None and kept[0] == text:
                self._parsed.move_to_end(agent_id)
                return kept[1]
        value = execution_view(json.loads(text))
        with self._lock:
            self._keep(agent_id, text, value)
        return value

    def _keep(self, agent_id: str, text: str, value: dict[str, Any]) -> None:
        self._forget(agent_id)
        if len(text) <= self._max_chars:
            self._parsed[agent_id] = (text, value)
            self._chars += len(text)
        while self._chars > self._max_chars:
            self._forget(next(iter(self._parsed)))

    def _forget(self, agent_id: str) -> None:
        kept = self._parsed.pop(agent_id, None)
        if kept is not None:
            self._chars -= len(kept[0])


class AgentStore:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self._blobs = blobs
        self._configs = ConfigCache()

    def create(
        self, *, name: str, slug: str, description: str | None, config: dict[str, Any] | None
    ) -> AgentRecord:
        check_slug(slug)
        now = utc_now()
        agent_id = new_agent_id()
        text = store_text(config)
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM agents WHERE slug = ?", (slug,)).fetchone():
                raise ApiProblem(
                    409,
                    "conflict",
                    f"an agent with slug {slug!r} already exists",
                    field="body.slug",
                )
            conn.execute(
                "INSERT INTO agents (id, slug, name, description, config, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (agent_id, slug, name, description, text, now, now),
            )
        return self.get(agent_id)

    def get(self, ref: str) -> AgentRecord:
        """By id or slug (contract A1); 404 when neither matches."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM agents WHERE id = ? OR slug = ? LIMIT 1", (ref, ref)
            ).fetchone()
        if row is None:
            raise not_found("agent", ref)
        return AgentRecord.from_row(row, self._configs)

    def find_all(
        self, *, search: str | None, limit: int, offset: int
    ) -> tuple[list[AgentRecord], int]:
        where, params = "", []
        if search:
            where = (
                "WHERE instr(lower(name || ' ' || slug || ' ' || coalesce(description, '')), ?) > 0"
            )
            params.append(search.lower())
        with self._db.read() as conn:
            total = conn.execute(f"SELECT count(*) FROM agents {where}", params).fetchone()[0]
            rows = conn.execute(
                f"SELECT * FROM agents {where} ORDER BY seq LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return [AgentRecord.from_row(row, self._configs) for row in rows], int(total)

    def update(self, ref: str, changes: dict[str, Any]) -> AgentRecord:
        """Apply ``name``/``description``/``config`` changes; bumps ``updatedAt`` only (B1)."""
        agent = self.get(ref)
        columns = {key: value for key, value in changes.items() if key in ("name", "description")}
        if "config" in changes:
            columns["config"] = store_text(changes["config"])
        columns["updated_at"] = utc_now()
        assignments = ", ".join(f"{column} = ?" for column in columns)
        with self._db.write() as conn:
            conn.execute(
                f"UPDATE agents SET {assignments} WHERE id = ?", [*columns.values(), agent.id]
            )
        return self.get(agent.id)

    def stats(self, agent_id: str) -> AgentStatsRecord:
        with self._db.read() as conn:
            row = conn.execute(STATS_QUERY, (agent_id,)).fetchone()
        return AgentStatsRecord(int(row[0]), row[1], row[2])

    # -- workspace -------------------------------------------------------------------------

    def write_files(
        self,
        agent_id: str,
        files: list[tuple[str, bytes, str | None]],
        fields: Sequence[str] | None = None,
    ) -> None:
        """Store files (path, bytes, content type) and give the agent a new commit (B1).

        A file that would be another's folder, in the batch or in the workspace (``lib`` and
        ``lib/util.py``), is a 400 naming its ``fields`` entry (default ``body.files[i].path``),
        and nothing is stored."""
        paths = [path for path, _, _ in files]
        names = list(fields or (f"body.files[{i}].path" for i in range(len(files))))
        check_tree(paths, names)
        with self._db.read() as conn:  # before any blob is written: a refusal stores nothing
            _check_stored_tree(conn, agent_id, paths, names)
        stored = [(path, self._blobs.put(data), len(data), kind) for path, data, kind in files]
        with self._db.write() as conn:
            _check_stored_tree(conn, agent_id, paths, names)  # again: a write may have come between
            conn.executemany(
                "INSERT OR REPLACE INTO workspace_files (agent_id, path, blob, size, content_type)"
                " VALUES (?, ?, ?, ?, ?)",
                [(agent_id, path, blob, size, kind) for path, blob, size, kind in stored],
            )
            conn.execute(
                "UPDATE agents SET latest_commit = ?, updated_at = ? WHERE id = ?",
                (new_commit(), utc_now(), agent_id),
            )

    def file_paths(self, agent_id: str, prefix: str | None = None) -> list[str]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT path FROM workspace_files WHERE agent_id = ? ORDER BY path", (agent_id,)
            ).fetchall()
        paths = [row[0] for row in rows]
        if prefix:
            paths = [path for path in paths if path.startswith(prefix)]
        return paths

    def read_file(self, agent_id: str, path: str) -> WorkspaceFile:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT blob, content_type FROM workspace_files WHERE agent_id = ? AND path = ?",
                (agent_id, path),
            ).fetchone()
        if row is None:
            raise not_found("workspace file", path)
        return WorkspaceFile(path, self._blobs.get(row["blob"]), row["content_type"])

    def workspace(self, agent_id: str) -> dict[str, bytes]:
        """Every file, ``examples/`` included (reads every blob: not for executions)."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT path, blob FROM workspace_files WHERE agent_id = ?", (agent_id,)
            ).fetchall()
        return {row["path"]: self._blobs.get(row["blob"]) for row in rows}

    def visible_snapshot(self, agent_id: str) -> WorkspaceSnapshot:
        """The agent's commit and its files outside ``examples/``, read together (no blob)."""
        with self._db.read() as conn:  # one read under the database lock: no write between
            row = conn.execute(
                "SELECT latest_commit FROM agents WHERE id = ?", (agent_id,)
            ).fetchone()
            if row is None:
                raise not_found("agent", agent_id)
            rows = conn.execute(
                "SELECT path, blob FROM workspace_files WHERE agent_id = ?"
                " AND path <> ? AND substr(path, 1, ?) <> ?",
                (agent_id, HIDDEN_FOLDER, len(HIDDEN_FOLDER) + 1, HIDDEN_FOLDER + "/"),
            ).fetchall()
        files = tuple((r["path"], r["blob"]) for r in rows if not is_hidden(r["path"]))
        return WorkspaceSnapshot(row["latest_commit"], files)

    def read_blob(self, digest: str) -> bytes:
        return self._blobs.get(digest)


def _check_stored_tree(
    conn: sqlite3.Connection, agent_id: str, paths: list[str], fields: list[str]
) -> None:
    """Refuse a path whose folder is a stored file, or that is the folder of stored files."""
    for path, where in zip(paths, fields, strict=True):
        folders = folders_of(path)
        row = None
        if folders:
            marks = ", ".join("?" * len(folders))
            row = conn.execute(
                "SELECT path FROM workspace_files WHERE agent_id = ? AND path IN"
                f" ({marks}) LIMIT 1",
                (agent_id, *folders),
            ).fetchone()
        if row is None:
            # the files inside ``path`` sort between ``path/`` and ``path0`` ('0' follows '/'):
            # a range on the primary key, not a scan of the workspace (two queries: with an OR,
            # SQLite scanned every file of the agent for each path)
            row = conn.execute(
                "SELECT path FROM workspace_files WHERE agent_id = ? AND path > ? AND path < ?"
                " LIMIT 1",
                (agent_id, path + "/", path + "0"),
            ).fetchone()
        if row is not None:
            raise tree_clash(where, path, row[0])


def check_slug(slug: str) -> None:
    if not SLUG_PATTERN.match(slug):
        raise invalid(
            "body.slug",
            f"invalid slug {slug!r}",
            hint="use 1 to 64 lower-case letters, digits and inner hyphens, e.g. invoice-extractor",
        )


def store_text(value: Any) -> str | None:
    """A JSON value as stored (a config; an execution's input, metadata, output, cost,
    expected JSON): compact JSON, which answers carry as they are (``render.RawJson``), so it
    is written as the answer would write it (``render.is_answer_json``)."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, which SQLite cannot take unescaped
            text = json.dumps(value, separators=(",", ":"))
    return text
