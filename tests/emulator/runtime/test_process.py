"""Process groups, deadlines, cancel and output caps of ``run_process``."""

from __future__ import annotations

import os
import sys
import textwrap
import threading
from pathlib import Path

from evalkit.emulator.runtime.process import ProcessResult, run_process

ENV = {"PATH": os.environ.get("PATH", os.defpath)}

# Starts a child in the same process group, records both pids, then sleeps.
FAMILY = textwrap.dedent(
    """
    import os, signal, sys, time
    if len(sys.argv) > 1 and sys.argv[1] == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = os.fork()
    if child == 0:
        time.sleep(600)
        os._exit(0)
    with open("pids.tmp", "w") as f:
        f.write(f"{os.getpid()} {child}")
    os.rename("pids.tmp", "pids")
    time.sleep(600)
    """
)


def is_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def start_family(
    tmp_path: Path, *args: str, grace: float = 2.0
) -> tuple[threading.Thread, threading.Event, list[ProcessResult], list[int]]:
    (tmp_path / "family.py").write_text(FAMILY)
    cancel = threading.Event()
    results: list[ProcessResult] = []

    def run() -> None:
        results.append(
            run_process(
                [sys.executable, "family.py", *args],
                cwd=tmp_path,
                env=ENV,
                timeout_seconds=600,
                cancel=cancel,
                grace_seconds=grace,
            )
        )

    worker = threading.Thread(target=run)
    worker.start()
    pids_file = tmp_path / "pids"
    # Bounded wait for the program to report its pids (it runs for real, so this is not timing).
    for _ in range(600):
        if pids_file.exists():
            break
        cancel.wait(0.05)
    pids = [int(p) for p in pids_file.read_text().split()]
    return worker, cancel, results, pids


def settle(pids: list[int]) -> bool:
    """Give the reaper a moment to collect orphans; True once every pid is gone."""
    pause = threading.Event()
    for _ in range(200):
        if all(is_gone(pid) for pid in pids):
            return True
        pause.wait(0.05)
    return False


def test_cancel_terminates_the_whole_process_group(tmp_path: Path) -> None:
    worker, cancel, results, pids = start_family(tmp_path)
    cancel.set()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert results[0].reason == "cancelled"
    assert settle(pids), f"processes still running: {pids}"


def test_sigterm_ignored_escalates_to_sigkill_after_grace(tmp_path: Path) -> None:
    worker, cancel, results, pids = start_family(tmp_path, "ignore-term", grace=0.2)
    cancel.set()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert results[0].reason == "cancelled"
    assert results[0].returncode == -9
    assert settle(pids)


def test_timeout_ends_the_group(tmp_path: Path) -> None:
    (tmp_path / "family.py").write_text(FAMILY)
    result = run_process(
        [sys.executable, "family.py"],
        cwd=tmp_path,
        env=ENV,
        timeout_seconds=2.0,  # ample for the program to start and record its pids
        cancel=threading.Event(),
    )
    assert result.reason == "timeout"
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert settle(pids)


def test_children_left_behind_after_a_normal_exit_are_killed(tmp_path: Path) -> None:
    script = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "print(child.pid)\n"
    )
    result = run_process(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=ENV,
        timeout_seconds=60,
        cancel=threading.Event(),
    )
    assert result.reason == "exited"
    assert result.returncode == 0
    assert settle([int(result.stdout)])


def test_stdout_is_capped_and_stderr_keeps_its_tail(tmp_path: Path) -> None:
    script = (
        "import sys\nsys.stdout.write('a' * 100_000)\nsys.stderr.write('x' * 100_000 + 'END')\n"
    )
    result = run_process(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=ENV,
        timeout_seconds=60,
        cancel=threading.Event(),
        stdout_cap=1000,
    )
    assert result.stdout == b"a" * 1000
    assert result.stdout_truncated
    assert result.stderr_tail.endswith(b"xEND")
    assert len(result.stderr_tail) == 64 * 1024


def test_stdin_is_closed(tmp_path: Path) -> None:
    result = run_process(
        [sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"],
        cwd=tmp_path,
        env=ENV,
        timeout_seconds=60,
        cancel=threading.Event(),
    )
    assert result.stdout.strip() == b"''"
