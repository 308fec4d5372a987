"""Start one agent program isolated from the platform: ``python -I -S launcher.py SPEC -- ARGV``.

The platform (``isolation.py``) builds SPEC, arguments of the form ``name=value`` (``hide``,
``keep`` and ``cover`` may repeat); this script does what it says and ``exec``s ARGV. It runs
before every program, with no site-packages, so it imports as little as it can of the standard
library only (no evalkit, no ``json`` and no ``signal``, whose imports cost milliseconds on
every run). Two modes:

``namespaces``  (Linux, as root or with unprivileged user namespaces)
    The launcher enters new mount and PID namespaces (and a user namespace when not root) and
    forks the namespace's first process, its *init*. The init mounts a fresh ``/proc`` (only the
    run's own processes are in it), covers each ``hide`` folder with an empty tmpfs (the
    platform's data folder, ``/tmp``, folders the program's user could not enter anyway), binds
    each ``keep`` folder back at its own path (the Python interpreter, ``PATH`` folders) and
    covers again each ``cover`` folder (a hidden one inside a kept one), binds
    the run's folder at ``visible``, and starts the program there: as ``run_as`` when given,
    else without capabilities. When the program ends the init ends, and the kernel kills every
    process left in the namespace: a daemon started with fork + setsid cannot outlive the run.

``subreaper``   (Linux without namespaces)
    The launcher marks itself a child subreaper, so processes the program leaves behind become
    its children instead of init's; when the program ends it kills them all. A SIGTERM from the
    platform is passed to every descendant, and SIGKILL follows after half of ``grace`` seconds
    (the platform's own SIGKILL comes after ``grace``).

Either way the launcher's exit status is the program's (a program killed by a signal makes the
launcher die of the same signal). What goes wrong before the program runs is written to the
``report_fd`` pipe as one line: ``exec <errno>`` when the program cannot be started, or
``setup <message>`` when the isolation cannot be set up; the exit code is then 127 or 125.
"""

from __future__ import annotations

import _signal as signal  # type: ignore[import-not-found]  # "signal" without its enum import
import ctypes
import os
import sys

TYPE_CHECKING = False  # "typing" alone takes several milliseconds to import
if TYPE_CHECKING:
    from typing import Any, NoReturn

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
EXIT_SETUP_FAILED = 125
EXIT_EXEC_FAILED = 127
#: signals the launcher itself ignores (the program gets them: it is in the same process group)
PASSED_ON = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
#: signals the program must start with at their default action (Python ignores SIGPIPE)
RESET = (*PASSED_ON, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGQUIT)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]
_libc.unshare.argtypes = [ctypes.c_int]


class SetupError(Exception):
    """The isolation cannot be set up; the message says which step failed and why."""


def parse(arguments: list[str]) -> dict[str, Any]:
    """SPEC and ARGV from the command line (see ``Isolation.command``)."""
    split = arguments.index("--")
    spec: dict[str, Any] = {"hide": [], "keep": [], "cover": [], "argv": arguments[split + 1 :]}
    for argument in arguments[:split]:
        name, _, value = argument.partition("=")
        if name in ("hide", "keep", "cover"):
            spec[name].append(value)
        else:
            spec[name] = value
    spec["report_fd"] = int(spec["report_fd"])
    spec["grace"] = float(spec["grace"])
    spec["user_namespace"] = spec["user_namespace"] == "1"
    ids = spec.get("run_as", "")
    spec["run_as"] = [int(part) for part in ids.split(":")] if ids else None
    return spec


def main(arguments: list[str]) -> NoReturn:
    spec = parse(arguments)
    for signum in PASSED_ON:
        signal.signal(signum, signal.SIG_IGN)
    try:
        status = _namespaces(spec) if spec["mode"] == "namespaces" else _subreaper(spec)
    except SetupError as err:
        _report(spec, f"setup {err}")
        os._exit(EXIT_SETUP_FAILED)
    _exit_like(status)


# -- namespaces ----------------------------------------------------------------------------


def _namespaces(spec: dict[str, Any]) -> int:
    uid, gid = os.getuid(), os.getgid()
    user_namespace = bool(spec["user_namespace"])
    flags = CLONE_NEWNS | CLONE_NEWPID | (CLONE_NEWUSER if user_namespace else 0)
    _check(_libc.unshare(flags), "unshare")
    if user_namespace:  # the platform's user is root inside, and only inside
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {uid} 1")
        _write("/proc/self/gid_map", f"0 {gid} 1")
    status_read, status_write = os.pipe()
    init = os.fork()
    if init == 0:  # pid 1 of the new PID namespace
        os.close(status_read)
        try:
            status = _init(spec)
        except SetupError as err:
            _report(spec, f"setup {err}")
            os._exit(EXIT_SETUP_FAILED)
        os.write(status_write, str(status).encode())
        os._exit(0)  # the kernel now kills every process left in the namespace
    os.close(status_write)
    _, init_status = os.waitpid(init, 0)
    told = _read_all(status_read)
    if told:
        return int(told)
    return init_status  # the init died before the program ended (e.g. a setup failure)


