"""Builders shared by the sync tests: desired agents from bytes, live agents from dicts."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evalkit.sync.desired import DesiredAgent, build_desired_agent
from evalkit.sync.record import LastApplied
from evalkit.sync.state import LiveAgent, LiveFile, decode_text


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def desired(
    root: Path,
    slug: str,
    files: Mapping[str, bytes],
    *,
    name: str | None = None,
    description: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> DesiredAgent:
    """A desired agent whose files are written under ``root/slug``."""
    sources: dict[str, Path] = {}
    for path, data in files.items():
        target = root / slug / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        sources[path] = target
    return build_desired_agent(
        slug=slug,
        name=name or slug,
        description=description,
        config=config,
        workspace={p: s for p, s in sources.items() if not p.startswith("examples/")},
        examples={p: s for p, s in sources.items() if p.startswith("examples/")},
    )


def record(
    files: Mapping[str, bytes],
    *,
    commit: str | None = "c1",
    name: str = "bot",
    description: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> LastApplied:
    return LastApplied(
        files={p: sha(d) for p, d in files.items()},
        config=dict(config or {}),
        name=name,
        description=description,
        latest_commit=commit,
        applied_at="2026-01-01T00:00:00.000Z",
        evalkit_version="0.0.0",
    )


def live(
    slug: str,
    files: Mapping[str, bytes],
    *,
    name: str | None = None,
    description: str | None = None,
    config: Mapping[str, Any] | None = None,
    last: LastApplied | None = None,
    commit: str | None = "c1",
) -> LiveAgent:
    """A live agent whose every file was downloaded (a full comparison)."""
    return LiveAgent(
        slug=slug,
        name=name or slug,
        description=description,
        config=dict(config or {}),
        record=last,
        latest_commit=commit,
        updated_at="2026-01-01T00:00:00.000Z",
        listed=tuple(sorted(files)),
        known={p: LiveFile(sha(d), len(d), decode_text(d)) for p, d in files.items()},
    )
