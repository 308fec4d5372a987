"""The history of runs (evalkit/report/history.py): read from summaries, in start order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evalkit.errors import RunError
from evalkit.report.history import (
    AgentPoint,
    RunMark,
    earlier_runs,
    find_history,
    history_data,
    history_markdown,
    history_rows,
    rate_text,
)
from tests.report.history_runs import RUN_NAMES, make_history


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_history(tmp_path_factory.mktemp("history"))


def test_three_runs_show_the_trend_oldest_first(runs: Path) -> None:
    history = find_history([runs])
    assert [run.run_id for run in history.runs] == list(RUN_NAMES)  # by start time, not name
    assert history.agents == ["climbing", "steady"]
    climbing = [point.pass_rate for _, point in history.series("climbing") if point]
    assert climbing == pytest.approx([1 / 3, 2 / 3, 1.0])
    header, rows = history_rows(history)
    assert header == ["run", "climbing", "steady"]
    assert [row[1:] for row in rows] == [
        ["33% 0.33", "100% 1.00"],
        ["67% 0.67", "100% 1.00"],
        ["100% 1.00", "100% 1.00"],
        ["+67 points", "steady"],
    ]
    assert history.warnings == []


def test_last_keeps_the_newest_runs(runs: Path) -> None:
    history = find_history([runs], last=2)
    assert [run.run_id for run in history.runs] == list(RUN_NAMES[1:])
    assert history.found == 3


def test_json_has_each_agents_series_with_time_and_cost(runs: Path) -> None:
    data = history_data(find_history([runs]))
    assert json.loads(json.dumps(data)) == data
    assert [run["run_id"] for run in data["runs"]] == list(RUN_NAMES)
    points = data["agents"]["climbing"]
    assert [point["passed"] for point in points] == [1, 2, 3]
    assert points[0]["cost"] == {"credits": 1.5}
    assert points[0]["p50_ms"] is not None
    assert "cost" not in data["agents"]["steady"][0]


def test_markdown_is_a_table_with_the_trend(runs: Path) -> None:
    text = history_markdown(find_history([runs]))
    assert "| run | climbing | steady |" in text
    assert "| trend | +67 points | steady |" in text
    assert text.count("\n| 20") == 3  # one row per run, headed by its start time


def test_artifact_downloads_at_any_depth_and_a_run_twice_counts_once(
    runs: Path, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    shutil.copytree(runs / "run-c", downloads / "history" / "deep" / "run-c")
    shutil.copytree(runs / "run-c", downloads / "other-artifact" / "run-c")
    shutil.copy(runs / "run-a" / "summary.json", downloads / "a.json")
    history = find_history([downloads, downloads / "a.json"])
    assert [run.run_id for run in history.runs] == ["run-c", "run-a"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not JSON"),
        (b'{"format": 1, "hello": "world"}', "not an evalkit run summary"),
        (b"[1, 2]", "not an evalkit run summary"),
        (b"", "empty"),
        (b'{"format": 9}', "format 9"),
    ],
)
def test_a_bad_or_foreign_summary_is_skipped_with_one_warning(
    runs: Path, tmp_path: Path, content: bytes, why: str
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(runs, folder)
    bad = folder / "broken" / "summary.json"
    bad.parent.mkdir()
    bad.write_bytes(content)
    history = find_history([folder])
    assert len(history.runs) == 3
    assert len(history.warnings) == 1
    assert str(bad) in history.warnings[0]
    assert why in history.warnings[0]


def test_no_summary_found_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        RunError, match=r"no run summaries \(summary.json\) with examples found in .*empty"
    ):
        find_history([tmp_path / "empty"])


def test_with_nothing_found_the_error_says_what_was_skipped_and_why(tmp_path: Path) -> None:
    foreign = tmp_path / "r1" / "summary.json"
    foreign.parent.mkdir()
    foreign.write_text('{"a": 1}')
    with pytest.raises(RunError) as refused:
        find_history([tmp_path, tmp_path / "nowhere"])
    message = str(refused.value)
    assert f"{foreign}: skipped" in message
    assert f"{tmp_path / 'nowhere'}: does not exist" in message


def test_a_run_that_ran_nothing_is_no_point_of_the_history(runs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    shutil.copytree(runs, folder)
    empty = json.loads((folder / "run-a" / "summary.json").read_text())
    empty["metadata"]["run_id"] = "run-nothing"
    empty["examples"] = []
    (folder / "run-nothing").mkdir()
    (folder / "run-nothing" / "summary.json").write_text(json.dumps(empty))
    history = find_history([folder])
    assert "run-nothing" not in [run.run_id for run in history.runs]
    assert len(history.runs) == 3


@pytest.mark.parametrize(
    ("passed", "examples", "shown"), [(249, 250, "99%"), (2, 3, "67%"), (250, 250, "100%")]
)
def test_a_near_miss_never_reads_as_full_marks(passed: int, examples: int, shown: str) -> None:
    point = AgentPoint(examples=examples, passed=passed, mean_score=0.996)
    assert rate_text(point) == f"{shown} 0.99"


def test_an_agents_output_file_named_summary_json_is_no_run(runs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    shutil.copytree(runs / "run-a", folder / "run-a")
    output = folder / "run-a" / "files" / "climbing" / "e0" / "summary.json"
    output.parent.mkdir(parents=True)
    output.write_text('{"an": "agent output"}')
    history = find_history([folder])
    assert [run.run_id for run in history.runs] == ["run-a"]
    assert history.warnings == []


def _mark(runs: Path, name: str) -> RunMark:
    """A run of ``runs`` by its recorded id and start, as ``evalkit report`` marks it."""
    metadata = json.loads((runs / name / "summary.json").read_text())["metadata"]
    return RunMark(metadata["run_id"], metadata["started_at"])


def test_before_an_older_run_only_the_runs_that_started_before_it_count(runs: Path) -> None:
    """An older run reported again: the runs that came after it are no earlier runs."""
    first, second, _ = RUN_NAMES
    history = find_history([runs], before=_mark(runs, second))
    assert [run.run_id for run in history.runs] == [first]
    assert history.found == 1
    # kept before ``last`` takes the newest: ``last=1`` is still the one before, not the newest
    assert [r.run_id for r in find_history([runs], last=1, before=_mark(runs, second)).runs] == [
        first
    ]


def test_before_the_oldest_run_there_is_none_and_the_warning_says_so(runs: Path) -> None:
    first = RUN_NAMES[0]
    with pytest.raises(RunError, match=r"no run in .* started before this run \(20.*\): the 2 "):
        find_history([runs], before=_mark(runs, first))
    history = earlier_runs([runs], before=_mark(runs, first))
    assert history.runs == []
    assert history.warnings[0].startswith("no trend: no run in")


def test_a_run_with_the_same_id_is_the_run_itself_whatever_its_start(runs: Path) -> None:
    newest = _mark(runs, RUN_NAMES[-1])
    later = RunMark(newest.run_id, "2999-01-01T00:00:00+00:00")
    assert [run.run_id for run in find_history([runs], before=later).runs] == list(RUN_NAMES[:2])
