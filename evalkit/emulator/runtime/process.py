"""Run one command in its own process group, with a deadline, a cancel event and capped output.

The child gets a new session, so a cancel or a timeout can end the whole tree it started
(SIGTERM to the group, then SIGKILL after a grace period), and members left behind after a
normal exit are killed too. With a ``launcher`` (``isolation.Isolation``) the command starts
through ``launcher.py``, which also ends what left the group (see ``isolation.py``); what went
wrong before the command ran comes back on a pipe and is raised here, as if it were local.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, Protocol

STDOUT_CAP_BYTES = 8 * 1024 * 1024
STDERR_TAIL_BYTES = 64 * 1024
KILL_GRACE_SECONDS = 2.0
# How often the wait loop looks at the cancel event; a cancel ends the run within this.
_CANCEL_CHECK_SECONDS = 0.05
_READER_JOIN_SECONDS = 5.0

EndReason = Literal["exited", "timeout", "cancelled"]
_REPORT_LIMIT = 65536


class Launcher(Protocol):
    def command(
        self, argv: Sequence[str], *, folder: Path, report_fd: int, grace: float
    ) -> list[str]: ...


class IsolationError(RuntimeError):
    """The launcher could not isolate the program; the message says which step failed."""


@dataclass(frozen=True)
class ProcessResult:
    reason: EndReason
    #: the exit code; negative when a signal ended the process; None if it never started
    returncode: int | None
    stdout: bytes
    stdout_truncated: bool
    #: the last ``STDERR_TAIL_BYTES`` of stderr
    stderr_tail: bytes


class _CappedReader(threading.Thread):
    """Drains a pipe so the child never blocks on it; keeps a head or a tail of at most ``cap``."""

    def __init__(self, pipe: IO[bytes], cap: int, *, keep_tail: bool) -> None:
        super().__init__(daemon=True)
        self._pipe = pipe
        self._cap = cap
        self._keep_tail = keep_tail
        self._buffer = bytearray()
        self.truncated = False

    def run(self) -> None:
        with self._pipe:
            while chunk := os.read(self._pipe.fileno(), 65536):
                self._buffer += chunk
                if len(self._buffer) > self._cap:
                    self.truncated = True
                    if self._keep_tail:
                        del self._buffer[: len(self._buffer) - self._cap]
                    else:
                        del self._buffer[self._cap :]

    def content(self) -> bytes:
        return bytes(self._buffer)


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_seconds: float,
    cancel: threading.Event,
    grace_seconds: float = KILL_GRACE_SECONDS,
    stdout_cap: int = STDOUT_CAP_BYTES,
    launcher: Launcher | None = None,
) -> ProcessResult:
    """Run ``argv`` to its end, its deadline, or a cancel.

    Raises ``OSError`` if it cannot start, ``IsolationError`` if ``launcher`` cannot isolate it.
    """
    report_read, report_write = os.pipe()
    try:
        command = list(argv)
        if launcher is not None:
            command = launcher.command(
                argv, folder=cwd, report_fd=report_write, grace=grace_seconds
            )
        try:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                pass_fds=(report_write,) if launcher is not None else (),
            )
        finally:
            os.close(report_write)
        result = _follow(process, timeout_seconds, cancel, grace_seconds, stdout_cap)
        _raise_reported(_read_report(report_read), argv)
    finally:
        os.close(report_read)
    return result


def _follow(
    process: subprocess.Popen[bytes],
    timeout_seconds: float,
    cancel: threading.Event,
    grace_seconds: float,
    stdout_cap: int,
) -> ProcessResult:
    assert process.stdout is not None
    assert process.stderr is not None
    stdout = _CappedReader(process.stdout, stdout_cap, keep_tail=False)
    stderr = _CappedReader(process.stderr, STDERR_TAIL_BYTES, keep_tail=True)
    stdout.start()
    stderr.start()
    reason = _wait(process, timeout_seconds, cancel)
    if reason != "exited":
        _terminate_group(process, grace_seconds)
    # Members of the group that outlived the leader would hold the pipes open.
    _signal_group(process.pid, signal.SIGKILL)
    stdout.join(_READER_JOIN_SECONDS)
    stderr.join(_READER_JOIN_SECONDS)
    return ProcessResult(
        reason=reason,
        returncode=process.returncode,
        stdout=stdout.content(),
        stdout_truncated=stdout.truncated,
        stderr_tail=stderr.content(),
    )


def _wait(
    process: subprocess.Popen[bytes], timeout_seconds: float, cancel: threading.Event
) -> EndReason:
    # A thread blocks in wait() so an exit is noticed at once; this loop only looks at the
    # cancel event and the deadline between its wake-ups.
    exited = threading.Event()

    def wait_for_exit() -> None:
        process.wait()
        exited.set()

    threading.Thread(target=wait_for_exit, daemon=True).start()
    deadline = time.monotonic() + timeout_seconds
    while not exited.wait(min(_CANCEL_CHECK_SECONDS, max(0.0, deadline - time.monotonic()))):
        if cancel.is_set():
            return "cancelled"
        if time.monotonic() >= deadline:
            return "timeout"
    return "exited"


def _terminate_group(process: subprocess.Popen[bytes], grace_seconds: float) -> None:
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(pgid, signum)


def _read_report(fd: int) -> str:
    """What the launcher reported; every writer has ended (or never existed) by now."""
    os.set_blocking(fd, False)
    try:
        return os.read(fd, _REPORT_LIMIT).decode("utf-8", "replace").strip()
    except BlockingIOError:
        return ""


def _raise_reported(report: str, argv: Sequence[str]) -> None:
    kind, _, detail = report.partition(" ")
    if kind == "exec" and detail.isdigit():
        number = int(detail)
        raise OSError(number, os.strerror(number), argv[0])
    if kind == "setup":
        raise IsolationError(detail)
