from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from evalkit.errors import RunError
from evalkit.report import RunResults, load_results
from evalkit.report.view import record_field
from evalkit.runner.jsonl import ResultsWriter, write_summary


def _write_run(folder: Path, run: RunResults) -> Path:
    assert run.summary is not None
    with ResultsWriter(folder / "results.jsonl") as writer:
        for result in run.results:
            writer.write(result)
    write_summary(folder / "summary.json", run.summary)
    if run.baseline is not None:
        write_summary(folder / "baseline" / "summary.json", run.baseline)
    return folder


def test_a_run_folder_gives_results_summary_and_the_baseline_it_names(
    tmp_path: Path, failing_run: RunResults
) -> None:
    folder = _write_run(tmp_path, failing_run)
    loaded = load_results(folder)
    assert [r.example for r in loaded.results] == [r.example for r in failing_run.results]
    assert loaded.summary is not None
    assert loaded.summary.metadata.run_id == failing_run.summary.metadata.run_id  # type: ignore[union-attr]
    assert loaded.baseline is not None
    assert loaded.baseline.metadata.run_id == "run-baseline"
    assert loaded.source == folder / "results.jsonl"


def test_extra_fields_survive_the_round_trip(tmp_path: Path, failing_run: RunResults) -> None:
    loaded = load_results(_write_run(tmp_path, failing_run) / "results.jsonl")
    flaky = [r.example for r in loaded.results if (r.model_extra or {}).get("flaky")]
    assert flaky == ["brightside-rounding-cent"]
    compared = [r for r in loaded.results if r.comparison]
    assert compared
    assert all(record_field(r, "actual_json") for r in compared)


def test_the_summary_file_leads_to_the_results_beside_it(
    tmp_path: Path, failing_run: RunResults
) -> None:
    folder = _write_run(tmp_path, failing_run)
    loaded = load_results(folder / "summary.json")
    assert len(loaded.results) == len(failing_run.results)
    assert loaded.summary is not None


def test_results_alone_load_without_summary(tmp_path: Path, failing_run: RunResults) -> None:
    with ResultsWriter(tmp_path / "elsewhere.jsonl") as writer:
        writer.write(failing_run.results[0])
    loaded = load_results(tmp_path / "elsewhere.jsonl")
    assert loaded.summary is None
    assert loaded.baseline is None
    assert len(loaded.results) == 1


def test_an_explicit_baseline_wins(tmp_path: Path, failing_run: RunResults) -> None:
    folder = _write_run(tmp_path, failing_run)
    assert failing_run.summary is not None
    other = failing_run.summary.model_copy(deep=True)
    other.metadata.run_id = "run-other"
    write_summary(tmp_path / "other.json", other)
    loaded = load_results(folder, baseline=tmp_path / "other.json")
    assert loaded.baseline is not None
    assert loaded.baseline.metadata.run_id == "run-other"


def test_an_explicit_baseline_may_be_the_folder_of_its_run(
    tmp_path: Path, failing_run: RunResults
) -> None:
    folder = _write_run(tmp_path, failing_run)
    assert failing_run.summary is not None
    other = failing_run.summary.model_copy(deep=True)
    other.metadata.run_id = "run-other"
    (tmp_path / "other-run").mkdir()
    write_summary(tmp_path / "other-run" / "summary.json", other)
    loaded = load_results(folder, baseline=tmp_path / "other-run")
    assert loaded.baseline is not None
    assert loaded.baseline.metadata.run_id == "run-other"
    (tmp_path / "empty").mkdir()  # no run's folder
    with pytest.raises(RunError, match=r"--baseline .*empty/summary\.json is not a file"):
        load_results(folder, baseline=tmp_path / "empty")


def test_a_truncated_last_line_is_reported_not_fatal(
    tmp_path: Path, failing_run: RunResults
) -> None:
    folder = _write_run(tmp_path, failing_run)
    with (folder / "results.jsonl").open("a") as handle:
        handle.write('{"format": 1, "run_id": "r", "agent"')
    loaded = load_results(folder)
    assert len(loaded.results) == len(failing_run.results)
    assert [number for number, _ in loaded.skipped_lines] == [len(failing_run.results) + 1]
    assert loaded.warnings == [
        f"{folder / 'results.jsonl'}:{len(failing_run.results) + 1}: skipped, cut short by a "
        f"crash ({loaded.skipped_lines[0][1].split('(', 1)[1]}: the examples before it are "
        "reported"
    ]


