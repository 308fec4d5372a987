"""The standard streams while a command runs: a reader that goes away (``evalkit run | head``)
changes nothing but what is printed.

Writing to a pipe whose reader is gone fails (EPIPE). Left alone, that error stops the command
wherever it printed, in the middle of a run say, and click makes it exit 1, which reads as a
failed gate. Here the failed write is dropped instead, and the stream's descriptor is pointed
at the null device, so all the stream still holds or is given later (by evalkit, rich, click,
logging or Python's last flush) goes nowhere. The command does all its work, writes its files
and exits with its own code. Only a closed pipe is dropped: any other error of a stream (a
full disk) is raised as before. Light: ``evalkit.cli.main`` imports it at start-up.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast


class _ReaderMayLeave:
    """``stream``, whose writes and flushes drop what a pipe without a reader refuses."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _discard_the_rest(self._stream)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _discard_the_rest(self._stream)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding...: the stream's own
        return getattr(self._stream, name)


def _discard_the_rest(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at the null device, and drain what it holds there."""
    with contextlib.suppress(OSError, ValueError):  # no descriptor (io.UnsupportedOperation)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
        stream.flush()


@contextlib.contextmanager
def readers_may_leave() -> Iterator[None]:
    """For the time of the block, ``sys.stdout`` and ``sys.stderr`` drop what a closed pipe
    refuses; then they are given back as they were."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _guarded(sys.stdout), _guarded(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _guarded(stream: TextIO) -> TextIO:
    if stream is None:  # no such stream (pythonw): nothing to guard
        return stream
    return cast(TextIO, _ReaderMayLeave(stream))
