"""The desired state of each agent, as the manifest in git declares it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.conventions import RESERVED_CONFIG_KEY
from evalkit.errors import PlanError
from evalkit.sync.paths import check_workspace_path
from evalkit.sync.state import decode_text

_CHUNK = 1 << 20


#: what makes a file's bytes from the manifest (an inline example's JSON), called when needed
Maker = Callable[[], bytes]
#: where a desired file's content comes from: a local file, bytes, or a ``Maker``
Source = Path | bytes | Maker


@dataclass(frozen=True, slots=True)
class DesiredFile:
    """One workspace file: its platform path, and the local file (or what makes its bytes from
    the manifest, for inline examples) that holds its content. Only the hash and size are
    kept (slotted: one per file): a sync of 40,000 inline example files held every one's
    bytes, twice, until it ended."""

    path: str
    sha256: str
    size: int
    source: Path | None = None
    made: Maker | None = None
    #: whether its bytes are a small text (``state.decode_text``), told when they were made
    #: here; None for a local file (read again to tell)
    is_text: bool | None = None

    @classmethod
    def from_source(cls, path: str, source: Source) -> DesiredFile:
        if isinstance(source, Path):
            sha256, size = hash_file(source)
            return cls(path=path, sha256=sha256, size=size, source=source)
        if isinstance(source, bytes):
            content = source
            source = _Bytes(content)
        else:
            content = source()
        digest = hashlib.sha256(content).hexdigest()
        is_text = decode_text(content) is not None
        return cls(path=path, sha256=digest, size=len(content), made=source, is_text=is_text)

    def read(self) -> bytes:
        """The bytes to upload; refuses when the file changed since it was hashed."""
        if self.made is not None:
            data = self.made()
            where = self.path
        else:
            assert self.source is not None
            data = read_source(self.source)
            where = str(self.source)
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise PlanError(f"{where} changed after the plan was made; run 'evalkit plan' again")
        return data

    def same_origin(self, other: Source) -> bool:
        if isinstance(other, Path):
            return self.source is not None and self.source.resolve() == other.resolve()
        if self.made is None:
            return False
        return self.made() == (other if isinstance(other, bytes) else other())


@dataclass(frozen=True, slots=True)
class _Bytes:
    """A ``Maker`` of bytes given as they are."""

    content: bytes

    def __call__(self) -> bytes:
        return self.content


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
    examples: Mapping[str, Source],
    manifest_slug: str | None = None,
    environment: str | None = None,
) -> DesiredAgent:
    """Check and hash one agent's declared state.

    ``workspace`` and ``examples`` map platform paths to local files (or, for inline examples,
    their bytes or what makes them); the examples are already in the platform's
    ``examples/<name>/...`` layout.
    The same path declared twice from two sources is an error: which one would win?
    """
    where = f"agent {slug!r}"
    if config and RESERVED_CONFIG_KEY in config:
        raise PlanError(
            f"{where}: config key {RESERVED_CONFIG_KEY!r} is reserved for evalkit's "
            "last-applied record; rename it in the manifest"
        )
    files: dict[str, DesiredFile] = {}
    sources: list[tuple[str, Source]] = [*workspace.items(), *examples.items()]
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
