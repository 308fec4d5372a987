"""How far an agent program is kept from the platform, from other runs and from the machine.

An agent program is a local subprocess, not a sandbox. At start-up the platform picks the
strongest of these that the machine allows (``choose_isolation``), checks it by really starting
a program that way, and says which one it got (``Isolation.describe``):

``namespaces``     Linux, as root or with unprivileged user namespaces. The program runs in
                   its own PID and mount namespaces (see ``launcher.py``): it sees only its own
                   processes, not the platform's data folder, not ``/tmp`` (it gets a private
                   one), and as root it runs as user ``nobody``. Every process it starts ends
                   with it.
``subreaper``      Linux without namespaces. Processes the program leaves behind are collected
                   and killed; as root it runs as ``nobody`` and the data folder is made
                   private to the platform's user. It can read what its user can.
``process-group``  Elsewhere. The program's process group is ended after the run; a process
                   that leaves the group (``setsid``) can outlive it. It can read what the
                   platform's user can.

``auto`` (the default) takes the first that works; ``EVALKIT_AGENT_ISOLATION`` or an explicit
mode chooses one, and start-up fails when that one is not available. With ``auto`` the platform
serves while the check runs (``IsolationChoice``): only a program's run waits for it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evalkit.emulator.runtime.process import IsolationError, run_process
from evalkit.errors import ConfigError

MODES = ("namespaces", "subreaper", "process-group")
AUTO = "auto"
CHOICES = (AUTO, *MODES)
ENV_VARIABLE = "EVALKIT_AGENT_ISOLATION"
#: where the run's folder appears inside the namespaces (inside the private /tmp)
VISIBLE_FOLDER = "/tmp/evalkit-run"
PRIVATE_TMP = "/tmp"
#: size cap of each tmpfs the launcher mounts (they hold little but what a program writes to /tmp)
TMPFS_SIZE = "256m"
LAUNCHER = Path(__file__).with_name("launcher.py")
NOBODY = "nobody"
_FALLBACK_NOBODY = (65534, 65534)
_PROBE_TIMEOUT_SECONDS = 30.0


class IsolationUnavailable(ConfigError):
    """The isolation asked for cannot be had on this machine; the message says why."""


@dataclass(frozen=True)
class Isolation:
    mode: str
    #: (uid, gid) the program runs as; None: the platform's own user
    run_as: tuple[int, int] | None = None
    #: namespaces as a user other than root: a user namespace maps that user to root inside
    user_namespace: bool = False
    #: folders covered by an empty tmpfs in the program's mount namespace
    hide: tuple[str, ...] = ()
    #: folders under ``hide`` bound back at their own path (the interpreter, PATH folders)
    keep: tuple[str, ...] = ()
    #: the platform's data folder (always hidden in namespaces: in ``hide`` or below one)
    data_dir: str = ""
    #: hidden folders inside a ``keep`` folder, covered again after the binds
    cover: tuple[str, ...] = ()
    #: why each stronger mode is not in force (empty when ``mode`` is the strongest)
    fallbacks: tuple[str, ...] = ()

    @property
    def wraps(self) -> bool:
        """Whether programs start through the launcher (every mode but ``process-group``)."""
        return self.mode != "process-group"

    def visible_folder(self, folder: Path) -> Path:
        """Where the program sees its run folder (its working directory, HOME, TMPDIR)."""
        return Path(VISIBLE_FOLDER) if self.mode == "namespaces" else folder

    def command(
        self, argv: Sequence[str], *, folder: Path, report_fd: int, grace: float
    ) -> list[str]:
        """The launcher's command line that runs ``argv`` (``process.Launcher``)."""
        run_as = "" if self.run_as is None else f"{self.run_as[0]}:{self.run_as[1]}"
        spec = [
            f"mode={self.mode}",
            f"folder={folder}",
            f"visible={self.visible_folder(folder)}",
            *(f"hide={path}" for path in self.hide),
            *(f"keep={path}" for path in self.keep),
            *(f"cover={path}" for path in self.cover),
            f"run_as={run_as}",
            f"user_namespace={int(self.user_namespace)}",
            f"tmp_size={TMPFS_SIZE}",
            f"report_fd={report_fd}",
            f"grace={grace}",
        ]
        return [sys.executable, "-I", "-S", str(LAUNCHER), *spec, "--", *argv]

    def prepare(self, folder: Path) -> None:
        """Hand a laid-out run folder to the program's user."""
        if self.run_as is None:
            return
        uid, gid = self.run_as
        os.chown(folder, uid, gid)
        os.chmod(folder, 0o700)
        for path in folder.rglob("*"):
            os.lchown(path, uid, gid)

    def describe(self) -> str:
        """One sentence for the log and ``evalkit serve``: what a program can and cannot do."""
        user = "the platform's user" if self.run_as is None else f"user {_user_name(self.run_as)}"
        if self.mode == "namespaces":
            hidden = ", ".join(path for path in self.hide if path != self.data_dir)
            text = (
                f"agent isolation: namespaces. Programs run as {user} in their own PID and mount "
                f"namespaces; hidden from them: the platform's data folder, {hidden} and every "
                "other process; processes they leave behind end with them"
            )
        elif self.mode == "subreaper":
            text = (
                f"agent isolation: subreaper. Programs run as {user} and can read what it can; "
                "processes they leave behind are collected and killed"
            )
        else:
            text = (
                f"agent isolation: process group only. Programs run as {user} and can read what "
                "it can; a process that leaves the group (setsid) can outlive its run"
            )
        if self.fallbacks:
            text += " (not stronger because " + "; ".join(self.fallbacks) + ")"
        return text


