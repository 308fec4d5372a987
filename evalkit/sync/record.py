"""The last-applied record evalkit keeps on each agent, inside its own config.

It lives under ``config["evalkit"]["lastApplied"]`` (kubectl's last-applied annotation idea):

    {"formatVersion": 1, "files": {path: sha256}, "config": {...}, "name": str,
     "description": str | null, "latestCommit": str | null, "appliedAt": str,
     "evalkitVersion": str, "manifestSlug": str, "environment": str | null}

``files`` and ``latestCommit`` describe the workspace right after evalkit's last write (every
file read back after that commit was read: ``readback``): while the agent's ``latestCommit``
still equals the recorded one, no file changed since (contract B1), so a plan needs no
download. ``config``, ``name`` and ``description`` are what evalkit wrote, so a live value that
differs from them was changed outside git (drift). A PATCH of config bumps only ``updatedAt``,
so writing the record never invalidates it.

``manifestSlug`` and ``environment`` say what made the agent: the manifest's agent, under which
environment (``null``: the manifest's own slug). They tell an environment's copy (one per pull
request, say) from an orphan; records written before they existed simply lack both.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evalkit.conventions import RESERVED_CONFIG_KEY

RECORD_KEY = "lastApplied"
RECORD_FORMAT = 1


@dataclass(frozen=True)
class LastApplied:
    files: Mapping[str, str]
    config: Mapping[str, Any]
    name: str
    description: str | None
    latest_commit: str | None
    applied_at: str
    evalkit_version: str
    #: the slug written in the manifest; ``None`` when the record does not say (older evalkit)
    manifest_slug: str | None = None
    #: the environment the agent is a copy for (``None``: the manifest's own slug)
    environment: str | None = None
    format_version: int = RECORD_FORMAT

    @property
    def knows_origin(self) -> bool:
        """True when the record says which manifest agent and environment made the agent."""
        return self.manifest_slug is not None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "formatVersion": self.format_version,
            "files": dict(sorted(self.files.items())),
            "config": copy.deepcopy(dict(self.config)),
            "name": self.name,
            "description": self.description,
            "latestCommit": self.latest_commit,
            "appliedAt": self.applied_at,
            "evalkitVersion": self.evalkit_version,
        }
        if self.knows_origin:
            wire |= {"manifestSlug": self.manifest_slug, "environment": self.environment}
        return wire


def split_config(config: Mapping[str, Any] | None) -> tuple[dict[str, Any], LastApplied | None]:
    """The live config without the reserved key, and the record found there (if it is valid)."""
    plain = copy.deepcopy(dict(config or {}))
    reserved = plain.pop(RESERVED_CONFIG_KEY, None)
    if not isinstance(reserved, Mapping):
        return plain, None
    return plain, parse_record(reserved.get(RECORD_KEY))


def parse_record(raw: Any) -> LastApplied | None:
    """A record from its wire form; ``None`` when absent, malformed or of another format.

    An unusable record only costs a full comparison, so it is never an error.
    """
    if not isinstance(raw, Mapping) or raw.get("formatVersion") != RECORD_FORMAT:
        return None
    files, config = raw.get("files"), raw.get("config")
    if not isinstance(files, Mapping) or not isinstance(config, Mapping):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    name, description = raw.get("name"), raw.get("description")
    commit = raw.get("latestCommit")
    if not isinstance(name, str) or not isinstance(description, (str, type(None))):
        return None
    if not isinstance(commit, (str, type(None))):
        return None
    manifest_slug, environment = raw.get("manifestSlug"), raw.get("environment")
    if not isinstance(manifest_slug, str) or not isinstance(environment, (str, type(None))):
        manifest_slug, environment = None, None  # origin unknown: the rest still stands
    return LastApplied(
        files=dict(files),
        config=copy.deepcopy(dict(config)),
        name=name,
        description=description,
        latest_commit=commit,
        applied_at=str(raw.get("appliedAt", "")),
        evalkit_version=str(raw.get("evalkitVersion", "")),
        manifest_slug=manifest_slug,
        environment=environment,
    )


def config_with_record(config: Mapping[str, Any], record: LastApplied) -> dict[str, Any]:
    """``config`` (which must not hold the reserved key) with the record stored in it."""
    merged = copy.deepcopy(dict(config))
    merged[RESERVED_CONFIG_KEY] = {RECORD_KEY: record.to_wire()}
    return merged
