"""How long a client's calls have waited without the platform answering any of them.

A client with ``patience_seconds`` keeps one ``Silence`` for all its calls (the sync's workers
share a client): a request without an answer is not tried again once the platform has
answered nothing for that long, and ``notes_while_silent`` tells the user meanwhile. Silence
counts only while a call waits for an answer (its request out, or its next attempt pending
after a request that got none): an idle client, a download that is streaming, a pause before
a 429's retry and a request the platform holds open on purpose (``hold_seconds``) are not
silence. Any answer, even an error, ends it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from evalkit.client._request import ApiRequest

#: how often ``notes_while_silent`` looks
WATCH_EVERY_SECONDS = 1.0


class Silence:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # calls come from the sync's worker threads
        self._waiting = 0
        self._since: float | None = None
        self._noted: float | None = None

    def call(self, req: ApiRequest[Any]) -> Wait:
        """One call's wait for its answer, across its attempts; ends with the block."""
        return NO_WAIT if req.hold_seconds else Wait(self)

    def seconds(self) -> float:
        """How long calls have waited without any answer: 0 when none waits."""
        with self._lock:
            return 0.0 if self._since is None else self._clock() - self._since

    def unnoted(self, after: float) -> float | None:
        """The seconds of this silence the first time it has lasted ``after``; else None."""
        with self._lock:
            if self._since is None or self._since == self._noted:
                return None
            seconds = self._clock() - self._since
            if seconds < after:
                return None
            self._noted = self._since
            return seconds

    def begin(self) -> None:
        with self._lock:
            if not self._waiting:
                self._since = self._clock()
            self._waiting += 1

    def end(self, *, answered: bool) -> None:
        with self._lock:
            self._waiting -= 1
            if not self._waiting:
                self._since = None
            elif answered:  # the others wait on, from now
                self._since = self._clock()


class Wait:
    """One call's part in a ``Silence`` (none for a client without patience)."""

    __slots__ = ("_silence", "_waiting")

    def __init__(self, silence: Silence | None) -> None:
        self._silence = silence
        self._waiting = False

    def sending(self) -> None:
        """An attempt goes out: the call waits, if it did not already."""
        if self._silence is not None and not self._waiting:
            self._silence.begin()
            self._waiting = True

    def answered(self) -> None:
        self._stop(answered=True)

    def _stop(self, *, answered: bool) -> None:
        if self._silence is not None and self._waiting:
            self._silence.end(answered=answered)
            self._waiting = False

    def __enter__(self) -> Wait:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop(answered=False)


#: the ``Wait`` of a client without patience: it counts nothing
NO_WAIT = Wait(None)


@contextmanager
def notes_while_silent(
    silence: Silence,
    base_url: str,
    note: Callable[[str], None],
    *,
    patience: float,
    after: float,
    every: float = WATCH_EVERY_SECONDS,
) -> Iterator[None]:
    """For the block: ``note`` a line once a silence has lasted ``after`` seconds (once per
    silence): a platform that never answers is otherwise waited for without a word."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            seconds = silence.unnoted(after)
            if seconds is not None:
                note(
                    f"no answer from {base_url} for {seconds:.0f} s; still waiting "
                    f"(up to {patience:g} s)"
                )

    watcher = threading.Thread(target=watch, name="evalkit-silence-notes", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
