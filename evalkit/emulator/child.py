"""The local platform in a child Python process of its own (what ``evalkit run`` starts).

In a thread of the run's process, the platform and the runner shared one interpreter lock, and
each waited on the other on a machine with cores to spare. ``start_child_platform(config)``
serves the same platform from a child process instead; ``start_platform`` (a thread) stays the
facility for tests and embedding. ``PlatformLaunch()`` starts the process before its
configuration is known, so that its imports overlap the caller's own work (``evalkit run``
launches it before its own imports: ``evalkit.cli.early_launch``; ``PlatformLaunch`` lives in
``evalkit.emulator.launch``, which imports only what the spawn needs, and is named here too).

How parent and child talk (POSIX):

- **stdin**: one JSON line with the ``PlatformConfig``, the API key included (never in argv or
  the environment), then nothing. The child shuts down cleanly at end of file: when the parent
  stops it, or dies without a word (even SIGKILL), so a platform never outlives its run; end of
  file before the configuration (a launch let go) ends it without a word.
- **stdout**: one JSON line, ``{"port": ..., "notes": [...]}`` once the server accepts requests
  on 127.0.0.1 (a port it bound itself), or ``{"error": ...}`` if it could not start. After
  that, whatever the child writes to standard output goes to its standard error.
- **stderr**: the child's log records as JSON lines, logged again in the parent under their own
  logger names (so ``-v`` and the CLI's log format apply as before); other lines (a crash's
  traceback) are written to the parent's standard error. The key is masked in both.

The child runs in its own session: Ctrl-C in the terminal reaches only the parent, which cancels
and records its executions on a platform that is still up, then stops it (SIGTERM and end of
file, SIGKILL after ``STOP_GRACE_SECONDS``). It is started as ``python -c`` with the folder that
holds this ``evalkit`` first on its path, so that a module in the user's working folder can
never shadow one of the platform's.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
import importlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, NoReturn

from evalkit.collector import leave_to_process_end, resume_frozen
from evalkit.emulator.launch import PlatformLaunch as PlatformLaunch  # (named here too)
from evalkit.errors import ConfigError, EvalkitError
from evalkit.unused_modules import HTTPX_CLI, PYDANTIC_V1, keep_out

if TYPE_CHECKING:  # (imported when used: ``evalkit run`` launches before its own imports)
    from evalkit.emulator.config import PlatformConfig

#: from the child's start to its first answer: an interpreter start and the web stack's imports
#: on a busy machine, then the platform's own start
START_TIMEOUT_SECONDS = 60.0
#: how long a stop waits for the child to wind down (held requests released, running programs
#: stopped, uvicorn's graceful shutdown) before SIGKILL
STOP_GRACE_SECONDS = 15.0
#: lines of the child's standard error a failed start quotes
STDERR_TAIL_LINES = 20
#: what the child's log records start with on its standard error
LOG_PREFIX = "evalkit-log "
#: what the child serves with, imported before its configuration arrives
PLATFORM_MODULES = ("evalkit.emulator.runtime.sandbox_env", "evalkit.emulator.server")
_MASK = "***"


class PlatformStartError(ConfigError):
    """The local platform's process did not start; says why, with the end of what it wrote."""


