"""What the runner runs: one ``ExampleJob`` per selected example, and how they are selected.

A job is detached from the manifest's own classes so that the runner depends only on what it
uses; ``evalkit.runner.from_manifest`` builds jobs from a loaded manifest.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from evalkit.errors import ConfigError, RunError
from evalkit.manifest.spec import JsonTexts, compact_json
from evalkit.runner.repeats import RepeatPolicy
from evalkit.runner.shards import Shard, parse_shard


@dataclass(frozen=True, init=False, slots=True)
class ExampleJob(JsonTexts):
    """One example to run. Slotted: every job of the manifest is built before a run."""

    kind: Literal["agent", "workflow"]
    #: the name the platform is called with: the agent's slug (an environment copy's under
    #: --env) or the workflow's name
    platform_name: str
    #: the name used in results and selection: the manifest's agent slug or workflow name
    suite: str
    name: str
    #: ``input_json`` as compact JSON text (``JsonTexts``): every job of a 20,000-example
    #: manifest is built before a run
    input_text: bytes
    input_files: dict[str, Path]
    #: ``expected_json`` as compact JSON text (``None``: no expected JSON)
    expected_text: bytes | None
    #: False when the example checks files only (no expected JSON at all)
    has_expected_json: bool
    expected_files: dict[str, Path]
    tags: tuple[str, ...]
    mark: str | None
    #: the merged comparison rules, as evalkit.compare takes them
    compare: Any
    #: workflows only: "latest", a version label (as in the manifest) or a version id
    version: str | None
    #: the manifest's ``repeat`` for this example (None: run once)
    repeat: RepeatPolicy | None
    #: the example's notes for reviewers (its ``notes:`` or README.md), carried into its result
    notes: str | None

    def __init__(
        self,
        kind: Literal["agent", "workflow"],
        platform_name: str,
        suite: str,
        name: str,
        input_json: dict[str, Any] | None = None,
        input_files: dict[str, Path] | None = None,
        expected_json: Any = None,
        has_expected_json: bool = True,
        expected_files: dict[str, Path] | None = None,
        tags: tuple[str, ...] = (),
        mark: str | None = None,
        compare: Any = None,
        version: str | None = None,
        repeat: RepeatPolicy | None = None,
        notes: str | None = None,
        *,
        input_text: bytes | None = None,
        expected_text: bytes | None = None,
    ) -> None:
        """As a dataclass's, the JSON given as values (``input_json``, ``expected_json``: they
        win) or as their compact text (``input_text``, ``expected_text``)."""
        if input_json is not None or input_text is None:
            input_text = compact_json(input_json if input_json is not None else {})
        if expected_json is not None:
            expected_text = compact_json(expected_json)
        self._fill(
            {
                "kind": kind,
                "platform_name": platform_name,
                "suite": suite,
                "name": name,
                "input_text": input_text,
                "input_files": {} if input_files is None else input_files,
                "expected_text": expected_text,
                "has_expected_json": has_expected_json,
                "expected_files": {} if expected_files is None else expected_files,
                "tags": tags,
                "mark": mark,
                "compare": compare,
                "version": version,
                "repeat": repeat,
                "notes": notes,
            }
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.suite, self.name)

    @property
    def quarantined(self) -> bool:
        """Tagged ``quarantine``: known bad; it runs and is reported but never fails a gate."""
        return QUARANTINE_TAG in self.tags

    @property
    def label(self) -> str:
        return f"{self.suite}/{self.name}"


QUARANTINE_TAG = "quarantine"
#: examples tagged so run under ``--changed-since`` whatever changed (runner.changed)
ALWAYS_TAG = "always"


@dataclass(frozen=True)
class Selection:
    """``--only AGENT`` (repeatable), ``--example GLOB`` (repeatable), ``--tag TAG``
    (repeatable), ``--shard K/N``. Values of one option are alternatives; different options
    must all hold. ``--only`` takes a workflow's name for all its suites, or ``name@version``."""

    only: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    shard: Shard | None = None

    def __post_init__(self) -> None:
        # From Python, as the command line's options are: a lone string would be read letter
        # by letter ("files" as f, i, l, e, s), a shard written "1/2" failed inside the run.
        for name in ("only", "examples", "tags"):
            values = getattr(self, name)
            if (
                isinstance(values, str)
                or not isinstance(values, Iterable)
                or not all(isinstance(v, str) for v in values)
            ):
                raise ConfigError(
                    f"Selection.{name} is {values!r}: give a tuple of names, e.g. ('a',)"
                )
            object.__setattr__(self, name, tuple(values))  # frozen: set once, here
        if isinstance(self.shard, str):
            object.__setattr__(self, "shard", parse_shard(self.shard))
        elif self.shard is not None and not isinstance(self.shard, Shard):
            raise ConfigError(f"Selection.shard is {self.shard!r}: give 'K/N' or a Shard")

    def matches(self, job: ExampleJob) -> bool:
        if self.only and not set(_names(job)) & set(self.only):
            return False
        if self.shard is not None and not self.shard.holds(job.label):
            return False
        if self.examples and not any(
            fnmatch.fnmatchcase(job.name, pattern) or fnmatch.fnmatchcase(job.label, pattern)
            for pattern in self.examples
        ):
            return False
        return not self.tags or bool(set(self.tags) & set(job.tags))

    def as_dict(self) -> dict[str, list[str]]:
        chosen = {
            key: list(values)
            for key, values in (("only", self.only), ("example", self.examples), ("tag", self.tags))
            if values
        }
        if self.shard is not None:
            chosen["shard"] = [str(self.shard)]
        return chosen


def _names(job: ExampleJob) -> tuple[str, ...]:
    """What ``--only`` may call a job by: its suite, and for workflows the workflow's name."""
    return (job.suite, job.platform_name) if job.kind == "workflow" else (job.suite,)


def select(jobs: Iterable[ExampleJob], selection: Selection) -> list[ExampleJob]:
    """The jobs the selection keeps, in manifest order; an ``--only`` naming no agent or
    workflow of the manifest is a usage error (a typo must not select nothing silently)."""
    all_jobs = list(jobs)
    known = {name for job in all_jobs for name in _names(job)}
    unknown = [name for name in selection.only if name not in known]
    if unknown:
        raise RunError(
            f"--only {', '.join(unknown)}: no such agent or workflow with examples in the "
            f"manifest (known: {', '.join(sorted(known)) or 'none'})"
        )
    duplicates = _duplicates(job.key for job in all_jobs)
    if duplicates:
        raise RunError(
            f"example names must be unique per agent or workflow suite: {', '.join(duplicates)}"
        )
    return [job for job in all_jobs if selection.matches(job)]


def _duplicates(keys: Iterable[tuple[str, str, str]]) -> Sequence[str]:
    seen: set[tuple[str, str, str]] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen:
            repeated.append(f"{key[1]}/{key[2]}")
        seen.add(key)
    return repeated
