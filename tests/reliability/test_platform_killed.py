"""The platform dies mid-run (SIGKILL, no clean shutdown) and comes back on the same data.

The run ends with an infrastructure error naming what is unfinished (or completes), nothing on
disk is corrupt, no execution stays "running" forever, and running again completes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalkit.client import EigenpalClient

from .processes import SOAK, clean_environment, evalkit, serve
from .projects import write_echo_project

KEY = "eg_killed_platform"
EXAMPLES = 60 * SOAK
UNFINISHED = {"created", "pending", "running", "waiting", "finalizing"}


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.mark.slow
def test_a_killed_platform_ends_the_run_cleanly_and_a_rerun_completes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    manifest = write_echo_project(project, EXAMPLES, delay_ms=400)
    data = tmp_path / "platform"
    with serve(data, KEY) as served:
        synced = evalkit("-m", str(manifest), "sync", "--yes", cwd=project, env=served.env())
        assert synced.code == 0, synced.printed
        run = subprocess.Popen(
            [sys.executable, "-m", "evalkit", "-m", str(manifest), "run", "--no-feedback"],
            cwd=project,
            env=clean_environment(served.env()),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs = project / ".evalkit" / "runs"
        deadline = time.monotonic() + 300
        while not any(_lines(results) >= 10 for results in runs.glob("*/results.jsonl")):
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "the run made no progress"
            time.sleep(0.05)
        os.kill(served.process.pid, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=600)
    printed = stdout + stderr
    assert "Traceback" not in printed
    assert run.returncode in (0, 3), printed
    (run_folder,) = runs.iterdir()
    results = [json.loads(line) for line in (run_folder / "results.jsonl").read_text().splitlines()]
    summary = json.loads((run_folder / "summary.json").read_text())
    assert len(results) == EXAMPLES, "every example has a line, finished or not"
    if run.returncode == 3:
        assert summary["status"] == "infrastructure"
        unfinished = [result for result in results if result["verdict"] != "pass"]
        assert unfinished, "exit 3 with nothing unfinished"
        assert all(result["error"] is not None for result in unfinished)

    for database in data.glob("*.sqlite3"):
        with sqlite3.connect(database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",), database

    with serve(data, KEY) as served:
        with EigenpalClient(api_key=KEY, base_url=served.base_url) as api:
            statuses = [
                execution.status.value for execution in api.agents.executions.iter_list("echo")
            ]
        assert not UNFINISHED & set(statuses), "an execution stays unfinished after a restart"
        again = evalkit("-m", str(manifest), "run", cwd=project, env=served.env(), timeout=600)
    assert again.code == 0, again.printed
