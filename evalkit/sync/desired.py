"""The desired state of each agent, as the manifest in git declares it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.conventions import RESERVED_CONFIG_KEY
from evalkit.errors import PlanError
from evalkit.sync.paths import check_workspace_path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class DesiredFile:
    """One workspace file: its platform path, and the local file (or the bytes made from the
    manifest, for inline examples) that holds its content."""

    path: str
    sha256: str
    size: int
    source: Path | None = None
    content: bytes | None = None

    @classmethod
    def from_source(cls, path: str, source: Path | bytes) -> DesiredFile:
        if isinstance(source, bytes):
            digest = hashlib.sha256(source).hexdigest()
            return cls(path=path, sha256=digest, size=len(source), content=source)
        sha256, size = hash_file(source)
        return cls(path=path, sha256=sha256, size=size, source=source)

    def read(self) -> bytes:
        """The bytes to upload; refuses when the file changed since it was hashed."""
        if self.content is not None:
            return self.content
        assert self.source is not None
        data = read_source(self.source)
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise PlanError(
                f"{self.source} changed after the plan was made; run 'evalkit plan' again"
            )
        return data

    def same_origin(self, other: Path | bytes) -> bool:
        if isinstance(other, bytes):
            return self.content == other
        return self.source is not None and self.source.resolve() == other.resolve()


@dataclass(frozen=True)
class DesiredAgent:
    slug: str
    name: str
    description: str | None
    config: Mapping[str, Any]
    files: Mapping[str, DesiredFile] = field(default_factory=dict)
    #: the slug written in the manifest, and the environment ``slug`` is made for (``None``:
    #: the manifest's own slugs); both go into the last-applied record
    manifest_slug: str | None = None
    environment: str | None = None

    @property
    def hashes(self) -> dict[str, str]:
        return {path: f.sha256 for path, f in sorted(self.files.items())}


def build_desired_agent(
    *,
    slug: str,
    name: str,
    description: str | None,
    config: Mapping[str, Any] | None,
    workspace: Mapping[str, Path],
    examples: Mapping[str, Path | bytes],
    manifest_slug: str | None = None,
    environment: str | None = None,
) -> DesiredAgent:
    """Check and hash one agent's declared state.

    ``workspace`` and ``examples`` map platform paths to local files (or, for inline examples,
    their bytes); the examples are already in the platform's ``examples/<name>/...`` layout.
    The same path declared twice from two sources is an error: which one would win?
    """
    where = f"agent {slug!r}"
    if config and RESERVED_CONFIG_KEY in config:
        raise PlanError(
            f"{where}: config key {RESERVED_CONFIG_KEY!r} is reserved for evalkit's "
            "last-applied record; rename it in the manifest"
        )
    files: dict[str, DesiredFile] = {}
    sources: list[tuple[str, Path | bytes]] = [*workspace.items(), *examples.items()]
    for path, source in sources:
        check_workspace_path(path, where=where)
        known = files.get(path)
        if known is not None:
            if known.same_origin(source):
                continue
            raise PlanError(
                f"{where}: workspace path {path!r} is declared twice (a workspace file and an "
                "example); keep examples out of the workspace folder, or rename one of them"
            )
        files[path] = DesiredFile.from_source(path, source)
    return DesiredAgent(
        slug=slug,
        name=name,
        description=description,
        config=dict(config or {}),
        files=dict(sorted(files.items())),
        manifest_slug=manifest_slug,
        environment=environment,
    )


def hash_file(source: Path) -> tuple[str, int]:
    """sha256 hex digest and size of a local file."""
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as err:
        raise PlanError(f"cannot read {source}: {err.strerror or err}") from err
    return digest.hexdigest(), size


def read_source(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except OSError as err:
        raise PlanError(f"cannot read {source}: {err.strerror or err}") from err
