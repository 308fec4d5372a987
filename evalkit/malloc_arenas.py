"""glibc's malloc arenas capped at ``ARENAS`` in evalkit's processes.

glibc gives each thread that allocates an arena of its own (up to eight per core), and every
arena keeps the memory freed in it: the run's threads (the sync's workers, comparisons) and the
local platform's web worker threads each held some. Two arenas took about 10 MB off each process
at 20,000 examples (a first run and its platform together: 275 -> 248 MB), for no CPU time
measured. The ``evalkit`` command caps its own arenas
(``cap_arenas``, before it starts a thread); the local platform's process gets the cap in its
environment (``with_arena_cap``), read by glibc as it starts. A ``MALLOC_ARENA_MAX`` the user set
wins; elsewhere than glibc nothing happens.

``give_back_memory`` hands the heap pages a large job freed back to the system (glibc's
``malloc_trim``): after a run's sync, the examples' own allocations otherwise came on top.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Mapping

#: the variable glibc reads at a process's start
ARENA_MAX_VARIABLE = "MALLOC_ARENA_MAX"
#: arenas an evalkit process may have: the main thread's, and one all others share
ARENAS = 2
#: ``mallopt``'s parameter for the arena cap (glibc's malloc.h)
_M_ARENA_MAX = -8


def cap_arenas() -> bool:
    """Cap this process's arenas (glibc's ``mallopt``); threads started from now on share
    them. True when capped; False when the user set ``MALLOC_ARENA_MAX`` (glibc already did as
    it says) or the C library is not glibc."""
    if ARENA_MAX_VARIABLE in os.environ:
        return False
    import ctypes  # here: only the processes that cap load it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, Windows)
        return False
    return bool(mallopt(_M_ARENA_MAX, ARENAS))


def with_arena_cap(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` for a child process whose arenas glibc caps as it starts; the user's own
    ``MALLOC_ARENA_MAX`` in it wins."""
    return {ARENA_MAX_VARIABLE: str(ARENAS), **environ}


def give_back_memory() -> bool:
    """Collect the garbage and hand the heap pages it freed back to the system (glibc's
    ``malloc_trim``; elsewhere the collection only). True when pages could be handed back."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes  # here: only the processes that trim load it

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl, Windows)
        return None
    return trim
