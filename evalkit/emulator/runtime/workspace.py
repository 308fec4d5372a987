"""The agent files an execution runs on: its workspace minus ``examples/``.

Three shapes, one interface:

- ``FilesWorkspace``: files in memory (tests, custom runners, callers passing a dict);
- ``FolderWorkspace``: a folder the platform materialised once for an agent's commit and
  shares between executions (``store/workspace_cache.py``); it is only ever read and copied
  from, never handed to a program;
- ``LazyWorkspace``: opens one of those on first use, so a builtin runtime reads nothing.

Whatever the shape, ``examples/`` (the expected outputs an agent is judged against) is never
part of it.
"""

from __future__ import annotations

import os
import shutil
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path

#: Workspace files under this folder are the expected outputs; the agent must never see them.
HIDDEN_FOLDER = "examples"


class WorkspaceError(ValueError):
    """The agent's stored files cannot be laid out as a folder; the message says which files
    and what to do, never where the platform keeps them (it is a run's ``error``)."""


def is_hidden(path: str) -> bool:
    """Whether a workspace path is kept from the agent (``examples`` and all below it)."""
    return path.split("/", 1)[0] == HIDDEN_FOLDER


class Workspace(ABC):
    @abstractmethod
    def paths(self) -> list[str]:
        """Every visible file, as sorted relative POSIX paths."""

    @abstractmethod
    def get(self, path: str) -> bytes | None:
        """One file's bytes, None when absent (or hidden)."""

    @abstractmethod
    def copy_file(self, path: str, target: Path) -> None:
        """Write file ``path`` to ``target`` (whose folder exists) as a new, writable file."""

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in self.paths()


class FilesWorkspace(Workspace):
    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = {path: data for path, data in files.items() if not is_hidden(path)}

    def paths(self) -> list[str]:
        return sorted(self._files)

    def get(self, path: str) -> bytes | None:
        return self._files.get(path)

    def copy_file(self, path: str, target: Path) -> None:
        target.write_bytes(self._files[path])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilesWorkspace) and other._files == self._files

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._files)))

    def __repr__(self) -> str:
        return f"FilesWorkspace({self.paths()!r})"


class FolderWorkspace(Workspace):
    """A materialised, read-only folder (``paths`` lists its regular files, no symlinks)."""

    def __init__(self, folder: Path, commit: str | None = None) -> None:
        self.folder = folder
        self.commit = commit
        self._paths: list[str] | None = None

    def paths(self) -> list[str]:
        if self._paths is None:
            found = []
            for root, _dirs, names in os.walk(self.folder):
                base = Path(root).relative_to(self.folder)
                for name in names:
                    if (Path(root) / name).is_file() and not (Path(root) / name).is_symlink():
                        found.append((base / name).as_posix())
            self._paths = sorted(path for path in found if not is_hidden(path))
        return self._paths

    def get(self, path: str) -> bytes | None:
        if path not in self.paths():
            return None
        return self.folder.joinpath(*path.split("/")).read_bytes()

    def copy_file(self, path: str, target: Path) -> None:
        if path not in self.paths():
            raise KeyError(path)
        # A copy, never a hard link: the program may change its file; the cache must not change.
        shutil.copyfile(self.folder.joinpath(*path.split("/")), target)

    def __repr__(self) -> str:
        return f"FolderWorkspace({str(self.folder)!r})"


class LazyWorkspace(Workspace):
    """Opens its workspace on first use and hands it back with ``close`` (after which it
    cannot be used: the run is over)."""

    def __init__(
        self, open_: Callable[[], Workspace], close: Callable[[Workspace], None] | None = None
    ) -> None:
        self._open = open_
        self._close = close
        self._lock = threading.Lock()
        self._opened: Workspace | None = None
        self._closed = False

    @property
    def opened(self) -> bool:
        return self._opened is not None

    def paths(self) -> list[str]:
        return self._workspace().paths()

    def get(self, path: str) -> bytes | None:
        return self._workspace().get(path)

    def copy_file(self, path: str, target: Path) -> None:
        self._workspace().copy_file(path, target)

    def close(self) -> None:
        with self._lock:
            opened, self._opened, self._closed = self._opened, None, True
        if opened is not None and self._close is not None:
            self._close(opened)

    def _workspace(self) -> Workspace:
        with self._lock:
            if self._closed:
                raise RuntimeError("the run's workspace was read after the run ended")
            if self._opened is None:
                self._opened = self._open()
            return self._opened


def as_workspace(files: Workspace | Mapping[str, bytes]) -> Workspace:
    return files if isinstance(files, Workspace) else FilesWorkspace(files)
