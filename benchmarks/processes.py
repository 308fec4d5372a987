"""The processes a benchmark measures: the ``evalkit`` command, and ``evalkit serve`` beside it.

Each command is a child process, timed from start to exit. Its CPU time comes from
``os.wait4``: the command's own and that of every process it waited for, so the local platform
``evalkit run`` starts in a child process of its own (``evalkit.emulator.child``, always waited
for when the run ends) and the agent programs that platform ran are counted. Peak memory is the
most the command's process tree held at once, as a user's machine holds it (the run and its
platform together): at each sample (every ``RSS_SAMPLE_SECONDS``), the sum of the high-water
marks so far (``VmHWM`` in ``/proc/<pid>/status``, which no sample can miss) of the processes
alive then, or at the sample before (one that ended in between). An upper bound of the true
peak: a process's mark so far is at least what it holds. Processes that never lived at the
same time are not added up: the platform's isolation check starts two programs of about 10 MB
that end in a few tens of milliseconds, long before the run holds its most.
A process forked and not yet ``exec``'d (the platform starting an agent program) is not
counted until its ``exec``: its pages are the parent's, shared copy on write, and its
``VmHWM`` would count the parent's memory a second time; after the ``exec`` its mark is its own.
A copy that never ``exec``s (the agent launcher's init, in namespaces) is left out: the few
pages it writes are not counted.
Not ``wait4``'s ``ru_maxrss``: a child forked from this benchmark carries the benchmark's own
resident memory at the fork into its ``ru_maxrss`` across ``exec`` (after the report scenario,
303 MB whatever the command held). A platform served from another process (``serve``) is not
counted. The commands run evalkit as a user's machine has it after a first use: its modules'
bytecode compiled (``compile_package``, before the first scenario; with
``PYTHONDONTWRITEBYTECODE`` set, or a module changed since, every timed command would compile
the modules it imports again). Set ``profile_dir`` (``python -m benchmarks --profile DIR``) to
run every command under cProfile, one ``.prof`` file each; the figures are then inflated by the
profiler.
"""

from __future__ import annotations

import compileall
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

#: variables of the benchmark's own environment that would change what the command does
_CLEARED = (
    "EIGENPAL_BASE_URL",
    "EIGENPAL_API_KEY",
    "EVALKIT_SERVE_API_KEY",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "CI",
)
_PROFILE_COUNTER = itertools.count(1)
#: how often the process tree's memory is sampled
RSS_SAMPLE_SECONDS = 0.02
profile_dir: Path | None = None


class CommandFailed(RuntimeError):
    """A command the benchmark needs exited with an unexpected code."""


@dataclass(frozen=True)
class Measured:
    """One finished command."""

    args: tuple[str, ...]
    returncode: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    #: the parts of ``peak_rss_mb``: the command's own high-water mark, then each descendant's
    peaks_mb: tuple[float, ...] = ()


@dataclass(frozen=True)
class Served:
    """``evalkit serve`` running in its own process."""

    base_url: str
    api_key: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server process used so far (all its threads)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def env(self) -> dict[str, str]:
        """What a user sets to point evalkit at this platform."""
        return {"EIGENPAL_BASE_URL": self.base_url, "EIGENPAL_API_KEY": self.api_key}


def compile_package(folder: Path) -> None:
    """Write the bytecode of every module below ``folder`` that lacks it or is stale, as
    Python's first import of each would (whatever ``PYTHONDONTWRITEBYTECODE`` says)."""
    if not compileall.compile_dir(str(folder), quiet=1):
        raise CommandFailed(f"the modules below {folder} do not compile")


def evalkit_command(args: Sequence[str], label: str = "evalkit") -> list[str]:
    """The command line a user types, run with the interpreter of this environment."""
    command = [sys.executable]
    if profile_dir is not None:
        profile_dir.mkdir(parents=True, exist_ok=True)
        out = profile_dir / f"{next(_PROFILE_COUNTER):03d}-{label}.prof"
        command += ["-m", "cProfile", "-o", str(out)]
    return [*command, "-m", "evalkit", *args]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run_evalkit(
    args: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    expect: Sequence[int] = (0,),
    timeout: float = 900,
    label: str = "evalkit",
) -> Measured:
    """Run ``evalkit ARGS`` in ``cwd`` and measure it; a code outside ``expect`` raises."""
    command = evalkit_command(args, label)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=child_env(env), stdout=out, stderr=err, start_new_session=True
        )
        timer = threading.Timer(timeout, _kill_group, (process.pid,))
        timer.start()
        tree = TreeRssSampler(process.pid)
        tree.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            tree.stop()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        measured = Measured(
            args=tuple(args),
            returncode=process.returncode,
            wall_seconds=wall,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=tree.peak_kb / 1024,
            peaks_mb=tree.peaks_mb(),
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )
    if measured.returncode not in expect:
        raise CommandFailed(
            f"evalkit {' '.join(args)} exited with {measured.returncode} in {cwd}:\n"
            + measured.stderr[-3000:]
        )
    return measured


