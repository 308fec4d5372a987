"""The results file: appended line by line, read back by the strict reader
(``runner.results_file``), tolerant of a torn last line, and never losing an example to an
output nested too deeply to write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evalkit.runner.jsonl import KEPT_LEVELS, TOO_DEEP, ResultsWriter, write_summary
from evalkit.runner.results import ErrorKind, ExampleError, ExampleResult, Verdict, brief_of
from evalkit.runner.results_file import (
    MAX_NESTING,
    ResultsFileError,
    read_results_file,
    read_summary_file,
)
from tests.runner.conftest import make_result, summary_with


def read_results(path: Path) -> list[ExampleResult]:
    return read_results_file(path).results


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
        comparison={"differences": [{"pointer": "/total", "kind": "changed", "actual": 2}]},
    )
    with ResultsWriter(path) as writer:
        writer.write(original)
    (read,) = read_results(path)
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
    read = read_results_file(path)
    assert [r.example for r in read.results] == ["one"]
    assert [number for number, _ in read.skipped] == [2]


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
    assert read_summary_file(path) == summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_a_run_folder_reads_as_its_summary_and_its_results_file_is_refused(
    tmp_path: Path,
) -> None:
    summary = summary_with()
    write_summary(tmp_path / "summary.json", summary)
    assert read_summary_file(tmp_path) == summary
    with ResultsWriter(tmp_path / "results.jsonl") as writer:
        writer.write(make_result())
    with pytest.raises(ResultsFileError, match="a run's results, not its summary") as refused:
        read_summary_file(tmp_path / "results.jsonl")
    assert "or the run's folder" in str(refused.value)


def test_the_summary_reads_as_python_would_indent_it(tmp_path: Path) -> None:
    """Written by pydantic's serializer, the same text as ``json.dumps(..., indent=2)`` of its
    dict: non-ASCII kept, floats and extra keys alike."""
    brief = make_result("ünïcode «x»", Verdict.PARTIAL, score=0.30000000000000004)
    summary = summary_with(brief_of(brief))
    summary.pass_rate = 1 / 3
    summary.sync_plan = {"agents": [{"slug": "a", "note": "déjà"}]}  # type: ignore[attr-defined]
    path = tmp_path / "summary.json"
    write_summary(path, summary)
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n"
    assert read_summary_file(path) == summary


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
    (result,) = read_results(results)
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
    summary = read_summary_file(path)
    assert summary.drifted_agents == []
    (brief,) = summary.examples
    assert (brief.differences, brief.output_json_checked) == (0, True)


def nested(levels: int, leaf: Any = "bottom") -> Any:
    """A list ``levels`` deep, ``leaf`` at the bottom."""
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def depth(value: Any) -> int:
    """Levels of lists and objects in ``value`` (a leaf is 0)."""
    levels, pending = 0, [(value, 0)]
    while pending:
        item, level = pending.pop()
        levels = max(levels, level)
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list)):
            pending.extend((child, level + 1) for child in children)
    return levels


def test_a_value_that_fits_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    output = nested(KEPT_LEVELS)
    with ResultsWriter(path) as writer:
        writer.write(make_result(actual_json=output))
    (read,) = read_results(path)
    assert (read.model_extra or {})["actual_json"] == output


@pytest.mark.parametrize("levels", [KEPT_LEVELS + 1, 256, 300, 990])
def test_an_output_nested_too_deeply_keeps_its_line_clipped(tmp_path: Path, levels: int) -> None:
    """Issue 16: the writer raised on an output nested 256 levels deep, and the run lost
    the example's line."""
    path = tmp_path / "results.jsonl"
    comparison = {
        "differences": [{"pointer": "", "kind": "type_changed", "actual": nested(levels)}],
        "files": [],
    }
    deep = make_result(
        "deep",
        Verdict.FAIL,
        actual_json={"answer": nested(levels)},
        comparison=comparison,
    )
    with ResultsWriter(path) as writer:
        writer.write(deep)
        writer.write(make_result("next"))
    first, second = read_results(path)  # the reader reads every line evalkit writes
    assert (first.example, first.verdict, second.example) == ("deep", Verdict.FAIL, "next")
    line = json.loads(path.read_text().splitlines()[0])
    assert depth(line) <= MAX_NESTING
    actual = line["actual_json"]["answer"]
    assert depth(actual) == KEPT_LEVELS - 1  # actual_json's object is the first level kept
    bottom = actual
    while isinstance(bottom, list):
        bottom = bottom[0]
    assert bottom == TOO_DEEP
    (difference,) = line["comparison"]["differences"]
    assert (difference["pointer"], difference["kind"]) == ("", "type_changed")
    assert line["error"] is None
    assert line["finished_at"] == deep.finished_at


def test_lines_are_readable_at_once_and_synced_at_most_a_second_apart(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "results.jsonl"
    with ResultsWriter(path, clock=lambda: now[0]) as writer:
        for index in range(5):
            writer.write(make_result(f"e{index}"))
            # Flushed: another reader (a killed run's next reader) sees every line so far.
            assert len(path.read_text(encoding="utf-8").splitlines()) == index + 1
        assert writer.syncs == 0, "within a second nothing waits on the disk"
        now[0] = 1.5
        writer.write(make_result("late"))
        assert writer.syncs == 1
    assert writer.syncs == 2, "closing syncs what is left"
