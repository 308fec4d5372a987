"""``ResultsFollower`` (evalkit/runner/results_file.py): results.jsonl read while a run writes
it gives what ``read_results_file`` gives for the whole file, results and refusals alike."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from evalkit.report import load_results, loading
from evalkit.report.shard_merge import write_run
from evalkit.runner import results_file as reader
from evalkit.runner.results import ExampleResult, Verdict
from evalkit.runner.results_file import (
    ResultsFileError,
    ResultsFollower,
    ResultsRead,
    read_results_file,
)
from tests.report.sample_runs import failing_variant

GOOD = ExampleResult(
    run_id="r", agent="a", example="e", verdict=Verdict.PASS, score=1.0, finished_at="x"
).to_dict()


def _line(**changes: Any) -> bytes:
    return (json.dumps({**GOOD, **changes}, ensure_ascii=False) + "\n").encode()


#: files as a run (or a crash, or someone else) leaves them, in the pieces they are written in
FILES: dict[str, list[bytes]] = {
    "lines": [_line(example=f"e{n}") for n in range(5)],
    "blank lines": [_line(), b"\n", b"  \n", _line(example="after")],
    "a line written in pieces": [_line()[:10], _line()[10:40], _line()[40:], _line(example="z")],
    "a crash's cut-short last line": [_line(), _line(example="cut")[:50]],
    "a cut-short line, then more": [_line(), _line(example="cut")[:50] + b"\n", _line()],
    "a complete last line without its newline": [_line(), _line(example="last")[:-1]],
    "not a result": [_line(), b'{"format": 1}\n', _line()],
    "not JSON": [_line(), b"[1, 2\n", _line()],
    "not UTF-8": [_line(), b'{"a": "\xff"}\n'],
    "a character cut at the end": [_line(), '{"a": "é'.encode()[:-1]],
    "another format": [_line(format=9)],
    "NaN": [_line()[:-2] + b', "x": NaN}\n'],
    "empty": [],
}


def _outcome(read: Any) -> Any:
    """What a reading gives, comparable: the results and skipped lines, or the refusal."""
    try:
        got = read()
    except ResultsFileError as err:
        return ("refused", str(err))
    assert isinstance(got, ResultsRead)
    return ([result.to_dict() for result in got.results], got.skipped)


@pytest.mark.parametrize("most", [None, 1])
@pytest.mark.parametrize("name", FILES)
def test_a_file_followed_as_it_is_written_reads_as_the_whole_file(
    tmp_path: Path, name: str, most: int | None
) -> None:
    path = tmp_path / "results.jsonl"
    follower = ResultsFollower(path)
    follower.read_new()  # before the run made the file: nothing read, nothing made
    assert not path.exists()
    with path.open("ab") as handle:
        for piece in FILES[name]:
            handle.write(piece)
            handle.flush()
            follower.read_new(most)  # (a line that is not a result is not raised here)
    assert _outcome(follower.finish) == _outcome(lambda: read_results_file(path))


def test_read_new_reads_at_most_the_lines_asked(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(b"".join(_line(example=f"e{n}") for n in range(5)) + _line()[:20])
    follower = ResultsFollower(path)
    follower.read_new(most=2)
    assert follower.count == 2
    for _ in range(3):
        follower.read_new(most=2)
    assert follower.count == 5, "a line being written waits"
    with path.open("ab") as handle:
        handle.write(_line()[20:])
    assert [result.example for result in follower.finish().results] == [
        *(f"e{n}" for n in range(5)),
        "e",
    ]


def test_lines_past_the_last_read_are_read_by_finish(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(_line(example="one"))
    follower = ResultsFollower(path)
    follower.read_new()
    with path.open("ab") as handle:
        handle.write(_line(example="two") + _line(example="three"))
    assert [r.example for r in follower.finish().results] == ["one", "two", "three"]


def test_a_line_too_long_is_refused_as_the_reader_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "results.jsonl"
    for pieces in ([_line(), b"[" + b" " * 1200], [_line(), b"[" + b" " * 1200 + b"]\n"]):
        path.unlink(missing_ok=True)
        follower = ResultsFollower(path)
        with path.open("ab") as handle:
            for piece in pieces:
                handle.write(piece)
                handle.flush()
                follower.read_new()
        refusal = _outcome(follower.finish)
        assert refusal[0] == "refused"
        assert "longer than" in refusal[1]
        assert refusal == _outcome(lambda: read_results_file(path))


def test_a_file_replaced_or_cut_shorter_meanwhile_is_read_again_whole(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(_line(example="old") * 3)
    follower = ResultsFollower(path)
    follower.read_new()
    other = tmp_path / "other.jsonl"
    other.write_bytes(_line(example="new"))
    os.replace(other, path)
    assert [r.example for r in follower.finish().results] == ["new"]

    follower = ResultsFollower(path)
    follower.read_new()
    path.write_bytes(b"")  # the same file, emptied
    assert follower.finish().results == []


def test_a_file_gone_is_refused_as_the_reader_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(_line())
    follower = ResultsFollower(path)
    follower.read_new()
    path.unlink()
    assert _outcome(follower.finish) == _outcome(lambda: read_results_file(path))
    assert _outcome(ResultsFollower(path).finish)[0] == "refused"  # never there


def test_load_results_takes_the_lines_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "run"
    write_run(failing_variant(tmp_path / "outputs"), folder)
    read = load_results(folder)
    follower = ResultsFollower(folder / "results.jsonl")
    follower.read_new()
    read_again: list[Path] = []
    monkeypatch.setattr(loading, "read_results_file", lambda path: read_again.append(path))
    followed = load_results(folder, follower=follower)
    assert read_again == []
    assert [r.to_dict() for r in followed.results] == [r.to_dict() for r in read.results]
    assert (followed.summary, followed.baseline) == (read.summary, read.baseline)
    assert followed.warnings == read.warnings


def test_a_follower_of_another_file_is_not_taken(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    write_run(failing_variant(tmp_path / "outputs"), folder)
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_bytes(_line(example="elsewhere"))
    follower = ResultsFollower(elsewhere)
    follower.read_new()
    loaded = load_results(folder, follower=follower)
    assert "elsewhere" not in [result.example for result in loaded.results]