class TreeRssSampler(threading.Thread):
    """The peak memory of ``pid`` and its descendants, sampled every ``RSS_SAMPLE_SECONDS``
    until ``stop``: the most that the processes alive at one sample (or at the one before)
    held, each counted at its high-water mark so far (``VmHWM``). A process that lives less
    than a sample's interval is missed, and so is what one gains in its last interval."""

    def __init__(self, pid: int) -> None:
        super().__init__(name=f"rss-of-{pid}", daemon=True)
        self.pid = pid
        self._high_water_kb: dict[int, int] = {}
        self._peak_kb = 0
        self._stopped = threading.Event()
        #: how many times the tree was looked at so far
        self.sweeps = 0

    @property
    def peak_kb(self) -> int:
        return self._peak_kb

    def peaks_mb(self) -> tuple[float, ...]:
        """Each process's own high-water mark: the root's first, then in the order seen."""
        root = self._high_water_kb.get(self.pid, 0)
        others = [kb for pid, kb in self._high_water_kb.items() if pid != self.pid]
        return tuple(kb / 1024 for kb in [root, *others])

    def run(self) -> None:
        before: set[int] = set()
        while not self._stopped.is_set():
            alive = tree_high_water_kb(self.pid)
            for pid, high_water in alive.items():
                self._high_water_kb[pid] = max(self._high_water_kb.get(pid, 0), high_water)
            together = before | alive.keys()  # alive now, or a sweep ago (ended in between)
            held = sum(self._high_water_kb[pid] for pid in together)
            self._peak_kb = max(self._peak_kb, held)
            before = set(alive)
            self.sweeps += 1
            self._stopped.wait(RSS_SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def tree_pids(root: int) -> list[int]:
    """``root`` and its descendants now (parents from ``/proc/<pid>/stat``)."""
    return list(_tree_parents(root))


def tree_high_water_kb(root: int) -> dict[int, int]:
    """Each living process of the tree that costs memory of its own: its high-water mark of
    resident memory, in kilobytes (a forked copy not yet ``exec``'d is left out)."""
    marks = {}
    for pid in _own_processes(root):
        mark = _status_kb(pid, b"VmHWM:")
        if mark is not None:
            marks[pid] = mark
    return marks


def tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and its descendants now, in kilobytes (0 once it is gone;
    a forked copy not yet ``exec``'d is left out)."""
    return sum(_status_kb(pid, b"VmRSS:") or 0 for pid in _own_processes(root))


def _tree_parents(root: int) -> dict[int, int]:
    """``root`` and its descendants now, each with its parent's pid."""
    children: dict[int, list[int]] = {}
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                parent = int(stat.read().rsplit(b")", 1)[1].split()[1])  # field 4, after comm
        except (OSError, IndexError, ValueError):  # ended while we looked
            continue
        children.setdefault(parent, []).append(int(entry.name))
        parents[int(entry.name)] = parent
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        found[pid] = parents.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return found


def _own_processes(root: int) -> list[int]:
    """The tree's processes less those that are still a forked copy of their parent."""
    return [pid for pid, parent in _tree_parents(root).items() if not _forked_copy(pid, parent)]


def _forked_copy(pid: int, parent: int) -> bool:
    """Whether ``pid`` still runs its parent's program: forked, not yet ``exec``'d (the same
    executable with the same command line; an ``exec`` changes the one or the other)."""
    try:
        return os.readlink(f"/proc/{pid}/exe") == os.readlink(f"/proc/{parent}/exe") and (
            _cmdline(pid) == _cmdline(parent)
        )
    except OSError:  # either is gone, or not ours to look at: counted as its own
        return False


def _cmdline(pid: int) -> bytes:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read()


def _status_kb(pid: int, field: bytes) -> int | None:
    """A ``kB`` field of ``/proc/<pid>/status``; None when the process is gone (or a zombie,
    which has no memory left to show)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return None


def _kill_group(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(data_dir: Path, *, workers: int | None = None) -> Iterator[Served]:
    """``evalkit serve`` with its state in ``data_dir``, stopped (SIGTERM) at the end."""
    port = free_port()
    api_key = "eg_bench_" + os.urandom(12).hex()
    args = ["serve", "--port", str(port), "--data", str(data_dir)]
    if workers is not None:
        args += ["--workers", str(workers)]
    log = data_dir.parent / f"serve-{port}.log"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            evalkit_command(args, "serve"),
            cwd=data_dir.parent,
            env=child_env({"EVALKIT_SERVE_API_KEY": api_key}),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", api_key, process.pid)
    try:
        _wait_until_up(served.base_url, process, log)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-3000:]
            raise CommandFailed(f"evalkit serve exited with {process.returncode}:\n{said}")
        try:
            httpx.get(f"{base_url}/_emulator/health", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise CommandFailed(f"evalkit serve did not answer within 60 s: {log}")
