"""The benchmark's measures of a command: its process tree's memory, not only its own."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.processes import TreeRssSampler, tree_rss_kb

MEGABYTES = 80
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
