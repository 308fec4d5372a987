"""The benchmark's measures of a command: its process tree's memory, not only its own."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.processes import TreeRssSampler, run_evalkit, tree_rss_kb

MEGABYTES = 80
#: what the benchmark process holds when it starts a command (more than any command's own)
BENCHMARK_HOLDS_MB = 600
PATIENCE_SECONDS = 60
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
    with subprocess.Popen(
        [sys.executable, "-c", TREE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as parent:
        assert parent.stdout is not None
        assert parent.stdin is not None
        sampler = TreeRssSampler(parent.pid)
        sampler.start()
        assert parent.stdout.readline() == b"holding\n"  # the grandchild holds its memory
        now = tree_rss_kb(parent.pid)
        deadline = time.monotonic() + PATIENCE_SECONDS
        while sampler.peak_kb < MEGABYTES * 1024 and time.monotonic() < deadline:
            time.sleep(0.02)  # until the sampler has looked at least once while it holds
        parent.stdin.close()
        parent.wait()
        sampler.stop()
    assert now >= MEGABYTES * 1024
    assert sampler.peak_kb >= MEGABYTES * 1024


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
