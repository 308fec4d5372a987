"""glibc's malloc arenas capped: in the ``evalkit`` command's own process, and in the local
platform's, where the user's ``MALLOC_ARENA_MAX`` wins. Each check counts the arenas a process
really has (glibc's ``malloc_stats``) once several threads have allocated at the same time.
And the heap pages freed handed back to the system (``give_back_memory``)."""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit.emulator.child import PlatformLaunch
from evalkit.malloc_arenas import ARENA_MAX_VARIABLE, ARENAS, give_back_memory, with_arena_cap

THREADS = 8
#: at exit, ``THREADS`` threads allocate (with malloc: buffers pymalloc leaves to it) while all
#: are alive, then glibc's ``malloc_stats`` writes one "Arena N:" line per arena on stderr
COUNT_ARENAS_AT_EXIT = f"""
import atexit, ctypes, threading
def count_arenas():
    barrier = threading.Barrier({THREADS} + 1)
    def allocate():
        held = bytearray(1 << 16)
        barrier.wait()
        barrier.wait()
    threads = [threading.Thread(target=allocate) for _ in range({THREADS})]
    for thread in threads:
        thread.start()
    barrier.wait()
    ctypes.CDLL(None).malloc_stats()
    barrier.wait()
    for thread in threads:
        thread.join()
atexit.register(count_arenas)
"""


def _is_glibc() -> bool:
    try:
        ctypes.CDLL(None).mallopt  # noqa: B018  # glibc's, absent elsewhere
    except (OSError, AttributeError, TypeError):
        return False
    return True


glibc_only = pytest.mark.skipif(not _is_glibc(), reason="malloc arenas are glibc's")


def _arenas_of(code: str, environ: dict[str, str]) -> int:
    """How many arenas a Python process running ``code`` has at its exit."""
    done = subprocess.run(
        [sys.executable, "-c", COUNT_ARENAS_AT_EXIT + code],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def _environ_without_cap() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != ARENA_MAX_VARIABLE}


CLI_VERSION = "import sys; sys.argv = ['evalkit', '--version']\n" + (
    "from evalkit.cli.main import main; main()"
)


@glibc_only
def test_the_command_s_threads_share_its_capped_arenas() -> None:
    uncapped = _arenas_of("", _environ_without_cap())
    capped = _arenas_of(CLI_VERSION, _environ_without_cap())
    assert uncapped > ARENAS  # the check sees arenas multiply without the cap
    assert 1 <= capped <= ARENAS


@glibc_only
def test_the_user_s_malloc_arena_max_wins_in_the_command() -> None:
    environ = {**_environ_without_cap(), ARENA_MAX_VARIABLE: "4"}
    assert _arenas_of(CLI_VERSION, environ) == 4


def test_a_child_s_environment_gets_the_cap_unless_the_user_set_one() -> None:
    assert with_arena_cap({"PATH": "/bin"}) == {"PATH": "/bin", ARENA_MAX_VARIABLE: str(ARENAS)}
    assert with_arena_cap({ARENA_MAX_VARIABLE: "6"}) == {ARENA_MAX_VARIABLE: "6"}


def _environ_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_the_local_platform_starts_with_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ARENA_MAX_VARIABLE, raising=False)
    with PlatformLaunch() as launch:
        assert _environ_of(launch.pid)[ARENA_MAX_VARIABLE] == str(ARENAS)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_the_user_s_malloc_arena_max_wins_in_the_local_platform(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ARENA_MAX_VARIABLE, "5")
    with PlatformLaunch() as launch:
        assert _environ_of(launch.pid)[ARENA_MAX_VARIABLE] == "5"


def test_memory_is_handed_back_to_the_system_where_the_c_library_can() -> None:
    assert give_back_memory() is (platform.libc_ver()[0] == "glibc")


@glibc_only
def test_the_heap_pages_freed_are_handed_back() -> None:
    """Many small blocks freed leave pages glibc keeps until ``malloc_trim``."""
    code = (
        "from evalkit.malloc_arenas import give_back_memory\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'): return int(line.split()[1])\n"
        "held = [bytes(600) for _ in range(200_000)]\n"
        "kept = held[::1000]\n"
        "del held\n"
        "before = rss()\n"
        "give_back_memory()\n"
        "print(before - rss())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert int(done.stdout) > 50_000  # kB: most of the ~120 MB freed
