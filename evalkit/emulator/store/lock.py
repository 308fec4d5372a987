"""One platform per state folder: a second one would fail the first one's running executions.

An exclusive ``flock`` on ``platform.lock``, held while the platform is open and released by
the operating system if the process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from evalkit.errors import ConfigError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, one platform per folder by habit
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "platform.lock"


class FolderInUseError(ConfigError):
    """Another local platform has this state folder open."""


class FolderLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.read(self._fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(self._fd)
            self._fd = None
            raise FolderInUseError(
                f"the platform folder {folder} is in use by another local platform"
                f" (process {holder}); stop it, point --base-url at it, or use another folder"
            ) from err
        os.ftruncate(self._fd, 0)
        os.write(self._fd, str(os.getpid()).encode("ascii"))

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