class ChildPlatform:
    """The local platform served by a child process; a context manager that stops it."""

    def __init__(self, process: subprocess.Popen[bytes], api_key: str, drain: _StderrDrain) -> None:
        self.process = process
        self.api_key = api_key
        self.base_url = ""
        #: lines for the user about the platform as it started (its pass_env)
        self.notes: tuple[str, ...] = ()
        self._drain = drain
        self._stop_requested = False
        self._stopped_by_itself = False
        self._stopped = False

    @classmethod
    def of_launched(cls, process: subprocess.Popen[bytes]) -> ChildPlatform:
        """The platform of a process just spawned (``PlatformLaunch``), its standard error read
        from now on; its key comes with its configuration (``configure``)."""
        assert process.stderr is not None
        drain = _StderrDrain(process.stderr, secrets=())
        drain.start()
        return cls(process, "", drain)

    @property
    def pid(self) -> int:
        return self.process.pid

    def configure(self, config: PlatformConfig, meanwhile: Callable[[], None] | None) -> None:
        """Send ``config`` (once), run ``meanwhile``, then wait until the child serves it
        (``PlatformLaunch.start``); stopped if anything fails."""
        process = self.process
        assert process.stdin is not None
        try:
            request = {"config": config_to_json(config), "log_level": _log_level()}
            self.api_key = config.api_keys[0]
            self._drain.secrets = config.api_keys  # before the key is sent, nothing holds it
            process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            process.stdin.flush()
            if meanwhile is not None:
                meanwhile()
            self.wait_until_ready()
        except BrokenPipeError:  # it died before reading its configuration
            self._fail(f"stopped before it read its configuration (exit code {process.wait()})")
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Read the child's first line: its port, or why it could not start."""
        assert self.process.stdout is not None
        line = _read_line(self.process.stdout, time.monotonic() + timeout)
        if line is None:
            self._fail(f"did not answer within {timeout:.0f} s")
        if not line:
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_GRACE_SECONDS)
            self._fail(f"stopped while starting (exit code {self.process.returncode})")
        try:
            answer = json.loads(line)
        except ValueError:
            self._fail("answered something other than its address")
        if "error" in answer:
            with suppress(subprocess.TimeoutExpired):  # it exits by itself
                self.process.wait(STOP_GRACE_SECONDS)
            self.stop()  # then everything it wrote has been read
            raise _error_of(answer["error"], self._drain.mask, self._drain.tail())
        self.base_url = f"http://127.0.0.1:{int(answer['port'])}"
        self.notes = tuple(str(note) for note in answer.get("notes", ()))
        self._drain.ready()
        self.process.stdout.close()

    def request_stop(self) -> None:
        """End of file and SIGTERM, without waiting: the caller goes on while the child winds
        down (a few hundredths of a second); ``stop`` then waits for it."""
        if self._stop_requested:
            return
        self._stop_requested = True
        self._stopped_by_itself = self.base_url != "" and self.process.poll() is not None
        if self.process.stdin is not None:
            with suppress(OSError):
                self.process.stdin.close()
        self.process.send_signal(signal.SIGTERM)  # does nothing once it has been waited for

    def stop(self) -> None:
        """``request_stop``, then SIGKILL after ``STOP_GRACE_SECONDS``; waits for it. A second
        stop does nothing."""
        if self._stopped:
            return
        self._stopped = True
        self.request_stop()
        if not _wait_for_exit(self.process, STOP_GRACE_SECONDS):
            logging.getLogger("evalkit.emulator").warning(
                "the local platform did not stop within %.0f s; killed", STOP_GRACE_SECONDS
            )
            self.process.kill()
            self.process.wait()
        self._drain.finish()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        if self._stopped_by_itself:
            logging.getLogger("evalkit.emulator").warning(
                "the local platform had stopped by itself (exit code %s)", self.process.returncode
            )

    def _fail(self, what: str) -> NoReturn:
        self.stop()
        raise PlatformStartError(_with_tail(f"the local platform {what}", self._drain.tail()))

    def __enter__(self) -> ChildPlatform:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ChildPlatform(base_url={self.base_url!r}, pid={self.pid}, api_key='***')"


def start_child_platform(config: PlatformConfig) -> ChildPlatform:
    """Serve ``config`` on 127.0.0.1 (a free port) from a child process, ready when it returns;
    its first key is the one ``api_key`` holds. ``config.runner`` cannot cross processes."""
    return PlatformLaunch().start(config)


def config_to_json(config: PlatformConfig) -> dict[str, Any]:
    """Everything in ``config`` as JSON values, keys included: for the child's stdin only."""
    if config.runner is not None:
        raise ValueError("a PlatformConfig with a runner cannot be served from another process")
    data = {field.name: getattr(config, field.name) for field in dataclasses.fields(config)}
    del data["runner"]
    data["faults"] = dataclasses.asdict(config.faults)
    for name in ("data_dir", "workflows_dir"):
        data[name] = None if data[name] is None else str(data[name])
    data["hidden_paths"] = [str(path) for path in config.hidden_paths]
    return data


def config_from_json(data: dict[str, Any]) -> PlatformConfig:
    from evalkit.emulator.config import PlatformConfig
    from evalkit.emulator.faults import FaultConfig

    faults = dict(data["faults"])
    faults["error_statuses"] = tuple(faults["error_statuses"])
    return PlatformConfig(
        **{
            **data,
            "data_dir": None if data["data_dir"] is None else Path(data["data_dir"]),
            "workflows_dir": None if data["workflows_dir"] is None else Path(data["workflows_dir"]),
            "api_keys": tuple(data["api_keys"]),
            "hidden_paths": tuple(Path(path) for path in data["hidden_paths"]),
            "pass_env": tuple(data["pass_env"]),
            "faults": FaultConfig(**faults),
        }
    )