PROCESS_GROUP = Isolation("process-group")


def requested_isolation(requested: str) -> str:
    """``auto`` or a mode: ``requested``, or ``EVALKIT_AGENT_ISOLATION`` when ``requested`` is
    ``auto`` and it is set. Raises ``IsolationUnavailable`` for an unknown name."""
    if requested == AUTO:
        requested = os.environ.get(ENV_VARIABLE, "").strip() or AUTO
    if requested not in CHOICES:
        raise IsolationUnavailable(
            f"unknown agent isolation {requested!r} (from {ENV_VARIABLE} or --isolation); "
            f"use one of: {', '.join(CHOICES)}"
        )
    return requested


def choose_isolation(requested: str, data_dir: Path, hidden: Iterable[Path] = ()) -> Isolation:
    """The strongest isolation asked for and available, checked by starting a program with it.

    ``requested`` is ``auto`` or a mode; ``auto`` defers to ``EVALKIT_AGENT_ISOLATION`` when it
    is set. ``data_dir`` (and ``hidden``) are kept from programs where the mode can hide them.
    Raises ``IsolationUnavailable`` when an explicit mode cannot be had.
    """
    requested = requested_isolation(requested)
    candidates = MODES if requested == AUTO else (requested,)
    fallbacks: list[str] = []
    for mode in candidates:
        isolation, problem = _candidate(mode, data_dir, tuple(hidden))
        if problem is None:
            return replace(isolation, fallbacks=tuple(fallbacks))
        if requested != AUTO:
            raise IsolationUnavailable(f"agent isolation {mode!r} is not available here: {problem}")
        fallbacks.append(f"{mode}: {problem}")
    raise AssertionError("process-group is always available")  # pragma: no cover


class IsolationChoice:
    """The platform's isolation: known, or being chosen in a thread of its own.

    Choosing starts a program (``choose_isolation``), a few hundredths of a second that a
    platform with ``auto`` need not wait for before it serves: builtin runtimes never need the
    isolation, and a program's run waits for it here (``get``).
    """

    def __init__(self) -> None:
        self._isolation: Isolation | None = None
        self._error: Exception | None = None
        self._chosen = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def known(cls, isolation: Isolation) -> IsolationChoice:
        choice = cls()
        choice.settle(isolation)
        return choice

    def settle(self, isolation: Isolation) -> None:
        self._isolation = isolation
        self._chosen.set()

    def choose_in_background(self, choose: Callable[[], Isolation]) -> None:
        """``choose()`` in a thread; its error, if any, is what every ``get`` then says."""
        self._thread = threading.Thread(
            target=self._choose, args=(choose,), name="evalkit-isolation", daemon=True
        )
        self._thread.start()

    def get(self) -> Isolation:
        """The isolation, once chosen; ``IsolationUnavailable`` if choosing it failed."""
        self._chosen.wait()
        if self._isolation is None:
            raise IsolationUnavailable(f"the agent isolation could not be chosen: {self._error}")
        return self._isolation

    def wait(self) -> None:
        """Until a choice in the background has ended, whatever its outcome."""
        if self._thread is not None:
            self._thread.join()

    def _choose(self, choose: Callable[[], Isolation]) -> None:
        try:
            self._isolation = choose()
        except Exception as err:
            self._error = err
        finally:
            self._chosen.set()

    def __repr__(self) -> str:
        state = repr(self._isolation) if self._chosen.is_set() else "being chosen"
        return f"IsolationChoice({state})"


def make_data_private(data_dir: Path, scratch_dir: Path) -> None:
    """Keep another user's programs out of the platform's data folder.

    The folder can be entered (to reach ``scratch/``) but not listed; everything in it but
    ``scratch/`` is its owner's only; ``scratch/`` can be entered but not listed, and each run
    folder belongs to the program's user alone (``Isolation.prepare``).
    """
    scratch_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o711)
    os.chmod(scratch_dir, 0o711)
    for entry in data_dir.iterdir():
        if entry != scratch_dir and not entry.is_symlink():
            mode = entry.stat().st_mode
            os.chmod(entry, stat.S_IMODE(mode) & 0o700)


# -- candidates ----------------------------------------------------------------------------


