"""The launch spawns the platform's process before it imports the rest of the parent's side
(its serving, stopping and errors: ``test_child.py``)."""

from __future__ import annotations

import subprocess
import sys

from evalkit.emulator import child, launch

#: what the parent's side imports besides the spawn (the child's module, json, logging...)
NOT_BEFORE_THE_SPAWN = ("evalkit.emulator.child", "evalkit.emulator.config", "json", "logging")

_SPAWN_ORDER = f"""
import subprocess, sys
real_popen = subprocess.Popen
loaded_at_spawn = []

def popen(*args, **options):
    loaded_at_spawn.extend(m for m in {NOT_BEFORE_THE_SPAWN!r} if m in sys.modules)
    return real_popen(*args, **options)

subprocess.Popen = popen
from evalkit.emulator.launch import PlatformLaunch
with PlatformLaunch() as early:
    pass
print(loaded_at_spawn, "evalkit.emulator.child" in sys.modules)
"""


def test_the_process_is_spawned_before_the_rest_of_the_parents_side_is_imported() -> None:
    """``evalkit run`` launches before its own imports: the child started 5-10 ms sooner."""
    done = subprocess.run(
        [sys.executable, "-c", _SPAWN_ORDER], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True"]


def test_the_child_module_names_the_same_launch() -> None:
    assert child.PlatformLaunch is launch.PlatformLaunch
