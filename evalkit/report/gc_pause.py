"""The garbage collector held off while a run's reports are read and rendered.

Reading a run's results and rendering its reports allocates hundreds of thousands of objects
(a 500-example run: the results, their documents, the rows, the page's data) and makes almost
no reference cycles: each object is freed by its reference count once its report is written.
The collector counts them all the same, and collected about 45 times during the reports of a
500-example run (5 ms); in one run of two, one of these was a full collection of everything
the run still held (35-45 ms, a third of the time from the last example to the exit).

Held off, the objects are freed as they go and the collector's count of them falls back with
them (nearly: objects the interpreter keeps for reuse are not counted off; one collection of
the youngest generation, of almost nothing, may follow): no collection over the whole heap is
owed afterwards for what the reports allocated. A caller that turned the collector off itself
keeps it off.
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