def _init(spec: dict[str, Any]) -> int:
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None, "make mounts private")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None, "mount /proc")
    # Opened before the folders that hold them are covered; bound back through /proc/self/fd.
    kept = [(path, _open_path(path)) for path in spec["keep"]]
    folder = _open_path(spec["folder"])
    for path in spec["hide"]:
        _cover(path, spec["tmp_size"])
    for path, fd in kept:
        _bind(fd, path)
    for path in spec["cover"]:
        _cover(path, spec["tmp_size"])
    _bind(folder, spec["visible"])
    program = _start_program(spec, spec["visible"])
    while True:  # as init, reap every orphan until the program itself ends
        pid, status = os.waitpid(-1, 0)
        if pid == program:
            return status


def _cover(path: str, size: str) -> None:
    options = f"mode={'1777' if path == '/tmp' else '0755'},size={size}"
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options, f"hide {path}")


def _bind(fd: int, target: str) -> None:
    os.makedirs(target, exist_ok=True)
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC, None, f"bind {target}")
    os.close(fd)


def _open_path(path: str) -> int:
    try:
        return os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError as err:
        raise SetupError(f"open {path}: {err.strerror}") from None


# -- subreaper -----------------------------------------------------------------------------


def _subreaper(spec: dict[str, Any]) -> int:
    _check(_libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(CHILD_SUBREAPER)")
    grace = float(spec["grace"])

    def stop(signum: int, frame: object) -> None:
        _signal_descendants(signal.SIGTERM, outside_group=True)
        signal.signal(signal.SIGALRM, lambda *_: _signal_descendants(signal.SIGKILL))
        signal.setitimer(signal.ITIMER_REAL, grace / 2)  # before the platform kills us

    signal.signal(signal.SIGTERM, stop)
    program = _start_program(spec, None)
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == program:
            break
    # Whatever the program left behind is ours now (we are their subreaper): end it all.
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:  # some still run (none: no /proc scan)
                _signal_descendants(signal.SIGKILL)
                os.waitpid(-1, 0)
        except ChildProcessError:  # none left
            return status


def _signal_descendants(signum: int, *, outside_group: bool = False) -> None:
    """Signal every descendant; with ``outside_group``, only those that left our group (the
    platform signals the group itself)."""
    children: dict[int, list[int]] = {}
    groups: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry))
        groups[int(entry)] = int(fields[2])
    own_group = os.getpgrp()
    pending = list(children.get(os.getpid(), []))
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        if outside_group and groups.get(pid) == own_group:
            continue
        try:
            os.kill(pid, signum)
        except OSError:
            continue  # it ended meanwhile


# -- the program ---------------------------------------------------------------------------


def _start_program(spec: dict[str, Any], workdir: str | None) -> int:
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        for signum in RESET:
            signal.signal(signum, signal.SIG_DFL)
        os.set_inheritable(spec["report_fd"], False)  # closed by a successful exec
        run_as = spec["run_as"]
        if run_as is not None:
            os.setgroups([])
            os.setgid(run_as[1])
            os.setuid(run_as[0])
        elif spec["mode"] == "namespaces" and spec["user_namespace"]:
            _drop_capabilities()  # root in the namespace, but unable to undo the mounts
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        if workdir is not None:
            os.chdir(workdir)
    except (OSError, SetupError) as err:
        _report(spec, f"setup {err}")
        os._exit(EXIT_SETUP_FAILED)
    argv = spec["argv"]
    try:
        os.execvp(argv[0], argv)
    except OSError as err:
        _report(spec, f"exec {err.errno}")
    os._exit(EXIT_EXEC_FAILED)


def _drop_capabilities() -> None:
    with open("/proc/sys/kernel/cap_last_cap") as last:
        highest = int(last.read())
    for capability in range(highest + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl(CAPBSET_DROP)")


# -- small helpers -------------------------------------------------------------------------


def _exit_like(status: int) -> NoReturn:
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)  # a signal that does not end a process
    os._exit(os.waitstatus_to_exitcode(status))


def _mount(
    source: str | None, target: str, kind: str | None, flags: int, data: str | None, what: str
) -> None:
    result = _libc.mount(
        None if source is None else os.fsencode(source),
        os.fsencode(target),
        None if kind is None else kind.encode(),
        flags,
        None if data is None else data.encode(),
    )
    _check(result, what)


def _check(result: int, what: str) -> None:
    if result != 0:
        raise SetupError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as err:
        raise SetupError(f"write {path}: {err.strerror}") from None


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _report(spec: dict[str, Any], line: str) -> None:
    try:
        os.write(spec["report_fd"], line.encode("utf-8", "replace")[:4000] + b"\n")
    except OSError:
        return  # nobody to tell


if __name__ == "__main__":
    main(sys.argv[1:])
