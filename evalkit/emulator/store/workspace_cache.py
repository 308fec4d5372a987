"""Each agent commit's visible workspace, materialised once and shared by its executions.

An execution runs on its agent's workspace as of the commit the agent has when the execution
starts (contract B1: every file write makes a new commit). Reading every file from the blob
store for every execution made a run of N synced examples cost O(N^2) (the examples live in
the workspace), so the files outside ``examples/`` are written once per commit to

    <data>/workspaces/<agent id>/<commit>/...     read-only files (0444)

and each program run gets a fresh copy of them in its scratch folder (``runtime/scratch.py``).
Nothing ever runs in, links to or writes into a commit folder once it is in place: a program
can change its copy, never the folder the next execution copies from.

A commit folder is built under a temporary name and renamed into place, so a reader never
sees half of one and two threads building the same commit both end with one whole folder.
The folders of an agent's older commits are removed when a newer one is built, unless an
execution still uses them; all are rebuilt on demand (the blobs are the truth), so removing
the whole folder is always safe while the platform is stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from pathlib import Path

from evalkit.emulator.runtime.paths import resolve_inside
from evalkit.emulator.runtime.workspace import (
    FilesWorkspace,
    FolderWorkspace,
    Workspace,
    WorkspaceError,
)
from evalkit.emulator.store.agents import AgentStore
from evalkit.emulator.store.paths import folder_taken

FOLDER_NAME = "workspaces"
#: agent ids and commits are the platform's own (``ids.py``); anything else is not a folder name
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_BUILDING = ".building-"
_REMOVING = ".removing-"
_EMPTY = FilesWorkspace({})


class WorkspaceCache:
    def __init__(self, root: Path, agents: AgentStore) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._agents = agents
        self._lock = threading.Lock()
        #: commit folders in use by running executions (never removed while counted)
        self._in_use: Counter[Path] = Counter()
        self._remove_leftovers()

    def acquire(self, agent_id: str, commit: str | None) -> Workspace:
        """The agent's workspace as of ``commit`` (its latest when read); ``release`` it after.

        ``commit`` is the one the execution saw when it started. If the agent has moved on
        since and that commit's folder is gone, the execution gets the newer commit (the
        store keeps only the latest files), as if it had started a moment later.
        """
        if commit is not None:
            folder = self._folder(agent_id, commit)
            with self._lock:
                if folder.is_dir():
                    self._in_use[folder] += 1
                    return FolderWorkspace(folder, commit)
        snapshot = self._agents.visible_snapshot(agent_id)
        if snapshot.commit is None:
            return _EMPTY
        folder = self._folder(agent_id, snapshot.commit)
        while True:
            built = None if folder.is_dir() else self._build(folder, snapshot.files)
            with self._lock:
                if built is not None:
                    try:
                        os.rename(built, folder)
                    except OSError:  # another thread put the same commit in place first
                        shutil.rmtree(built, ignore_errors=True)
                if not folder.is_dir():  # removed as stale since we looked: build it again
                    continue
                self._in_use[folder] += 1
                stale = self._take_stale(folder) if built is not None else []
            break
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return FolderWorkspace(folder, snapshot.commit)

    def release(self, workspace: Workspace) -> None:
        if not isinstance(workspace, FolderWorkspace):
            return
        with self._lock:
            self._in_use[workspace.folder] -= 1
            if self._in_use[workspace.folder] <= 0:
                del self._in_use[workspace.folder]

    def wipe(self) -> None:
        """Remove every commit folder (the platform's reset); they are rebuilt on demand."""
        with self._lock:
            moved = [self._move_aside(child) for child in self._children(self.root)]
            self._in_use.clear()
        for path in moved:
            shutil.rmtree(path, ignore_errors=True)

    # -- internals ---------------------------------------------------------------------------

    def _folder(self, agent_id: str, commit: str) -> Path:
        for name in (agent_id, commit):
            if not _SAFE_NAME.match(name):
                raise ValueError(f"not a workspace cache name: {name!r}")
        return self.root / agent_id / commit

    def _build(self, folder: Path, files: tuple[tuple[str, str], ...]) -> Path:
        """Write the files under a temporary name next to ``folder``; return that name."""
        _check_layout(files)
        folder.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=_BUILDING, dir=folder.parent))
        try:
            for path, digest in files:
                target = resolve_inside(building, path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self._agents.read_blob(digest))
                target.chmod(0o444)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return building

    def _take_stale(self, current: Path) -> list[Path]:
        """Move the agent's other, unused commit folders aside (call with the lock held)."""
        return [
            self._move_aside(child)
            for child in self._children(current.parent)
            if child != current and not child.name.startswith(".") and not self._in_use[child]
        ]

    def _move_aside(self, folder: Path) -> Path:
        aside = folder.with_name(f"{_REMOVING}{folder.name}-{os.getpid()}-{threading.get_ident()}")
        os.rename(folder, aside)
        return aside

    def _remove_leftovers(self) -> None:
        """Half-built or half-removed folders of a platform that stopped mid-way."""
        for agent_folder in self._children(self.root):
            if agent_folder.name.startswith(_REMOVING):
                shutil.rmtree(agent_folder, ignore_errors=True)
                continue
            for child in self._children(agent_folder):
                if child.name.startswith((_BUILDING, _REMOVING)):
                    shutil.rmtree(child, ignore_errors=True)

    @staticmethod
    def _children(folder: Path) -> list[Path]:
        try:
            return sorted(child for child in folder.iterdir() if child.is_dir())
        except FileNotFoundError:
            return []


def _check_layout(files: tuple[tuple[str, str], ...]) -> None:
    """Refuse files of which one is another's folder (``lib`` and ``lib/util.py``): stored
    before the API refused them, they cannot both be written, and the error of the write
    would name the data folder."""
    paths = {path for path, _ in files}
    for path in sorted(paths):
        clash = folder_taken(path, paths)
        if clash is not None:
            raise WorkspaceError(
                f"the agent's workspace holds both the file {clash!r} and the file {path!r},"
                f" which needs {clash!r} to be a folder, so it cannot be laid out for a run;"
                " upload the agent's files again to a new agent without one of them"
                " (the API cannot delete a file)"
            )
