"""``pull``: bring live agents under git (their manifest entry, workspace files and examples).

Each agent lands in ``<project>/agents/<slug>/``, with its examples in ``examples/`` inside it
(the platform's own layout), or in the folders its manifest entry already names: an example in
the folder that holds it, a new one in the first. So the manifest's workspace and examples
folders map back to the same platform paths, and a plan right after a pull shows no changes.
Server-managed fields (ids, timestamps, stats, ``latestCommit``, evalkit's own record) are left
out. Paths from the platform never escape the agent's folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from evalkit.api import AgentSummary
from evalkit.api.paths import unsafe_path_reason
from evalkit.errors import ManifestError, ManifestProblem, PlanError
from evalkit.manifest.spec import AgentSpec
from evalkit.sync.calls import SyncCalls
from evalkit.sync.live import Pool, download, get_agent
from evalkit.sync.manifest_edit import (
    ManifestEntry,
    holds_no_document,
    upsert_entries,
)
from evalkit.sync.paths import EXAMPLES_DIR, example_name, local_target
from evalkit.sync.record import split_config

#: the longest one git command may take before the files count as not in git
_GIT_SECONDS = 30


@dataclass(frozen=True)
class PulledAgent:
    slug: str
    folder: Path
    #: files written because they were new or different
    written: tuple[str, ...] = ()
    unchanged: int = 0
    #: live paths not written: (path, why)
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PullResult:
    manifest: Path
    created_manifest: bool
    agents: tuple[PulledAgent, ...] = ()
    #: the manifest's problems as pulled (e.g. a broken expected.json from the platform): the
    #: files are written, but the manifest does not load until they are fixed
    problems: tuple[ManifestProblem, ...] = field(default_factory=tuple)


def pull(
    client: SyncCalls,
    slugs: Sequence[str],
    *,
    manifest_path: Path,
    concurrency: int = 8,
    declared: Mapping[str, AgentSpec] | None = None,
    force: bool = False,
) -> PullResult:
    """Write ``slugs`` (live agents) into the manifest at ``manifest_path`` and beside it.
    ``declared``: what :func:`check_pullable` returned (the CLI checks before it connects).
    ``force``: overwrite local files whose content git could not give back (see
    :func:`refuse_lost_edits`); without it their pull is refused, nothing written."""
    if declared is None:
        declared = check_pullable(manifest_path, slugs)
    pool = Pool(max(1, concurrency))
    project = manifest_path.parent.resolve()
    summaries = pool.map(lambda slug: _existing(client, slug), list(dict.fromkeys(slugs)))
    entries, downloads = [], []
    for summary in summaries:
        folders = _folders(project, summary.slug, declared.get(summary.slug))
        listed = summary.files or []
        safe = [p for p in listed if unsafe_path_reason(p) is None]
        skipped = [(p, f"unsafe path: {unsafe_path_reason(p)}") for p in listed if p not in safe]
        contents = pool.map(partial(download, client, summary.slug), safe)
        files = dict(zip(safe, contents, strict=True))
        targets, in_examples = _targets(summary.slug, folders, files)
        downloads.append(_Download(summary.slug, folders, targets, (*skipped, *in_examples)))
        entries.append(_entry(summary, folders, project, has_examples=_has_examples(safe)))
    if not force:  # every agent's files checked before any is written
        refuse_lost_edits(project, [t for d in downloads for t in d.overwrites()])
    pulled = [_write_files(download) for download in downloads]
    created = upsert_entries(manifest_path, entries)
    problems = _problems_after(manifest_path)
    return PullResult(manifest_path, created, tuple(pulled), problems)


def check_pullable(manifest_path: Path, slugs: Sequence[str]) -> dict[str, AgentSpec]:
    """The entries of ``slugs`` the manifest has, by slug, as loaded (where their files go).
    Before any request or write: the manifest must load (``ManifestError``, its problems as
    'evalkit validate' reports them) and each agent's entry must be one pull can update
    (``PlanError``). Pull edits only ``manifest_path`` and writes examples as folders: an agent
    declared in an included file would get a second entry, and inline examples would come back
    as folders of the same names; both break the manifest."""
    from evalkit.manifest.loader import load_manifest

    if not slugs:
        raise PlanError("name at least one agent to pull, e.g. 'evalkit pull invoice-extractor'")
    if not manifest_path.is_file():
        return {}  # pull writes a new manifest
    try:
        # The pulled agents' workspace folders may not exist yet (pull writes them); an
        # examples folder may be missing or empty, as for 'evalkit plan'.
        manifest = load_manifest(manifest_path, awaiting_examples=True, awaiting_workspaces=slugs)
    except ManifestError:
        if holds_no_document(manifest_path):
            return {}  # a blank manifest: pull fills it
        raise
    here = manifest_path.resolve()
    pulled = {agent.slug: agent for agent in manifest.agents if agent.slug in slugs}
    for agent in pulled.values():
        declared_in = Path(agent.mark.file)
        if declared_in.resolve() != here:
            raise PlanError(
                f"agent {agent.slug!r} is declared in {declared_in}, which {manifest_path.name} "
                f"includes; pull writes only the manifest it is given: "
                f"evalkit pull -m {declared_in} {agent.slug}"
            )
        inline = [example for example in agent.examples if example.folder is None]
        if inline:
            raise PlanError(
                f"{inline[0].mark}: agent {agent.slug!r} has inline examples in the manifest "
                f"({', '.join(example.name for example in inline)}); pull writes examples as "
                f"folders, which the manifest would then hold twice. Nothing was written. "
                f"Pull it into another folder (--dir) and copy over what changed, or move the "
                f"inline examples into an examples folder (<name>/input.json, expected.json) "
                f"and declare it (examples: <folder>/)"
            )
    return pulled


@dataclass(frozen=True)
class Folders:
    workspace: Path
    #: the examples folders the entry names, in its order (none: pull declares its own)
    named: tuple[Path, ...] = ()
    #: the examples folder of each example the entry has already
    holding: Mapping[str, Path] = field(default_factory=dict)

    @property
    def first(self) -> Path:
        """Where a new example goes: the first examples folder, as for promote and harvest."""
        return self.named[0] if self.named else self.workspace / EXAMPLES_DIR

    def examples_of(self, name: str | None) -> Path:
        """The examples folder example ``name`` is written into (``None``: a file beside the
        examples, e.g. ``examples/README.md``)."""
        return self.holding.get(name, self.first) if name else self.first


def _folders(project: Path, slug: str, agent: AgentSpec | None) -> Folders:
    """Where the agent's files go: the folders its entry names, else ``agents/<slug>/``."""
    default = Folders(project / "agents" / slug)
    if agent is None:
        return default
    workspace = agent.workspace.path if agent.workspace else default.workspace
    return Folders(
        _inside(project, workspace, slug),
        tuple(_inside(project, folder, slug) for folder in agent.example_folders),
        {e.name: e.folder.parent for e in agent.examples if e.folder is not None},
    )


