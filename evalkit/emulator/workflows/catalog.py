"""Load a folder of workflow files into workflows with versions (contract B11).

    invoice-summary.yaml        the current version of workflow "invoice-summary"
    invoice-summary@v1.yaml     an older version, labelled "v1"
    invoice-summary@v2.yml      another one, labelled "v2"

A file's ``name:`` key, when present, must agree with its file name. The current version is
labelled by its ``version:`` key (default ``current``); an ``@`` file's label is the part after
the ``@``. Versions are listed newest first: the current one, then the others by label,
highest first (``v10`` after ``v9``). Ids are derived from names and contents, so they stay the
same across restarts: ``wf_`` from the name, ``wfh_`` from the name, label and YAML text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from evalkit.emulator.workflows.definitions import (
    NAME_PATTERN,
    RESERVED_NAMES,
    WorkflowDefinitionError,
    WorkflowSpec,
    parse_workflow,
)

SUFFIXES = (".yaml", ".yml")
CURRENT_LABEL = "current"
_LABEL = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class VersionDef:
    id: str
    workflow_id: str
    label: str
    yaml_text: str
    spec: WorkflowSpec
    is_current: bool
    source: str


@dataclass(frozen=True)
class WorkflowDef:
    id: str
    name: str
    #: newest first; ``versions[0]`` is the current one
    versions: tuple[VersionDef, ...]

    @property
    def current(self) -> VersionDef:
        return self.versions[0]

    @property
    def kind(self) -> str:
        return self.current.spec.kind


def workflow_id(name: str) -> str:
    return "wf_" + hashlib.sha256(f"workflow\0{name}".encode()).hexdigest()[:24]


def version_id(name: str, label: str, yaml_text: str) -> str:
    digest = hashlib.sha256(f"version\0{name}\0{label}\0{yaml_text}".encode()).hexdigest()
    return "wfh_" + digest[:24]


def load_catalog(folder: Path | None) -> list[WorkflowDef]:
    """Every workflow defined in ``folder`` (none when it is None), sorted by name."""
    if folder is None:
        return []
    if not folder.is_dir():
        raise WorkflowDefinitionError(f"{folder}: the workflows folder does not exist")
    files: dict[str, list[tuple[str | None, Path]]] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file()):
        stem, _, label = path.stem.partition("@")
        files.setdefault(stem, []).append((label or None, path))
    return [_workflow(stem, entries) for stem, entries in sorted(files.items())]


def _workflow(stem: str, entries: list[tuple[str | None, Path]]) -> WorkflowDef:
    if not re.fullmatch(NAME_PATTERN, stem) or stem in RESERVED_NAMES:
        source = entries[0][1]
        raise WorkflowDefinitionError(
            f"{source}: {stem!r} is not a usable workflow name; name the file with lower-case "
            "letters, digits and dashes (not 'executions')"
        )
    wf_id = workflow_id(stem)
    versions: list[VersionDef] = []
    for label, path in entries:
        text = path.read_text(encoding="utf-8")
        spec = parse_workflow(text, str(path))
        if spec.name is not None and spec.name != stem:
            raise WorkflowDefinitionError(
                f"{path}: name {spec.name!r} does not match the file name {stem!r}; "
                "rename one of them"
            )
        chosen = label or spec.version or CURRENT_LABEL
        if label and spec.version and spec.version != label:
            raise WorkflowDefinitionError(
                f"{path}: version {spec.version!r} does not match the file name's @{label}"
            )
        if not _LABEL.fullmatch(chosen):
            raise WorkflowDefinitionError(f"{path}: {chosen!r} is not a usable version label")
        versions.append(
            VersionDef(
                id=version_id(stem, chosen, text),
                workflow_id=wf_id,
                label=chosen,
                yaml_text=text,
                spec=spec,
                is_current=label is None,
                source=str(path),
            )
        )
    return WorkflowDef(id=wf_id, name=stem, versions=_newest_first(versions))


def _newest_first(versions: list[VersionDef]) -> tuple[VersionDef, ...]:
    labels = [v.label for v in versions]
    duplicate = next((label for label in labels if labels.count(label) > 1), None)
    if duplicate is not None:
        sources = ", ".join(v.source for v in versions if v.label == duplicate)
        raise WorkflowDefinitionError(f"version {duplicate!r} is defined twice: {sources}")
    current = [v for v in versions if v.is_current]
    older = sorted((v for v in versions if not v.is_current), key=_natural_key, reverse=True)
    if not current:
        # No file without "@": the highest label is the current version.
        older[0] = dataclasses.replace(older[0], is_current=True)
    return tuple(current + older)


def _natural_key(version: VersionDef) -> list[tuple[int, int | str]]:
    parts = re.split(r"(\d+)", version.label)
    return [(1, int(part)) if part.isdigit() else (0, part) for part in parts if part]