# -- the parent's side --------------------------------------------------------------------------


class _StderrDrain(threading.Thread):
    """Reads the child's standard error for as long as it runs (a full pipe would block it):
    log records are logged again here, other lines written to standard error once the platform
    is up; the last ``STDERR_TAIL_LINES`` are kept for an error. Keys are masked."""

    def __init__(self, stream: IO[bytes], secrets: tuple[str, ...]) -> None:
        super().__init__(name="evalkit-platform-stderr", daemon=True)
        self._stream = stream
        #: masked wherever the child's words go (set by the launch before it sends a key)
        self.secrets = secrets
        self._lock = threading.Lock()
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._held: list[str] | None = []  # raw lines before the platform is up

    def run(self) -> None:
        pending = b""
        with suppress(OSError, ValueError):  # ValueError: closed after a stop gave up on it
            while chunk := os.read(self._stream.fileno(), 65536):
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    self._line(line.decode("utf-8", "replace"))
        if pending:
            self._line(pending.decode("utf-8", "replace"))

    def ready(self) -> None:
        with self._lock:
            held, self._held = self._held or [], None
        for line in held:
            _write_stderr(line)

    def finish(self) -> None:
        """Once the child has exited: everything it wrote has been read."""
        if self.is_alive():
            self.join(STOP_GRACE_SECONDS)

    def tail(self) -> list[str]:
        with self._lock:
            return list(self._tail)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, _MASK)
        return text

    def _line(self, text: str) -> None:
        text = self.mask(text)
        record = _log_record(text)
        if record is not None:
            level, name, message = record
            with self._lock:
                self._tail.append(f"{logging.getLevelName(level)} {name}: {message}")
            logging.getLogger(name).log(level, "%s", message)
            return
        with self._lock:
            self._tail.append(text)
            if self._held is not None:
                self._held.append(text)
                return
        _write_stderr(text)


def _write_stderr(line: str) -> None:
    with suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _log_record(text: str) -> tuple[int, str, str] | None:
    if not text.startswith(LOG_PREFIX):
        return None
    try:
        data = json.loads(text[len(LOG_PREFIX) :])
        return int(data["level"]), str(data["logger"]), str(data["message"])
    except (ValueError, KeyError, TypeError):
        return None


