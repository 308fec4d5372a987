"""Ids keep their shapes, never repeat, and a forked child does not repeat its parent's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from evalkit.emulator.store.ids import (
    new_agent_id,
    new_commit,
    new_execution_id,
    new_request_id,
)


def test_shapes() -> None:
    assert re.fullmatch(r"awf_[0-9a-f]{24}", new_agent_id())
    assert re.fullmatch(r"exec_[0-9a-f]{24}", new_execution_id())
    assert re.fullmatch(r"req_[0-9a-f]{16}", new_request_id())
    assert re.fullmatch(r"c_[0-9a-f]{32}", new_commit())


def test_no_repeats() -> None:
    assert len({new_execution_id() for _ in range(100_000)}) == 100_000


FORK_AND_DRAW = """
import os
from evalkit.emulator.store.ids import new_execution_id
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    os.write(write_end, new_execution_id().encode())
    os._exit(0)
os.close(write_end)
os.waitpid(pid, 0)
print(os.fdopen(read_end).read(), new_execution_id())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_a_forked_child_draws_other_ids_than_its_parent() -> None:
    # In a fresh interpreter of its own: forking this multi-threaded one would be unsafe.
    done = subprocess.run(
        [sys.executable, "-c", FORK_AND_DRAW], capture_output=True, text=True, check=True
    )
    child_id, parent_id = done.stdout.split()
    assert re.fullmatch(r"exec_[0-9a-f]{24}", child_id)
    assert child_id != parent_id
