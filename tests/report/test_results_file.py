"""Reading results.jsonl and summary.json as untrusted input (evalkit/runner/results_file.py):
what loads, what is skipped as a crash's trace, and where each refusal points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evalkit.report import load_results, render_html, render_junit, render_markdown
from evalkit.report.shard_merge import write_run
from evalkit.runner import results_file as reader
from evalkit.runner.results import ExampleResult, Verdict
from evalkit.runner.results_file import (
    MAX_NESTING,
    ResultsFileError,
    read_results_file,
    read_summary_file,
)

GOOD = ExampleResult(
    run_id="r", agent="a", example="e", verdict=Verdict.PASS, score=1.0, finished_at="x"
).to_dict()


def _line(**changes: Any) -> str:
    return json.dumps({**GOOD, **changes})


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "results.jsonl"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def _refusal(path: Path) -> ResultsFileError:
    with pytest.raises(ResultsFileError) as refused:
        read_results_file(path)
    return refused.value


@pytest.mark.parametrize(
    "tail",
    [
        '{"format": 1, "run_id": "r", "agent"',  # between tokens
        '{"format": 1, "run_id": "a long str',  # inside a string
        '{"format": 1, "adopted": tr',  # inside a literal
        '{"format": 1, "attempts": 1.',  # inside a number
        '{"format": 1, "example": "\\u00',  # inside an escape
    ],
)
def test_a_last_line_cut_short_is_skipped_and_listed(tmp_path: Path, tail: str) -> None:
    read = read_results_file(_write(tmp_path, f"{_line()}\n{_line(example='f')}\n{tail}"))
    assert [r.example for r in read.results] == ["e", "f"]
    assert [number for number, _ in read.skipped] == [3]
    assert read.skipped[0][1].startswith("cut short by a crash (not JSON")


def test_a_cut_short_line_with_its_newline_is_not_a_crash_trace(tmp_path: Path) -> None:
    refused = _refusal(_write(tmp_path, f"{_line()}\n" + '{"format": 1, "run_id"\n'))
    assert refused.where.startswith(f"{tmp_path / 'results.jsonl'}:2:")
    assert "not JSON" in str(refused)


def test_a_damaged_line_before_the_last_is_an_error(tmp_path: Path) -> None:
    refused = _refusal(_write(tmp_path, '{"format": 1, "run\n' + _line()))
    assert refused.where == f"{tmp_path / 'results.jsonl'}:1:19"


def test_text_without_a_newline_that_is_no_object_is_an_error(tmp_path: Path) -> None:
    refused = _refusal(_write(tmp_path, f"{_line()}\nhello world, not a result"))
    assert refused.where.startswith(f"{tmp_path / 'results.jsonl'}:2")


def test_a_complete_last_line_without_its_newline_is_read(tmp_path: Path) -> None:
    assert len(read_results_file(_write(tmp_path, f"{_line()}\n{_line()}")).results) == 2


def test_blank_lines_are_passed_over(tmp_path: Path) -> None:
    read = read_results_file(_write(tmp_path, f"\n{_line()}\n   \n\n{_line()}\n"))
    assert len(read.results) == 2
    assert read.skipped == []


def test_a_line_over_the_limit_is_refused_without_reading_it_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 1000)
    refused = _refusal(_write(tmp_path, f"{_line()}\n{_line(example='x' * 2000)}\n"))
    assert refused.where == f"{tmp_path / 'results.jsonl'}:2"
    assert "longer than" in refused.problem


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_the_deepest_line_evalkit_writes_is_read_rendered_and_merged(tmp_path: Path) -> None:
    """MAX_NESTING is what evalkit's writer can write: a line that deep makes every report,
    and a merge can write it again; one level more is refused."""
    deepest = _line(actual_json=_nested(MAX_NESTING - 1), expected_json={})
    folder = tmp_path / "run"
    folder.mkdir()
    _write(folder, deepest + "\n")
    run = load_results(folder)
    for render in (render_html, render_junit, render_markdown):
        assert render(run)
    write_run(run, tmp_path / "merged")
    _write(folder, _line(actual_json=_nested(MAX_NESTING)) + "\n")
    assert f"nested more than {MAX_NESTING} deep" in str(_refusal(folder / "results.jsonl"))


def _wide(depth: int, width: int) -> Any:
    """``width`` lists side by side, the last of them ``depth`` deep: more brackets than
    MAX_NESTING whatever the depth (as in a summary, or a line of large documents)."""
    return [*([[]] * width), _nested(depth)]


@pytest.mark.parametrize("surrogate", [False, True])
def test_nesting_is_measured_in_a_line_of_many_lists(tmp_path: Path, surrogate: bool) -> None:
    """Many lists side by side are not deep: read; one list too deep among them is refused,
    with or without a surrogate escape elsewhere in the line (walked either way)."""
    note = "\\ud83d\\ude00" if surrogate else "plain"  # a whole pair: a character
    wide = _line(actual_json=_wide(10, MAX_NESTING * 2), expected_json={}, note=note)
    assert len(read_results_file(_write(tmp_path, wide + "\n")).results) == 1
    too_deep = _line(actual_json=_wide(MAX_NESTING, MAX_NESTING * 2), note=note)
    refused = _refusal(_write(tmp_path, f"{_line()}\n{too_deep}\n"))
    assert refused.where == f"{tmp_path / 'results.jsonl'}:2"
    assert f"nested more than {MAX_NESTING} deep" in refused.problem


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"score": 1.5}, "score"),
        ({"score": -0.1}, "score"),
        ({"durations": {"total_ms": -1}}, "durations.total_ms"),
        ({"durations": {"total_ms": 10**40}}, "durations.total_ms"),
        ({"comparison": {"differences": "none"}}, "comparison.differences"),
        ({"comparison": {"differences": [None]}}, "comparison.differences.0"),
        ({"comparison": {"differences": [{"pointer": "/a"}]}}, "comparison.differences.0.kind"),
        ({"comparison": {"files": [{"name": 3, "status": "differ"}]}}, "comparison.files.0.name"),
        (
            {"comparison": {"files": [{"name": "a", "status": "differ", "diff": []}]}},
            "comparison.files.0.diff",
        ),
        ({"comparison": {"applied": [{"kind": 1}]}}, "comparison.applied.0.kind"),
        ({"verdict": "great"}, "verdict"),
        ({"tags": "smoke"}, "tags"),
    ],
)
def test_values_the_reports_cannot_show_are_refused_with_their_key(
    tmp_path: Path, changes: dict[str, Any], key: str
) -> None:
    refused = _refusal(_write(tmp_path, _line(**changes) + "\n"))
    assert refused.where == f"{tmp_path / 'results.jsonl'}:1"
    assert f": {key}" in refused.problem


def test_unknown_keys_are_kept_for_newer_files(tmp_path: Path) -> None:
    read = read_results_file(_write(tmp_path, _line(newer_key={"x": 1}) + "\n"))
    assert (read.results[0].model_extra or {})["newer_key"] == {"x": 1}


def test_a_summary_says_the_line_and_column_of_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text('{\n  "format": 1,\n  "counts": {,\n}\n')
    with pytest.raises(ResultsFileError) as refused:
        read_summary_file(path)
    assert refused.value.where == f"{path}:3:14"


def test_a_summary_with_bytes_that_are_not_utf8_says_their_line(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_bytes(b'{\n  "outcome": "caf\xe9"\n}\n')
    with pytest.raises(ResultsFileError, match=r"byte 18 \(0xe9\) is not UTF-8") as refused:
        read_summary_file(path)
    assert refused.value.where == f"{path}:2"


@pytest.mark.parametrize("text", ["", "[]", '"summary"', "null"])
def test_an_empty_or_scalar_summary_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text)
    with pytest.raises(ResultsFileError, match=r"empty|not an evalkit run summary"):
        read_summary_file(path)
