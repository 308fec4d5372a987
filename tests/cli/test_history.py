"""``evalkit history`` as a user runs it: the default runs folder, artifacts, the three forms."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.harness import Evalkit
from tests.report.history_runs import RUN_NAMES, make_history


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    make_history(folder)
    return folder


def test_the_projects_runs_by_default_as_a_table(evalkit: Evalkit, project: Path) -> None:
    ran = evalkit("-m", project / "evalkit.yaml", "history")
    assert ran.code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert any("climbing" in line and "steady" in line for line in lines)
    rows = [line for line in lines if "%" in line]
    assert [row.split()[2:4] for row in rows] == [
        ["33%", "0.33"],
        ["67%", "0.67"],
        ["100%", "1.00"],
    ]
    assert "+67 points" in ran.stdout
    assert ran.stderr == ""


def test_json_and_markdown(evalkit: Evalkit, project: Path) -> None:
    runs = project / ".evalkit" / "runs"
    ran = evalkit("history", runs, "--json", "--last", "2")
    assert ran.code == 0, ran.stderr
    data = json.loads(ran.stdout)
    assert [run["run_id"] for run in data["runs"]] == list(RUN_NAMES[1:])
    ran = evalkit("history", runs, "--markdown")
    assert ran.code == 0, ran.stderr
    assert "| trend | +67 points | steady |" in ran.stdout


def test_a_bad_summary_is_skipped_with_a_warning(
    evalkit: Evalkit, project: Path, tmp_path: Path
) -> None:
    shutil.copytree(project / ".evalkit" / "runs", tmp_path / "artifact")
    bad = tmp_path / "artifact" / "junk" / "summary.json"
    bad.parent.mkdir()
    bad.write_text('{"hello": ')
    ran = evalkit("history", tmp_path / "artifact")
    assert ran.code == 0
    assert ran.stderr.count("warning:") == 1
    assert str(bad) in ran.stderr
    assert "Traceback" not in ran.stderr
    assert "+67 points" in ran.stdout


def test_none_found_is_exit_2_saying_where(evalkit: Evalkit, tmp_path: Path) -> None:
    ran = evalkit("-m", tmp_path / "evalkit.yaml", "history")
    assert ran.code == 2
    assert f"found in {tmp_path / '.evalkit' / 'runs'}" in ran.stderr
    assert "Traceback" not in ran.stderr
