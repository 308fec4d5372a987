"""The local platform's process launched with the least imported first: ``PlatformLaunch``.

``evalkit run`` launches the platform's process before its own imports
(``evalkit.cli.early_launch``), and the child's imports end about when the run sends its
configuration: each millisecond the parent spends before the spawn delays the run's first start.
This module imports only what the spawn needs (``subprocess``, and what ``evalkit`` loads
anyway); the rest of the parent's side (``evalkit.emulator.child``: json, logging, the drain of
the child's standard error, the configuration's crossing) is imported once the child is on its
way. ``evalkit.emulator.child`` names ``PlatformLaunch`` too, and describes how parent and child
talk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import evalkit
from evalkit.malloc_arenas import with_arena_cap

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from evalkit.emulator.child import ChildPlatform
    from evalkit.emulator.config import PlatformConfig

#: the collector paused at once: ``main`` resumes it once the platform is imported
#: (``evalkit.collector.resume_frozen``; it cannot be imported before the pause)
_BOOTSTRAP = (
    "import gc; gc.disable(); import sys; sys.path[0] = sys.argv[1]; "
    "from evalkit.emulator.child import main; main()"
)


def spawn_platform_process() -> subprocess.Popen[bytes]:
    """The platform's process, started: it imports the platform, then waits for its
    configuration on its stdin (``evalkit.emulator.child.main``)."""
    package_home = str(Path(evalkit.__file__).resolve().parent.parent)
    return subprocess.Popen(
        [sys.executable, "-c", _BOOTSTRAP, package_home],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        start_new_session=True,
        env=with_arena_cap(os.environ),
    )


class PlatformLaunch:
    """A child platform's process started ahead of its configuration: its interpreter starts
    and imports the web stack (about half a second) while the caller reads what the
    configuration depends on (a run's manifest). ``start(config)`` serves it; a launch never
    started is stopped when its ``with`` block ends (the child exits at end of file)."""

    def __init__(self) -> None:
        process = spawn_platform_process()
        try:  # the rest of the parent's side, imported while the child starts
            from evalkit.emulator.child import ChildPlatform
        except BaseException:
            process.kill()
            process.wait()
            raise
        self._child = ChildPlatform.of_launched(process)
        self._started = False

    @property
    def pid(self) -> int:
        return self._child.pid

    def start(
        self, config: PlatformConfig, meanwhile: Callable[[], None] | None = None
    ) -> ChildPlatform:
        """Hand the child ``config`` and wait until it serves (once per launch); the returned
        platform is stopped by its own ``with`` block. ``meanwhile`` runs once the child has
        its configuration, while it opens its state and starts serving (a tenth of a second
        or two): the caller's work that needs no platform."""
        if self._started:
            raise RuntimeError("a platform launch starts one platform")
        self._started = True
        self._child.configure(config, meanwhile)
        return self._child

    def __enter__(self) -> PlatformLaunch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the process: unused (it ends at end of file, before it opened any state), or
        asked to stop (``request_stop``) and now waited for. A second stop does nothing."""
        self._child.stop()

    def __repr__(self) -> str:
        return f"PlatformLaunch(pid={self.pid}, started={self._started})"
