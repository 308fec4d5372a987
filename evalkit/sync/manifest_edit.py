"""Adding or updating agent entries in a manifest file, keeping its comments and layout.

ruamel.yaml's round-trip mode is used because a pull must not rewrite a reviewed manifest:
comments, key order and quoting of everything it does not touch stay as they were.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from evalkit.errors import PlanError
from evalkit.sync.jsondiff import json_equal

HEADER = "# evalkit manifest: the agents below are synced by 'evalkit sync'.\n"


@dataclass(frozen=True)
class ManifestEntry:
    slug: str
    name: str
    description: str | None
    config: dict[str, Any]
    #: folders relative to the manifest, ending in '/'
    workspace: str
    examples: str | None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def _read(path: Path) -> CommentedMap | None:
    if not path.exists():
        return None
    try:
        data = _yaml().load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as err:
        raise PlanError(f"cannot update {path}: {err}") from err
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise PlanError(f"cannot update {path}: it is not a mapping of manifest keys")
    return data


def holds_no_document(path: Path) -> bool:
    """Whether the file at ``path`` is blank or only comments: pull writes a manifest into it."""
    try:
        return _yaml().load(path.read_text(encoding="utf-8")) is None
    except (OSError, UnicodeDecodeError, YAMLError):
        return False  # the manifest loader says what is wrong with it


def _find(document: CommentedMap, slug: str) -> CommentedMap | None:
    agents = document.get("agents")
    if not isinstance(agents, list):
        return None
    for entry in agents:
        if isinstance(entry, CommentedMap) and entry.get("slug") == slug:
            return entry
    return None


def upsert_entries(path: Path, entries: Sequence[ManifestEntry]) -> bool:
    """Write ``entries`` into the manifest at ``path``; True when the file was created."""
    document = _read(path)
    created = document is None
    if document is None:
        document = CommentedMap(version=1)
    if "version" not in document:
        document.insert(0, "version", 1)
    agents = document.get("agents")
    if agents is None:
        agents = document["agents"] = CommentedSeq()
    if not isinstance(agents, list):
        raise PlanError(f"cannot update {path}: 'agents' is not a list")
    changed = created
    for entry in entries:
        found = _find(document, entry.slug)
        if found is None:
            agents.append(_new_entry(entry))
            changed = True
        else:
            changed = _update(found, entry) or changed
    if not changed:
        return False  # not even dumped again: the file stays byte for byte
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    text = (HEADER if created else "") + buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise PlanError(f"cannot write {path}: {err.strerror or err}") from err
    return created


def _new_entry(entry: ManifestEntry) -> CommentedMap:
    fresh = CommentedMap(slug=entry.slug)
    _update(fresh, entry)
    return fresh


def _update(found: CommentedMap, entry: ManifestEntry) -> bool:
    """Platform-owned fields take the live values; folders and evalkit-only keys stay. True
    when the entry changed."""
    changed = [
        _set_or_drop(found, "name", entry.name),
        _set_or_drop(found, "description", entry.description),
        _set_or_drop(found, "config", entry.config or None),
    ]
    if "workspace" not in found:
        found["workspace"] = entry.workspace
        changed.append(True)
    if entry.examples is not None:  # the entry names no examples folder (none, null or [])
        found["examples"] = entry.examples
        changed.append(True)
    return any(changed)


_ABSENT = object()


def _set_or_drop(mapping: CommentedMap, key: str, value: Any) -> bool:
    if value is None:
        return mapping.pop(key, _ABSENT) is not _ABSENT
    return _put(mapping, key, value)


def _put(mapping: CommentedMap, key: str, value: Any) -> bool:
    """``mapping[key] = value``, rewriting only what differs: an equal value keeps its text,
    and a mapping is updated key by key, so its style (flow or block), order and comments
    stay. True when something changed."""
    old = mapping.get(key)
    if key in mapping and _same(old, value):
        return False
    if isinstance(old, CommentedMap) and isinstance(value, dict):
        for gone in [name for name in old if name not in value]:
            del old[gone]
        for name, item in value.items():
            _put(old, name, item)
    else:
        mapping[key] = _styled_like(old, value)
    return True


def _styled_like(old: Any, new: Any) -> Any:
    """``new``, in flow style (``[1, 2]``, ``{a: 1}``) when it replaces a flow-style value."""
    flow = isinstance(old, (CommentedMap, CommentedSeq)) and old.fa.flow_style()
    if not flow or not isinstance(new, (dict, list)):
        return new
    styled = CommentedSeq(new) if isinstance(new, list) else CommentedMap(new)
    styled.fa.set_flow_style()
    return styled


def _same(old: Any, new: Any) -> bool:
    """Whether a value as the manifest holds it is the live JSON value (``1`` is ``1.0``)."""
    try:
        return json_equal(old, new)
    except (TypeError, ValueError):  # e.g. a YAML date: no JSON value is one
        return False