def _inside(project: Path, folder: Path, slug: str) -> Path:
    """``folder`` (resolved, from the loaded manifest) when it is inside the project: the
    manifest may name folders of its git checkout above it, pull writes only below it."""
    if not folder.is_relative_to(project):
        raise PlanError(
            f"agent {slug!r}: its manifest folder {_relative(folder, project)!r} is outside "
            f"the project {project}"
        )
    return folder


def _existing(client: SyncCalls, slug: str) -> AgentSummary:
    summary = get_agent(client, slug)
    if summary is None:
        raise PlanError(f"no agent {slug!r} on the platform (check the slug with the dashboard)")
    return summary


def _has_examples(paths: Sequence[str]) -> bool:
    return any(p.startswith(EXAMPLES_DIR + "/") for p in paths)


@dataclass(frozen=True)
class _Download:
    """One agent's files as downloaded: platform path -> (local file, its live bytes)."""

    slug: str
    folders: Folders
    targets: dict[str, tuple[Path, bytes]]
    #: live paths not written: (path, why)
    skipped: tuple[tuple[str, str], ...]

    def overwrites(self) -> list[Path]:
        """The local files the pull would change: they exist, with other bytes."""
        return [
            target
            for target, data in self.targets.values()
            if target.is_file() and target.read_bytes() != data
        ]