def _wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until ``process`` has exited (True) or ``timeout`` has passed (False).

    ``Popen.wait(timeout)`` polls, sleeping twice as long each time up to 50 ms: a child that
    exits in 20 ms was seen to exit after 32. A pidfd (Linux) is readable the moment the
    process exits; elsewhere, ``Popen.wait``."""
    if process.returncode is not None:
        return True
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux, or an old kernel
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        exited, _, _ = select.select([pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if exited:
        process.wait()
    return bool(exited)


def _read_line(stream: IO[bytes], deadline: float) -> bytes | None:
    """The first line ``stream`` gives before ``deadline``: b"" at end of file, None if late."""
    got = b""
    while b"\n" not in got:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        readable, _, _ = select.select([stream], [], [], min(left, 1.0))
        if readable:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return b""
            got += chunk
    return got.split(b"\n", 1)[0]


def _error_of(error: dict[str, Any], mask: Callable[[str], str], tail: list[str]) -> EvalkitError:
    """The child's start error as the parent raises it: the user's own errors (a folder in use,
    a bad workflow file) keep their type; anything else says it is the platform's, with its
    last lines."""
    message = mask(str(error.get("message") or "no reason given"))
    if error.get("reported"):
        return _evalkit_error_type(str(error.get("type", "")))(message)
    return PlatformStartError(_with_tail(f"the local platform did not start: {message}", tail))


def _evalkit_error_type(name: str) -> type[EvalkitError]:
    """The class the child named (``module:Class``) if it is one of evalkit's errors made from
    a message alone; else ``ConfigError``."""
    module_name, _, qualname = name.partition(":")
    kind = None
    if module_name.startswith("evalkit."):
        with suppress(ImportError):
            kind = getattr(importlib.import_module(module_name), qualname, None)
    if (
        isinstance(kind, type)
        and issubclass(kind, EvalkitError)
        and kind.__init__ is EvalkitError.__init__  # not ManifestError's list of problems
    ):
        return kind
    return ConfigError


def _with_tail(message: str, tail: list[str]) -> str:
    if not tail:
        return message
    return message + "; its last output:\n" + "\n".join(f"  {line}" for line in tail)


def _log_level() -> int:
    """The level the parent logs the platform at: the child need not send the rest."""
    return logging.getLogger("evalkit.emulator").getEffectiveLevel()


# -- the child's side ---------------------------------------------------------------------------


#: read raw: a daemon thread blocked on ``sys.stdin``'s buffer would hold its lock at exit and
#: abort the interpreter ("could not acquire lock ... at interpreter shutdown")
STDIN = 0


def _first_line(fd: int) -> bytes:
    """Bytes up to the first newline; the parent writes nothing after it."""
    got = b""
    while b"\n" not in got and (chunk := os.read(fd, 65536)):
        got += chunk
    return got.split(b"\n", 1)[0]


class _ParentFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)  # the message, then the traceback if any
        data = {"level": record.levelno, "logger": record.name, "message": message}
        return LOG_PREFIX + json.dumps(data)


def import_platform() -> None:
    """Import ``PLATFORM_MODULES`` (``evalkit.unused_modules`` kept out); then the collector,
    turned off by the bootstrap, is turned back on with what they built frozen
    (``evalkit.collector``: about 100,000 objects, ~150 collections that found next to nothing
    to free, ~40 ms before it can serve)."""
    keep_out(HTTPX_CLI, PYDANTIC_V1)
    for name in PLATFORM_MODULES:
        importlib.import_module(name)
    if not gc.isenabled():
        resume_frozen()


def main() -> None:
    """The child: read the configuration, serve until end of file on stdin or SIGTERM."""
    import_platform()
    from evalkit.emulator.runtime.sandbox_env import pass_env_notes
    from evalkit.emulator.server import LOOPBACK, ServedPlatform, serve_foreground

    # The first line of stdout is the parent's; anything else printed goes to stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    first = _first_line(STDIN)
    if not first:  # the launch was let go before it was given a configuration
        return
    request = json.loads(first)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ParentFormatter())
    logging.basicConfig(level=int(request["log_level"]), handlers=[handler], force=True)
    logging.captureWarnings(True)

    answered = threading.Lock()  # one first line: the port or an error, never both
    said: list[str] = []
    parent_gone = threading.Event()
    servers: list[Any] = []

    def answer(data: dict[str, Any]) -> bool:
        with answered:
            if said:
                return False
            said.append("done")
            with suppress(OSError):  # the parent may be gone
                channel.write(json.dumps(data) + "\n")
                channel.close()
            return True

    def watch_stdin() -> None:
        with suppress(OSError):
            while os.read(STDIN, 65536):
                pass
        parent_gone.set()
        for server in list(servers):
            server.should_exit = True

    def ready(served: ServedPlatform) -> None:
        server = served.server
        servers.append(server)
        if parent_gone.is_set():
            server.should_exit = True

        def announce() -> None:  # on the server's loop, as soon as it serves
            if not server.should_exit:
                answer({"port": served.port, "notes": pass_env_notes(served.platform.passed_env)})

        server.when_started = announce

    threading.Thread(target=watch_stdin, name="evalkit-parent-watch", daemon=True).start()
    try:
        serve_foreground(config_from_json(request["config"]), LOOPBACK, 0, ready)
    except BaseException as err:  # every start failure goes to the parent
        reported = isinstance(err, EvalkitError)
        if said or not reported:  # a traceback for the parent's log, or its error's tail
            logging.getLogger("evalkit.emulator").exception("the local platform failed")
        kind = f"{type(err).__module__}:{type(err).__qualname__}"
        answer({"error": {"type": kind, "message": str(err), "reported": reported}})
        sys.exit(1)
    answer({"error": {"message": "the server stopped before it was ready", "reported": False}})
    _end_now()


def _end_now() -> NoReturn:
    """The platform is closed (its stores written and closed, its folder's lock released): the
    process ends here, flushed, without the interpreter's teardown. That teardown (a last
    collection of everything the web stack allocated, then its modules) took the child a
    tenth of a second, and the parent's run waits for the child's exit. Threads that are not
    daemons (a web worker thread winding down) are waited for first, as the usual exit does."""
    leave_to_process_end()
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)
