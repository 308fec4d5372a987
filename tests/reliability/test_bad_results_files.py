"""Bad results files given to ``evalkit report`` (issue 16): whatever a run folder, a
results.jsonl, a summary.json or a set of shards holds, evalkit never crashes with a
traceback and never reads outside what it was given. Each file either loads (a crash's
cut-short last line is skipped with a warning) or gives a located error (file:line, what is
wrong, what to do) with exit code 2, and nothing is written.

One hand-written case per kind runs the real ``evalkit report`` process; Hypothesis-made
garbage (lines mutated at any key, bytes, text, JSON of any shape) runs through the CLI's
entry point ``evalkit.cli.main.main``, where a traceback would propagate and fail the test.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from evalkit.cli.main import main
from evalkit.runner.gates import GateConfig, evaluate_gates
from evalkit.runner.results import (
    Counts,
    Durations,
    ExampleResult,
    GitInfo,
    RunMetadata,
    RunSummary,
    Target,
    Verdict,
    brief_of,
)

from .processes import Finished, evalkit

RUN_ID = "run-20260301T090000Z-bad"
CANARY = "CANARY-outside-what-was-given-81c2"
COMPARISON: dict[str, Any] = {
    "rating": "partial",
    "score": 0.8,
    "differences": [
        {"pointer": "/total", "kind": "changed", "expected": 10.5, "actual": 10, "rule": None},
        {"pointer": "/note", "kind": "unexpected", "actual": "extra"},
    ],
    "files": [
        {
            "name": "lines.csv",
            "mode": "csv",
            "status": "differ",
            "score": 0.5,
            "differences": [
                {"pointer": "/1/amount", "kind": "changed", "expected": 1, "actual": 2}
            ],
        },
        {"name": "notes.txt", "mode": "text", "status": "differ", "score": 0, "diff": "-a\n+b"},
        {"name": "stamp.bin", "mode": "bytes", "status": "missing", "score": 0},
    ],
    "applied": [{"pointer": "/generatedAt", "kind": "ignored", "detail": ""}],
}


def result(example: str, verdict: Verdict = Verdict.PASS) -> ExampleResult:
    compared = verdict is not Verdict.PASS
    return ExampleResult(
        run_id=RUN_ID,
        agent="invoice-extractor",
        example=example,
        tags=["smoke"],
        mark="agents/invoice/examples/one/expected.json:1:1",
        verdict=verdict,
        score=0.8 if compared else 1.0,
        comparison=COMPARISON if compared else {"differences": [], "files": [], "applied": []},
        durations=Durations(total_ms=1200, execution_ms=900),
        started_at="2026-03-01T09:00:01Z",
        finished_at="2026-03-01T09:00:03Z",
        expected_json={"total": 10.5},
        actual_json={"total": 10, "note": "extra"},
    )


RESULTS = [result("one"), result("two", Verdict.PARTIAL), result("three")]


def summary_of(results: list[ExampleResult], *, baseline: str | None = None) -> RunSummary:
    counts = Counts()
    for each in results:
        counts.add(each.verdict)
    return RunSummary(
        metadata=RunMetadata(
            run_id=RUN_ID,
            evalkit_version="0.1.0",
            manifest="evalkit.yaml",
            git=GitInfo(commit="0123456789abcdef", branch="main", dirty=False),
            target=Target(kind="local", base_url="http://127.0.0.1:8765"),
            started_at="2026-03-01T09:00:00Z",
            finished_at="2026-03-01T09:00:09Z",
            concurrency=4,
            timeout_seconds=600,
            feedback=False,
        ),
        counts=counts,
        pass_rate=counts.pass_rate,
        gates=evaluate_gates(GateConfig(min_pass_rate=0.5, max_regressions=0), counts, None),
        baseline=baseline,
        exit_code=0,
        status="passed",
        outcome="all gates passed",
        results_file="results.jsonl",
        examples=[brief_of(each) for each in results],
    )


def line_of(record: ExampleResult | dict[str, Any]) -> str:
    data = record.to_dict() if isinstance(record, ExampleResult) else record
    return json.dumps(data, ensure_ascii=False)


def write_run(
    folder: Path,
    lines: list[str] | bytes,
    *,
    summary: RunSummary | dict[str, Any] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = lines if isinstance(lines, bytes) else "".join(f"{line}\n" for line in lines).encode()
    (folder / "results.jsonl").write_bytes(data)
    if summary is not None:
        shown = summary.to_dict() if isinstance(summary, RunSummary) else summary
        (folder / "summary.json").write_text(json.dumps(shown, indent=2), encoding="utf-8")
    return folder


def report(tmp_path: Path, *targets: Path | str, extra: tuple[str, ...] = ()) -> Finished:
    out = tmp_path / "out"
    args = ["report", *map(str, targets), *extra]
    if "--merged" not in extra:
        args += ["--out", str(out)]
    return evalkit(*args, cwd=tmp_path, timeout=600)


def assert_refused(done: Finished, where: str, *words: str) -> None:
    """Exit 2, one clean message that says where and what, nothing written."""
    assert done.code == 2, done.printed
    assert "Traceback" not in done.printed, done.printed
    assert where in done.stderr, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert "; " in done.stderr  # what is wrong; what to do


def assert_reported(done: Finished, tmp_path: Path) -> None:
    assert done.code == 0, done.printed
    assert "Traceback" not in done.printed, done.printed
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["junit.xml", "report.html", "summary.md"]


# ---- one hand-written case per kind, in a real process ------------------------------------


def test_a_run_killed_mid_line_is_reported_with_a_warning(tmp_path: Path) -> None:
    cut = line_of(RESULTS[2])[:150]
    folder = write_run(tmp_path / "run", [line_of(r) for r in RESULTS[:2]])
    with (folder / "results.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(cut)
    done = report(tmp_path, folder)
    assert_reported(done, tmp_path)
    assert f"warning: {folder / 'results.jsonl'}:3: skipped, cut short by a crash" in done.stderr
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "line 3: cut short by a crash" in page
    assert "2 of the examples" not in page
    assert '"two"' in page
    assert '"three"' not in page


def test_a_character_cut_in_two_by_a_crash_is_the_same_case(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", [line_of(RESULTS[0])])
    with (folder / "results.jsonl").open("ab") as handle:
        handle.write('{"run_id": "r", "example": "caf\u00e9'.encode()[:-1])
    done = report(tmp_path, folder)
    assert_reported(done, tmp_path)
    assert ":2: skipped, cut short by a crash" in done.stderr


def test_a_complete_last_line_that_is_not_a_result_is_an_error(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", [line_of(RESULTS[0]), '{"hello": "world"}'])
    done = report(tmp_path, folder)
    assert_refused(done, f"{folder / 'results.jsonl'}:2:", "not a result", "run_id")


def test_an_empty_results_file_is_a_run_with_no_examples(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", b"")
    done = report(tmp_path, folder)
    assert_reported(done, tmp_path)
    assert "holds no results (no example finished)" in done.stderr


def test_a_line_of_the_wrong_shape_is_refused_at_its_line(tmp_path: Path) -> None:
    wrong = RESULTS[1].to_dict()
    wrong["comparison"]["files"][0]["differences"] = "two of them"
    lines = [line_of(RESULTS[0]), line_of(wrong), line_of(RESULTS[2])]
    done = report(tmp_path, write_run(tmp_path / "run", lines))
    assert_refused(done, "results.jsonl:2:", "comparison.files.0.differences")


def test_a_list_where_a_result_should_be_is_refused(tmp_path: Path) -> None:
    done = report(tmp_path, write_run(tmp_path / "run", ["[1, 2]", line_of(RESULTS[0])]))
    assert_refused(done, "results.jsonl:1:", "a result is a JSON object, not a list")


@pytest.mark.parametrize("version", [2, "1", None, 0])
def test_an_unknown_format_version_says_which_evalkit_to_use(
    tmp_path: Path, version: object
) -> None:
    line = {**RESULTS[0].to_dict(), "format": version}
    done = report(tmp_path, write_run(tmp_path / "run", [line_of(line)]))
    assert_refused(done, "results.jsonl:1:", "this evalkit reads format 1", "pip install")


def test_bytes_that_are_not_utf8_are_refused_at_their_line(tmp_path: Path) -> None:
    data = (line_of(RESULTS[0]) + "\n").encode() + b'{"run_id": "\xff\xfe"}\n'
    done = report(tmp_path, write_run(tmp_path / "run", data))
    assert_refused(done, "results.jsonl:2:", "(0xff) is not UTF-8")


def test_a_line_nested_100000_deep_is_refused(tmp_path: Path) -> None:
    deep = '{"run_id": "r", "actual_json": ' + "[" * 100_000 + "]" * 100_000 + "}"
    done = report(tmp_path, write_run(tmp_path / "run", [line_of(RESULTS[0]), deep]))
    assert_refused(done, "results.jsonl:2:", "nested more than 256 deep")


def test_an_integer_of_5000_digits_is_refused(tmp_path: Path) -> None:
    line = line_of(RESULTS[0]).replace('"attempts": 0', '"attempts": ' + "7" * 5000)
    done = report(tmp_path, write_run(tmp_path / "run", [line]))
    assert_refused(done, "results.jsonl:1:", "a number of 5,000 digits")


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e999"])
def test_numbers_evalkit_never_writes_are_refused(tmp_path: Path, number: str) -> None:
    line = line_of(RESULTS[0]).replace('"total": 10,', f'"total": {number},')
    done = report(tmp_path, write_run(tmp_path / "run", [line]))
    assert_refused(done, "results.jsonl:1:", f"{number} is not a number evalkit writes")


def test_half_a_surrogate_pair_is_refused(tmp_path: Path) -> None:
    line = line_of(RESULTS[0]).replace('"smoke"', '"smo\\ud800ke"')
    done = report(tmp_path, write_run(tmp_path / "run", [line]))
    assert_refused(done, "results.jsonl:1:", "\\ud800 is half of a surrogate pair")


def test_a_50_mb_line_loads(tmp_path: Path) -> None:
    big = RESULTS[1].model_copy(update={"actual_json": {"text": "x" * 50_000_000}})
    done = report(tmp_path, write_run(tmp_path / "run", [line_of(RESULTS[0]), line_of(big)]))
    assert_reported(done, tmp_path)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "too large for this page" in page
    assert len(page) < 1_000_000


def test_a_missing_summary_given_by_name_is_a_usage_error(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", [line_of(RESULTS[0])])
    done = report(tmp_path, folder / "summary.json")
    assert done.code == 2, done.printed
    assert "Traceback" not in done.printed
    assert "summary.json' does not exist" in done.stderr


def test_a_folder_without_a_summary_reports_its_results(tmp_path: Path) -> None:
    done = report(tmp_path, write_run(tmp_path / "run", [line_of(r) for r in RESULTS]))
    assert_reported(done, tmp_path)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"counts": "many"}, ["counts"]),
        ({"pass_rate": 7}, ["pass_rate"]),
        ({"gates": [{"name": "g", "passed": True, "limit": "x", "actual": 1, "message": ""}]},
         ["gates.0.limit"]),
        ({"metadata": None}, ["metadata"]),
        ({"format": 9}, ["summary format 9"]),
    ],
)  # fmt: skip
def test_a_summary_of_the_wrong_shape_is_refused(
    tmp_path: Path, change: dict[str, Any], words: list[str]
) -> None:
    summary = {**summary_of(RESULTS).to_dict(), **change}
    folder = write_run(tmp_path / "run", [line_of(r) for r in RESULTS], summary=summary)
    done = report(tmp_path, folder)
    assert_refused(done, str(folder / "summary.json"), *words)


def test_a_summary_that_is_not_json_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", [line_of(r) for r in RESULTS])
    (folder / "summary.json").write_text('{\n  "format": 1,\n  "counts": {,\n}\n')
    done = report(tmp_path, folder / "summary.json")
    assert_refused(done, f"{folder / 'summary.json'}:3:", "not JSON")


def test_a_symlinked_results_file_pointing_outside_is_not_read(tmp_path: Path) -> None:
    outside = write_run(tmp_path / "elsewhere", [line_of(RESULTS[0]).replace("smoke", CANARY)])
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "results.jsonl").symlink_to(outside / "results.jsonl")
    done = report(tmp_path, folder)
    assert_refused(done, str(folder / "results.jsonl"), "is a symbolic link")
    assert CANARY not in done.printed
    assert not (tmp_path / "out").exists()


def test_a_symlinked_summary_beside_the_results_is_not_read(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", [line_of(r) for r in RESULTS])
    (tmp_path / "secret.json").write_text(json.dumps({"note": CANARY}))
    (folder / "summary.json").symlink_to(tmp_path / "secret.json")
    done = report(tmp_path, folder / "results.jsonl")
    assert_refused(done, str(folder / "summary.json"), "is a symbolic link")
    assert CANARY not in done.printed


def test_a_baseline_the_summary_names_outside_is_not_read(tmp_path: Path) -> None:
    elsewhere = Path(tempfile.mkdtemp(prefix="evalkit-outside-"))
    try:
        baseline = elsewhere / "summary.json"
        baseline.write_text(
            summary_of(RESULTS).model_copy(update={"outcome": CANARY}).model_dump_json()
        )
        project = tmp_path / "project"
        summary = summary_of(RESULTS, baseline=str(baseline))
        folder = write_run(project / "run", [line_of(r) for r in RESULTS], summary=summary)
        done = report(project, folder)
        assert_reported(done, project)
        assert "is outside the run's folder and the current folder: not read" in done.stderr
        assert f"pass --baseline {baseline}" in done.stderr
        page = (project / "out" / "report.html").read_text(encoding="utf-8")
        assert "vs baseline" not in page
        assert CANARY not in page
    finally:
        for path in elsewhere.iterdir():
            path.unlink()
        elsewhere.rmdir()


def test_a_folder_with_no_results_says_what_to_pass(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = report(tmp_path, tmp_path / "empty")
    assert_refused(done, str(tmp_path / "empty"), "holds no results.jsonl", "evalkit run")


def test_a_pipe_is_not_read_forever(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "results.jsonl")
    done = report(tmp_path, tmp_path / "results.jsonl")
    assert_refused(done, "results.jsonl", "is not a file")


def test_a_bad_shard_stops_the_merge_before_anything_is_written(tmp_path: Path) -> None:
    good = summary_of(RESULTS[:2])
    good.metadata.selection = {"shard": ["1/2"]}
    other = summary_of(RESULTS[2:])
    other.metadata.selection = {"shard": ["2/2"]}
    first = write_run(tmp_path / "s1", [line_of(r) for r in RESULTS[:2]], summary=good)
    second = write_run(tmp_path / "s2", [line_of(RESULTS[2]), "not json"], summary=other)
    merged = tmp_path / "merged"
    done = report(tmp_path, first, second, extra=("--merged", str(merged)))
    assert_refused(done, f"{second / 'results.jsonl'}:2:1", "not JSON")
    assert not merged.exists()


def test_a_shard_number_evalkit_never_records_is_refused(tmp_path: Path) -> None:
    summary = summary_of(RESULTS)
    summary.metadata.selection = {"shard": ["9" * 5000 + "/1"]}
    folder = write_run(tmp_path / "s1", [line_of(r) for r in RESULTS], summary=summary)
    done = report(tmp_path, folder, extra=("--merged", str(tmp_path / "merged")))
    assert_refused(done, "summary.json", "metadata.selection", "K/N")


def test_odd_but_valid_values_still_make_a_report(tmp_path: Path) -> None:
    """Timestamps with and without a zone, a target address that is not a URL: shown as
    they can be, never a crash."""
    odd = RESULTS[0].model_copy(update={"started_at": "2026-03-01T09:00:00"})
    summary = summary_of(RESULTS)
    summary.metadata.started_at = "2026-03-01T09:00:00"  # no zone; finished_at has one
    summary.metadata.target = Target(kind="remote", base_url="http://user:pw@[::1:80/")
    lines = [line_of(odd), *map(line_of, RESULTS[1:])]
    done = report(tmp_path, write_run(tmp_path / "run", lines, summary=summary))
    assert_reported(done, tmp_path)
    (tmp_path / "run" / "summary.json").unlink()  # the duration from the results instead
    (tmp_path / "out" / "report.html").unlink()
    done = report(tmp_path, tmp_path / "run")
    assert_reported(done, tmp_path)
    assert "pw" not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


# ---- Hypothesis: garbage through the CLI's entry point --------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def _places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    children: Any = ()
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    for key, child in children:
        yield from _places(child, (*at, key))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    """``base`` with one value anywhere replaced by any JSON, or removed."""
    document = copy.deepcopy(base)
    place = draw(st.sampled_from(list(_places(document))))
    if not place:
        return draw(JSON_VALUES)
    parent = document
    for key in place[:-1]:
        parent = parent[key]
    if draw(st.booleans()):
        parent[place[-1]] = draw(JSON_VALUES)
    elif isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent.pop(place[-1])
    return document


def _text_line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


GARBAGE_LINES = (
    mutated(RESULTS[1].to_dict()).map(_text_line)
    | JSON_VALUES.map(_text_line)
    | st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass"))
    | st.binary(max_size=60)
)


def _report_in_process(folder: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", str(folder), "--out", str(folder / "out")])
    printed = capfd.readouterr()
    assert exited.value.code in (0, 2), printed
    event(f"exit {exited.value.code}: {printed.err[:60]}")
    if exited.value.code == 2:
        assert str(folder) in printed.err, printed.err  # located: the file, and its line
    assert "Traceback" not in printed.err


_FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_FUZZ
@given(garbage=GARBAGE_LINES, last=st.booleans(), newline=st.booleans())
def test_garbage_lines_load_or_are_refused_at_their_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], garbage: bytes, last: bool, newline: bool
) -> None:
    good = [line_of(r).encode() + b"\n" for r in RESULTS]
    bad = garbage.replace(b"\n", b" ") + (b"\n" if newline or not last else b"")
    data = b"".join([*good, bad] if last else [good[0], bad, *good[1:]])
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write_run(folder, data, summary=summary_of(RESULTS))
    _report_in_process(folder, capfd)


@_FUZZ
@given(summary=mutated(summary_of(RESULTS, baseline="baseline.json").to_dict()))
def test_garbage_summaries_load_or_are_refused(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], summary: Any
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write_run(folder, [line_of(r) for r in RESULTS], summary=summary)
    (folder / "baseline.json").write_text(json.dumps(summary), encoding="utf-8")
    _report_in_process(folder, capfd)