def _targets(
    slug: str, folders: Folders, files: dict[str, bytes]
) -> tuple[dict[str, tuple[Path, bytes]], list[tuple[str, str]]]:
    """Each live file's local file and bytes, and the workspace files left out: those that
    would land in an examples folder (sync never uploads them: they are examples there)."""
    prefix, where = EXAMPLES_DIR + "/", f"agent {slug!r}"
    targets, skipped = {}, []
    for path, data in sorted(files.items()):
        if path.startswith(prefix):
            root = folders.examples_of(example_name(path))
            targets[path] = (local_target(root, path[len(prefix) :], where=where), data)
            continue
        target = local_target(folders.workspace, path, where=where)
        taken = [folder for folder in folders.named if target.is_relative_to(folder)]
        if taken:
            why = f"it would land in the examples folder {taken[0]}, which holds examples only"
            skipped.append((path, why))
        else:
            targets[path] = (target, data)
    return targets, skipped


def refuse_lost_edits(project: Path, overwrites: Sequence[Path]) -> None:
    """``PlanError`` when a pull would overwrite local files whose content git could not give
    back: changed since the last commit, untracked or ignored, or any of them outside a git
    checkout. A pull after a change in the dashboard overwrites committed files, and
    'git diff' then shows what came from the platform; an edit not yet committed would be lost."""
    if not overwrites:
        return
    lost = _not_in_git(project, overwrites)
    if not lost:
        return
    shown = ", ".join(os.path.relpath(path, project) for path in lost[:5])
    more = f" and {len(lost) - 5} more" if len(lost) > 5 else ""
    raise PlanError(
        f"pull would overwrite {len(lost)} local file(s) that differ from the platform and that "
        f"git could not give back (changed since the last commit, or not committed): "
        f"{shown}{more}. Nothing was written: commit or stash them first, or pass --force to "
        "overwrite them"
    )


def _not_in_git(project: Path, paths: Sequence[Path]) -> list[Path]:
    """Of ``paths``, those whose content git does not hold as it is: changed, untracked or
    ignored; every one of them when ``project`` is not in a git checkout (or git is missing)."""
    git = shutil.which("git")
    if git is None:
        return list(paths)
    try:
        top = subprocess.run(
            [git, "-C", str(project), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=_GIT_SECONDS,
        )
        if top.returncode != 0:
            return list(paths)
        options = ["--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching"]
        status = subprocess.run(
            [git, "-C", str(project), "status", *options, "--", *map(str, paths)],
            capture_output=True,
            timeout=_GIT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired):
        return list(paths)
    if status.returncode != 0:
        return list(paths)
    root = Path(top.stdout.strip()).resolve()
    # each entry: two status letters, a space, the path from the checkout's root
    listed = {
        (root / entry[3:].decode("utf-8", "surrogateescape")).resolve()
        for entry in status.stdout.split(b"\0")
        if len(entry) > 3
    }
    return [path for path in paths if path.resolve() in listed]


def _write_files(download: _Download) -> PulledAgent:
    written, unchanged = [], 0
    for path, (target, data) in download.targets.items():
        if target.is_file() and target.read_bytes() == data:
            unchanged += 1
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as err:
            raise PlanError(f"cannot write {target}: {err.strerror or err}") from err
        written.append(path)
    return PulledAgent(
        download.slug, download.folders.workspace, tuple(written), unchanged, download.skipped
    )


def _entry(
    summary: AgentSummary, folders: Folders, project: Path, *, has_examples: bool
) -> ManifestEntry:
    config, _ = split_config(summary.config)
    return ManifestEntry(
        slug=summary.slug,
        name=summary.name,
        description=summary.description or None,
        config=config,
        workspace=_relative(folders.workspace, project),
        # declared only when the entry names no examples folder: pull writes into its own
        examples=_relative(folders.first, project) if has_examples and not folders.named else None,
    )


def _relative(folder: Path, project: Path) -> str:
    return Path(os.path.relpath(folder, project)).as_posix() + "/"


def _problems_after(path: Path) -> tuple[ManifestProblem, ...]:
    """The manifest's problems as pulled, loaded as 'evalkit plan' loads it (an examples folder
    may be empty): the user must know before the next plan fails."""
    from evalkit.manifest.loader import load_manifest

    try:
        load_manifest(path, awaiting_examples=True)
    except ManifestError as err:
        return tuple(err.problems)
    return ()
