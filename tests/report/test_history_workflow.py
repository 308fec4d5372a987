"""The history step of examples/github-workflows/evalkit-main.yml, run as GitHub runs it: the
previous history plus this run's summary, cut to the newest 30 by their recorded start time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from evalkit.report import RunResults
from evalkit.runner.jsonl import write_summary
from tests.report.sample_runs import ROOT

WORKFLOW = ROOT / "examples" / "github-workflows" / "evalkit-main.yml"


def _keep_step() -> dict[str, object]:
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["sync-and-run"]["steps"]
    return next(step for step in steps if step.get("name", "").startswith("Keep the last"))


def test_the_history_keeps_the_newest_30_by_start_time(
    tmp_path: Path, failing_run: RunResults
) -> None:
    assert failing_run.summary is not None
    history = tmp_path / "evalkit-history"
    for day in range(1, 32):  # 31 earlier runs; folder names sort against their start times
        summary = failing_run.summary.model_copy(deep=True)
        summary.metadata.run_id = f"run-{day}"
        summary.metadata.started_at = f"2026-01-{day:02d}T09:00:00.000Z"
        write_summary(history / f"{100 - day}" / "summary.json", summary)
    (history / "junk").mkdir()
    (history / "junk" / "summary.json").write_text("not a summary")
    this_run = failing_run.summary.model_copy(deep=True)
    this_run.metadata.run_id = "run-now"
    this_run.metadata.started_at = "2026-02-01T09:00:00.000Z"
    write_summary(tmp_path / "run" / "summary.json", this_run)

    step = _keep_step()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **{key: str(value) for key, value in dict(step["env"]).items()},  # type: ignore[call-overload]
        "RUN_DIR": str(tmp_path / "run"),
        "GITHUB_RUN_ID": "7",
        "GITHUB_RUN_ATTEMPT": "1",
    }
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", str(step["run"])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    kept = sorted(path.parent.name for path in history.rglob("summary.json"))
    assert len(kept) == 30
    assert "7-1" in kept  # this run's summary
    # the two oldest runs went (days 1 and 2: folders 99 and 98), and the unreadable file
    assert "99" not in kept
    assert "98" not in kept
    assert "97" in kept
    assert "junk" not in kept