def _candidate(mode: str, data_dir: Path, hidden: tuple[Path, ...]) -> tuple[Isolation, str | None]:
    if mode == "process-group":
        return PROCESS_GROUP, None
    if not sys.platform.startswith("linux"):
        return PROCESS_GROUP, "not Linux"
    as_root = os.geteuid() == 0
    run_as = _nobody() if as_root else None
    if mode == "namespaces":
        data = str(data_dir.resolve())
        extra = [str(path.resolve()) for path in hidden if path.is_dir()]  # nothing else to hide
        hide = [data, PRIVATE_TMP, *extra]
        needed = _needed_folders()
        if run_as is not None:
            hide += _blocked_ancestors(needed, run_as)
        roots = _outermost(hide)
        keep = _outermost([path for path in needed if _under_any(path, roots)])
        # A kept folder is bound back whole: what is hidden inside it must be covered again.
        cover = sorted({path for path in hide if _under_any(path, keep) and path not in keep})
        isolation = Isolation(
            mode, run_as, not as_root, tuple(roots), tuple(keep), data, tuple(cover)
        )
        return isolation, _probe(isolation, data_dir)
    # subreaper: another user only if it can still run the interpreter without namespaces
    if run_as is not None and _blocked_ancestors(_interpreter_folders(), run_as):
        run_as = None
    isolation = Isolation(mode, run_as)
    return isolation, _probe(isolation, data_dir)


def _nobody() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(NOBODY)
    except KeyError:
        return _FALLBACK_NOBODY
    return entry.pw_uid, entry.pw_gid


def _user_name(ids: tuple[int, int]) -> str:
    try:
        return pwd.getpwuid(ids[0]).pw_name
    except KeyError:
        return f"uid {ids[0]}"


def _interpreter_folders() -> list[str]:
    executable = os.path.realpath(sys.executable)
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders.add(os.path.dirname(executable))
    return sorted(os.path.realpath(folder) for folder in folders if os.path.isdir(folder))


def _needed_folders() -> list[str]:
    """What a program must still reach: the interpreter running evalkit, the PATH folders."""
    on_path = os.environ.get("PATH", os.defpath).split(os.pathsep)
    folders = {os.path.realpath(folder) for folder in on_path if os.path.isabs(folder)}
    return sorted({*_interpreter_folders(), *(f for f in folders if os.path.isdir(f))})


def _blocked_ancestors(folders: Iterable[str], ids: tuple[int, int]) -> list[str]:
    """For each folder, the outermost folder above it that user ``ids`` cannot enter."""
    blocked = []
    for folder in folders:
        parts = Path(folder).parts
        for depth in range(1, len(parts)):
            ancestor = str(Path(*parts[:depth]))
            if not _can_enter(ancestor, ids):
                blocked.append(ancestor)
                break
    return blocked


def _can_enter(folder: str, ids: tuple[int, int]) -> bool:
    try:
        status = os.stat(folder)
    except OSError:
        return False
    if status.st_uid == ids[0]:
        return bool(status.st_mode & stat.S_IXUSR)
    if status.st_gid == ids[1]:
        return bool(status.st_mode & stat.S_IXGRP)
    return bool(status.st_mode & stat.S_IXOTH)


def _under_any(path: str, roots: Sequence[str]) -> bool:
    return any(Path(path).is_relative_to(root) for root in roots)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The paths that are not inside another one of them, sorted, without repeats."""
    unique = sorted(set(paths))
    return [
        path
        for path in unique
        if not any(other != path and Path(path).is_relative_to(other) for other in unique)
    ]


# -- the probe -----------------------------------------------------------------------------

_probed: dict[Isolation, str | None] = {}
_probe_lock = threading.Lock()


def _probe(isolation: Isolation, data_dir: Path) -> str | None:
    """Start the interpreter the way programs will start; None when it ran, else why not.

    Remembered per process for the same isolation, so many platforms start quickly.
    """
    key = replace(isolation, hide=(), data_dir="", cover=())
    with _probe_lock:
        if key not in _probed:
            _probed[key] = _run_probe(isolation, data_dir)
        return _probed[key]


def _run_probe(isolation: Isolation, data_dir: Path) -> str | None:
    scratch = data_dir / "scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="isolation-probe-", dir=scratch))
    try:
        isolation.prepare(folder)
        env = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8"}
        result = run_process(
            [sys.executable, "-c", "import json"],
            cwd=folder,
            env=env,
            timeout_seconds=_PROBE_TIMEOUT_SECONDS,
            cancel=threading.Event(),
            launcher=isolation,
        )
    except IsolationError as err:
        return str(err)
    except OSError as err:
        return f"cannot start {sys.executable}: {err.strerror or err}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.reason != "exited" or result.returncode != 0:
        tail = result.stderr_tail.decode("utf-8", "replace").strip().splitlines()[-1:]
        return f"a test program ended with {result.returncode}" + (f": {tail[0]}" if tail else "")
    return None
