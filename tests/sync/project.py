"""A project on disk (manifest + workspace folders) for the tests that go through the manifest."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from evalkit.manifest.loader import load_manifest
from evalkit.manifest.spec import Manifest


def write_project(
    root: Path,
    agents: Mapping[str, Mapping[str, Any]],
    *,
    environments: Mapping[str, Any] | None = None,
    ignore_orphans: list[str] | None = None,
) -> Path:
    """``agents``: slug -> {name?, description?, config?, files: {path: bytes}}. Files under
    ``examples/`` land in the agent's examples folder, inside its workspace folder."""
    entries = []
    for slug, spec in agents.items():
        folder = root / "agents" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for path, data in spec.get("files", {}).items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        entry: dict[str, Any] = {"slug": slug, "workspace": f"agents/{slug}/"}
        if (folder / "examples").is_dir():
            entry["examples"] = f"agents/{slug}/examples/"
        for key in ("name", "description", "config"):
            if key in spec:
                entry[key] = spec[key]
        entries.append(entry)
    document: dict[str, Any] = {"version": 1, "agents": entries}
    if environments:
        document["environments"] = dict(environments)
    if ignore_orphans is not None:
        document["ignore_orphans"] = ignore_orphans
    manifest = root / "evalkit.yaml"
    manifest.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return manifest


def load(root: Path, env: Mapping[str, str] | None = None) -> Manifest:
    """The project's manifest, ``${VAR}`` taken from ``env`` (default: none set)."""
    return load_manifest(root / "evalkit.yaml", env=env or {})
