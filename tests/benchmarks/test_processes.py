"""The benchmark's measures of a command: its process tree's memory, not only its own."""

from __future__ import annotations

import contextlib
import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

import pytest

from benchmarks.processes import (
    CommandFailed,
    TreeRssSampler,
    compile_package,
    run_evalkit,
    tree_rss_kb,
)

MEGABYTES = 80
#: what the benchmark process holds when it starts a command (more than any command's own)
BENCHMARK_HOLDS_MB = 600
PATIENCE_SECONDS = 60


class _Pipes(NamedTuple):
    """A sampled program's standard input and output."""

    stdin: IO[bytes]
    stdout: IO[bytes]


@contextlib.contextmanager
def _sampled_tree(program: str) -> Iterator[tuple[_Pipes, TreeRssSampler]]:
    """``program`` running, its pipes, and its process tree sampled; once the block ends, its
    input is closed (it ends), it is waited for and the sampling stops."""
    with subprocess.Popen(
        [sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        assert process.stdin is not None
        sampler = TreeRssSampler(process.pid)
        sampler.start()
        try:
            yield _Pipes(process.stdin, process.stdout), sampler
        finally:
            process.stdin.close()
            process.wait()
            sampler.stop()


#: a parent that starts a child holding ``MEGABYTES`` MB, says so, and waits for its stdin
TREE = f"""
import subprocess, sys
holder = '''
import sys
held = bytearray(b"x") * ({MEGABYTES} << 20)  # written, so resident
print("holding", flush=True)
sys.stdin.read()
'''
subprocess.run([sys.executable, "-c", holder])
"""


def test_the_tree_s_memory_counts_the_child_of_the_command() -> None:
    with _sampled_tree(TREE) as (parent, sampler):
        assert parent.stdout.readline() == b"holding\n"  # the grandchild holds its memory
        now = tree_rss_kb(sampler.pid)
        # seen while it holds: a sweep under way when it said so may have seen it halfway
        # through writing its memory (the tree's sum already over the mark, its own not)
        _wait_for_sweeps(sampler, 2)
    assert now >= MEGABYTES * 1024
    assert sampler.peak_kb >= MEGABYTES * 1024
    own, *others = sampler.peaks_mb()  # the parent's own mark first, then its child's
    assert own < MEGABYTES
    assert max(others) >= MEGABYTES
    assert sum(sampler.peaks_mb()) == pytest.approx(sampler.peak_kb / 1024)


#: a parent that runs two children holding ``MEGABYTES`` MB each, one after the other (a
#: pause between them), then waits for its stdin
ONE_AFTER_THE_OTHER = f"""
import subprocess, sys, time
holder = '''
import time
held = bytearray(b"x") * ({MEGABYTES} << 20)  # written, so resident
time.sleep(0.3)
'''
subprocess.run([sys.executable, "-c", holder])
time.sleep(0.3)
subprocess.run([sys.executable, "-c", holder])
print("both done", flush=True)
sys.stdin.read()
"""


def test_processes_that_never_lived_at_once_are_not_added_up() -> None:
    """The tree's peak is what it held at once: two children of 80 MB that ran one after the
    other held 80 MB at most, not 160 (each one's own mark is still kept)."""
    with _sampled_tree(ONE_AFTER_THE_OTHER) as (parent, sampler):
        assert parent.stdout.readline() == b"both done\n"
    own, *children = sampler.peaks_mb()
    assert len([mb for mb in children if mb >= MEGABYTES]) == 2  # both were seen holding
    assert MEGABYTES * 1024 <= sampler.peak_kb < (own + 1.5 * MEGABYTES) * 1024


def test_a_process_that_is_gone_holds_nothing() -> None:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as done:
        done.wait()
    assert tree_rss_kb(done.pid) == 0


def test_a_command_s_peak_is_its_own_not_the_benchmark_s_that_started_it(tmp_path: Path) -> None:
    """A child forked from a benchmark holding much memory reports that memory as its own
    ``ru_maxrss``, even after ``exec``; the measured peak is the command's."""
    held = bytearray(b"x") * (BENCHMARK_HOLDS_MB << 20)  # written, so resident here
    measured = run_evalkit(["--version"], tmp_path)
    assert len(held) == BENCHMARK_HOLDS_MB << 20
    assert 0 < measured.peak_rss_mb < BENCHMARK_HOLDS_MB / 2


#: a parent holding ``PARENT_HOLDS_MB`` MB that forks; the copy waits for a line on stdin
#: before it ``exec``s a program holding ``MEGABYTES`` MB (as subprocess.Popen forks, then
#: ``exec``s the agent program) which waits for the end of stdin
PARENT_HOLDS_MB = 200
FORK_THEN_EXEC = f"""
import os, sys
held = bytearray(b"x") * ({PARENT_HOLDS_MB} << 20)  # written, so resident
holder = '''
import sys
held = bytearray(b"x") * ({MEGABYTES} << 20)
print("holding", flush=True)
sys.stdin.read()
'''
child = os.fork()
if child == 0:
    print("forked", flush=True)
    sys.stdin.readline()  # the copy waits here, before its exec
    os.execv(sys.executable, [sys.executable, "-c", holder])
os.waitpid(child, 0)
"""


def _wait_for_sweeps(sampler: TreeRssSampler, more: int) -> None:
    """Until the sampler has looked at the whole tree ``more`` more times."""
    target = sampler.sweeps + more
    deadline = time.monotonic() + PATIENCE_SECONDS
    while sampler.sweeps < target and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sampler.sweeps >= target


def test_a_forked_copy_costs_nothing_before_its_exec_and_its_own_after() -> None:
    """A child seen between fork and ``exec`` has its parent's pages, shared copy on write:
    its ``VmHWM`` is the parent's, and counting it counted the parent twice."""
    with _sampled_tree(FORK_THEN_EXEC) as (parent, sampler):
        assert parent.stdout.readline() == b"forked\n"
        _wait_for_sweeps(sampler, 2)  # seen while the copy waits before its exec
        before_exec_kb = sampler.peak_kb
        parent.stdin.write(b"go\n")
        parent.stdin.flush()
        assert parent.stdout.readline() == b"holding\n"
        _wait_for_sweeps(sampler, 2)  # seen while the exec'd program holds its memory
    assert PARENT_HOLDS_MB * 1024 <= before_exec_kb < 1.5 * PARENT_HOLDS_MB * 1024
    # the parent, and the program once exec'd, with its own memory: not the parent's twice
    assert (PARENT_HOLDS_MB + MEGABYTES) * 1024 <= sampler.peak_kb < 2 * PARENT_HOLDS_MB * 1024


def test_the_package_is_compiled_as_a_first_import_would_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    package = tmp_path / "package"
    (package / "inner").mkdir(parents=True)
    modules = [package / "__init__.py", package / "inner" / "module.py"]
    for module in modules:
        module.write_text("VALUE = 1\n")
    compile_package(package)
    for module in modules:
        assert Path(importlib.util.cache_from_source(str(module))).is_file(), module


def test_a_package_that_does_not_compile_stops_the_benchmark(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n")
    with pytest.raises(CommandFailed, match="do not compile"):
        compile_package(tmp_path)
