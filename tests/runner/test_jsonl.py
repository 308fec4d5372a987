"""The results file: appended line by line, read back lazily, tolerant of a torn last line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.errors import RunError
from evalkit.runner.jsonl import (
    ReadReport,
    ResultsWriter,
    read_results,
    read_summary,
    write_summary,
)
from evalkit.runner.results import ErrorKind, ExampleError, Verdict
from tests.runner.conftest import make_result
from tests.runner.test_baseline import summary_with


def test_each_result_is_on_disk_as_soon_as_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "out" / "results.jsonl"
    with ResultsWriter(path) as writer:
        writer.write(make_result("one"))
        # Another reader sees the line before the writer is closed.
        assert [r.example for r in read_results(path)] == ["one"]
        writer.write(make_result("two", Verdict.FAIL))
    assert [(r.example, r.verdict) for r in read_results(path)] == [
        ("one", Verdict.PASS),
        ("two", Verdict.FAIL),
    ]
    assert writer.count == 2


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    original = make_result(
        "broken",
        Verdict.ERROR,
        score=None,
        error=ExampleError(kind=ErrorKind.TIMEOUT, message="gave up after 5 s"),
        tags=["smoke"],
        comparison={"differences": [{"path": "/total", "expected": 1, "actual": 2}]},
    )
    with ResultsWriter(path) as writer:
        writer.write(original)
    (read,) = list(read_results(path))
    assert read == original
    line = json.loads(path.read_text())
    assert line["error"] == {
        "kind": "timeout",
        "message": "gave up after 5 s",
        "status": None,
        "request_id": None,
    }


def test_a_truncated_last_line_is_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with ResultsWriter(path) as writer:
        writer.write(make_result("one"))
        writer.write(make_result("two"))
    whole = path.read_text()
    path.write_text(whole[: len(whole) - 25])  # a crash in the middle of line 2
    report = ReadReport()
    assert [r.example for r in read_results(path, report)] == ["one"]
    assert [number for number, _ in report.skipped] == [2]


def test_a_bad_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    good = json.dumps(make_result("one").to_dict())
    path.write_text(f"{good}\nnot json\n{good}\n")
    with pytest.raises(RunError, match=r"results.jsonl:2: not a result line"):
        list(read_results(path))


def test_missing_results_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="cannot read results file"):
        list(read_results(tmp_path / "absent.jsonl"))


def test_writer_appends_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with ResultsWriter(path) as writer:
        writer.write(make_result("one"))
    with ResultsWriter(path) as writer:
        writer.write(make_result("two"))
    assert [r.example for r in read_results(path)] == ["one", "two"]


def test_writer_outside_with_block_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        ResultsWriter(tmp_path / "x.jsonl").write(make_result())


def test_summary_round_trip_and_no_partial_file_left(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    summary = summary_with()
    write_summary(path, summary)
    assert read_summary(path) == summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_reading_something_else_as_a_summary_says_what_to_pass(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(RunError, match=r"not an evalkit run summary.*summary\.json"):
        read_summary(path)


#: a line and a summary as evalkit wrote them before output_json_checked, differences (on
#: the briefs) and drifted_agents: added keys with defaults, the format stays 1
OLD_LINE = {
    "format": 1,
    "run_id": "run-old",
    "kind": "agent",
    "agent": "a",
    "example": "x",
    "tags": [],
    "mark": None,
    "verdict": "partial",
    "score": 0.5,
    "comparison": {"differences": [{"pointer": "/t", "kind": "changed"}], "files": []},
    "error": None,
    "execution": None,
    "attempts": 1,
    "adopted": False,
    "output_files": [],
    "feedback": {"written": False},
    "durations": {"total_ms": 5},
    "started_at": None,
    "finished_at": "2026-01-01T00:00:00.000Z",
}


def test_files_of_the_previous_format_still_read(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps(OLD_LINE) + "\n")
    (result,) = list(read_results(results))
    assert (result.verdict, result.output_json_checked, result.difference_count) == (
        Verdict.PARTIAL,
        True,
        1,
    )
    old_summary = summary_with().to_dict()
    old_summary.pop("drifted_agents")
    old_summary["examples"] = [{"kind": "agent", "agent": "a", "example": "x", "verdict": "pass"}]
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(old_summary))
    summary = read_summary(path)
    assert summary.drifted_agents == []
    (brief,) = summary.examples
    assert (brief.differences, brief.output_json_checked) == (0, True)
