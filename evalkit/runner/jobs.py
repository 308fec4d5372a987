"""What the runner runs: one ``ExampleJob`` per selected example, and how they are selected.

A job is detached from the manifest's own classes so that the runner depends only on what it
uses; ``evalkit.runner.from_manifest`` builds jobs from a loaded manifest.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from evalkit.errors import RunError


@dataclass(frozen=True)
class ExampleJob:
    kind: Literal["agent", "workflow"]
    #: the slug (or id) the platform is called with: an environment copy's slug under --env
    target: str
    #: the name used in results and selection: the manifest's agent slug or workflow name
    suite: str
    name: str
    input_json: dict[str, Any] = field(default_factory=dict)
    input_files: dict[str, Path] = field(default_factory=dict)
    expected_json: Any = None
    #: False when the example checks files only (no expected JSON at all)
    has_expected_json: bool = True
    expected_files: dict[str, Path] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    mark: str | None = None
    #: the merged comparison rules, as evalkit.compare takes them
    compare: Any = None
    #: workflows only: a version id or "latest"
    version: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.suite, self.name)

    @property
    def label(self) -> str:
        return f"{self.suite}/{self.name}"


@dataclass(frozen=True)
class Selection:
    """``--only AGENT`` (repeatable), ``--example GLOB`` (repeatable), ``--tag TAG``
    (repeatable). Values of one option are alternatives; different options must all hold."""

    only: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def matches(self, job: ExampleJob) -> bool:
        if self.only and job.suite not in self.only:
            return False
        if self.examples and not any(
            fnmatch.fnmatchcase(job.name, pattern) or fnmatch.fnmatchcase(job.label, pattern)
            for pattern in self.examples
        ):
            return False
        return not self.tags or bool(set(self.tags) & set(job.tags))

    def as_dict(self) -> dict[str, list[str]]:
        return {
            key: list(values)
            for key, values in (("only", self.only), ("example", self.examples), ("tag", self.tags))
            if values
        }


def select(jobs: Iterable[ExampleJob], selection: Selection) -> list[ExampleJob]:
    """The jobs the selection keeps, in manifest order; an ``--only`` naming no agent or
    workflow of the manifest is a usage error (a typo must not select nothing silently)."""
    all_jobs = list(jobs)
    known = {job.suite for job in all_jobs}
    unknown = [name for name in selection.only if name not in known]
    if unknown:
        raise RunError(
            f"--only {', '.join(unknown)}: no such agent or workflow with examples in the "
            f"manifest (known: {', '.join(sorted(known)) or 'none'})"
        )
    duplicates = _duplicates(job.key for job in all_jobs)
    if duplicates:
        raise RunError(f"example names must be unique per agent: {', '.join(duplicates)}")
    return [job for job in all_jobs if selection.matches(job)]


def _duplicates(keys: Iterable[tuple[str, str, str]]) -> Sequence[str]:
    seen: set[tuple[str, str, str]] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen:
            repeated.append(f"{key[1]}/{key[2]}")
        seen.add(key)
    return repeated
