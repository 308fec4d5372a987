"""`python -m benchmarks` keeps working: every scenario runs at its small size and gives figures.

No timing is asserted (the machine is busy); the figures only have to exist and make sense.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]


def test_every_scenario_runs_at_the_small_size_and_writes_its_figures(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "small", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    document = json.loads(out.read_text())
    assert document["size"] == "small"
    # the machine named, and its single-core speed measured before and after the scenarios
    assert document["machine"].startswith(document["machine"].split(" cores")[0] + " cores")
    calibration = document["calibration_ms"]
    assert calibration["before"] > 0
    assert calibration["after"] > 0
    assert "this machine's speed: a fixed single-core workload in" in finished.stdout
    assert [run["name"] for run in document["scenarios"]] == [s.name for s in SCENARIOS]
    assert all(run["error"] is None for run in document["scenarios"])
    rows = document["rows"]
    assert {row["scenario"] for row in rows} == {s.name for s in SCENARIOS}
    for row in rows:
        assert math.isfinite(row["figure"]), row
        assert row["unit"], row
        if row["target"] is None:
            assert row["ratio"] is None, row
            assert row["met"] is None, row
        else:
            assert row["ratio"] == row["figure"] / row["target"], row
            assert isinstance(row["met"], bool), row
    # the table on stdout names every figure
    for row in rows:
        assert row["label"] in finished.stdout


def test_list_describes_every_scenario() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for scenario in SCENARIOS:
        assert f"{scenario.name}: {scenario.title}" in finished.stdout
