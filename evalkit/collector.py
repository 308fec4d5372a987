"""Python's garbage collector, held off where evalkit makes many objects and almost no cycles.

Every such place is declared here, one policy each:

- **A process's imports** (``StartupPause``; the local platform's process, turned off by its
  bootstrap, ``resume_frozen``). Imports allocate a few hundred thousand objects that live as
  long as the process (modules, classes, functions, pydantic's validators): each collection on
  the way found nothing to free and walked more of them (a run of 500 examples before its first
  start: 171 young, 16 middle and one full collection, ~48 ms of CPU; 67 and 6, ~9 ms, paused;
  the platform's process ~40 ms before it can serve). Once they are done, what they built is
  frozen (``gc.freeze``), left out of every later collection too, and the collector is turned
  back on: what the process allocates from then on is collected as usual.
- **Imports while other work goes on** (``imports_frozen``: a run's warm-up, in a worker
  thread while its first executions are away): held off, and, in evalkit's own process
  (``claim_process``), frozen before the collector is back on. Left unfrozen, a full
  collection in the middle of the run walked them all (12-35 ms, between two answers).
- **A block that allocates much and frees by reference count** (``collection_paused``: a run's
  reports). Reading a run's results and rendering its reports allocates hundreds of thousands
  of objects (a 500-example run: the results, their documents, the rows, the page's data) and
  makes almost no reference cycles: each object is freed by its reference count once its report
  is written. The collector counted them all the same, and collected about 45 times during the
  reports of a 500-example run (5 ms); in one run of two, one was a full collection of
  everything the run still held (35-45 ms, a third of the time from the last example to the
  exit). Held off, the objects are freed as they go and the collector's count of them falls
  back with them: no collection over the whole heap is owed afterwards for them.
- **The end of the command's process** (``leave_to_process_end``): its objects are left to the
  process's end rather than collected again on the way out (that last collection took a run of
  500 examples a fifth of a second).

A caller that turned the collector off itself keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block (turned back on after it, unless it
    was off before)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


#: whether this process is evalkit's own command (``claim_process``): only then is freezing
#: its objects evalkit's call
_own_process = False


def claim_process() -> None:
    """This process runs evalkit's own command (the console script), not a caller's program:
    ``imports_frozen`` may freeze what exists in it."""
    global _own_process
    _own_process = True


@contextmanager
def imports_frozen() -> Iterator[None]:
    """A block that imports (or builds what lives as long as the process, as validators): no
    automatic collection inside it, and, in evalkit's own process, what exists after it frozen,
    so that no later collection walks it again (a full one mid-run walked a run's warm-up
    imports: 12-23 ms). In a caller's process nothing is frozen: a freeze takes every object of
    the process, the caller's too, and those of a next run whose manifest is loading while a
    short run's warm-up thread ends (frozen, never freed: seen as ten examples of a manifest
    held by nothing the collector could see)."""
    with collection_paused():
        yield
        if _own_process:  # before the collector is back on: else its next young collection
            gc.freeze()  # walks it


def resume_frozen() -> None:
    """Freeze what exists and turn the collector back on: for a process whose collector was
    turned off for its imports, once they are done."""
    gc.freeze()
    gc.enable()


def leave_to_process_end() -> None:
    """What exists now is never collected again: the process is about to end."""
    gc.freeze()


class StartupPause:
    """The collector off while a process imports what it needs (``pause``), then back on with
    what the imports built frozen (``resume``). Only if ``pause`` turned it off: a collector the
    caller turned off stays off."""

    def __init__(self) -> None:
        self._paused = False

    def pause(self) -> None:
        if gc.isenabled():
            gc.disable()
            self._paused = True

    def resume(self) -> None:
        """Once the imports are done; nothing if ``pause`` did not pause it."""
        if self._paused:
            self._paused = False
            resume_frozen()