def test_a_folder_without_results_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(RunError, match=r"holds no results\.jsonl.*evalkit run"):
        load_results(tmp_path)


def test_a_summary_whose_results_are_gone_says_so(tmp_path: Path, failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    write_summary(tmp_path / "summary.json", failing_run.summary)
    with pytest.raises(RunError, match=r"results file results\.jsonl is not there"):
        load_results(tmp_path / "summary.json")


def test_the_summary_leads_only_to_the_results_beside_it(
    tmp_path: Path, failing_run: RunResults
) -> None:
    """Issue 16: its results_file was followed wherever it pointed."""
    elsewhere = _write_run(tmp_path / "elsewhere", failing_run)
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(
        update={"results_file": str(elsewhere / "results.jsonl")}
    )
    write_summary(tmp_path / "run" / "summary.json", summary)
    with pytest.raises(RunError, match=r"results file results\.jsonl is not there"):
        load_results(tmp_path / "run" / "summary.json")


def test_files_found_in_a_run_folder_must_not_be_links(
    tmp_path: Path, failing_run: RunResults
) -> None:
    """Issue 16: a results.jsonl or summary.json linked to a file elsewhere was read."""
    real = _write_run(tmp_path / "real", failing_run)
    linked = tmp_path / "linked"
    linked.mkdir()
    for name in ("results.jsonl", "summary.json"):
        (linked / name).symlink_to(real / name)
    with pytest.raises(RunError, match=r"linked/summary\.json is a symbolic link"):
        load_results(linked)
    with pytest.raises(RunError, match=r"linked/results\.jsonl is a symbolic link"):
        load_results(linked / "summary.json")  # given by name: followed, but not its neighbour
    (linked / "results.jsonl").unlink()
    (linked / "results.jsonl").write_bytes((real / "results.jsonl").read_bytes())
    with pytest.raises(RunError, match=r"summary\.json is a symbolic link"):
        load_results(linked / "results.jsonl")


def test_a_path_given_by_name_is_followed(tmp_path: Path, failing_run: RunResults) -> None:
    real = _write_run(tmp_path / "real", failing_run)
    (tmp_path / "given.jsonl").symlink_to(real / "results.jsonl")
    assert len(load_results(tmp_path / "given.jsonl").results) == len(failing_run.results)


def test_a_baseline_named_by_the_summary_is_read_only_from_the_run_or_current_folder(
    tmp_path: Path, failing_run: RunResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the summary's baseline was read wherever it pointed."""
    folder = _write_run(tmp_path / "project" / "run", failing_run)  # baseline/summary.json
    assert load_results(folder).baseline is not None  # in the run's folder
    assert failing_run.summary is not None
    assert failing_run.baseline is not None
    write_summary(tmp_path / "project" / "old" / "summary.json", failing_run.baseline)
    write_summary(tmp_path / "outside" / "summary.json", failing_run.baseline)
    for recorded, found in [
        ("old/summary.json", True),  # relative to the current folder, as 'evalkit run' got it
        (str(tmp_path / "project" / "old" / "summary.json"), True),
        (str(tmp_path / "outside" / "summary.json"), False),
        ("../../outside/summary.json", False),
    ]:
        summary = failing_run.summary.model_copy(update={"baseline": recorded})
        write_summary(folder / "summary.json", summary)
        monkeypatch.chdir(tmp_path / "project")
        loaded = load_results(folder)
        assert (loaded.baseline is not None) is found, recorded
        assert any("not read; pass --baseline" in w for w in loaded.warnings) is not found


def test_an_explicit_baseline_must_be_a_file(tmp_path: Path, failing_run: RunResults) -> None:
    folder = _write_run(tmp_path, failing_run)
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(RunError, match=r"--baseline .*pipe\.json is not a file"):
        load_results(folder, baseline=tmp_path / "pipe.json")


def test_a_file_that_is_not_a_summary_is_refused(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(RunError, match="not an evalkit run summary"):
        load_results(tmp_path / "summary.json")
