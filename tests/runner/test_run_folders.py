"""The run ``evalkit accept`` reads: a folder, its results.jsonl or summary.json, or the
newest run under ``.evalkit/runs/``; anything else is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.runner.accept_plan import AcceptError
from evalkit.runner.results import RESULTS_NAME, SUMMARY_NAME
from evalkit.runner.run_folders import latest_run, run_folder


def _run(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / RESULTS_NAME).write_text("", encoding="utf-8")
    (folder / SUMMARY_NAME).write_text("{}", encoding="utf-8")
    return folder


def test_a_run_is_named_by_its_folder_or_either_of_its_files(tmp_path: Path) -> None:
    run = _run(tmp_path / "run")
    assert run_folder(run) == run
    assert run_folder(run / RESULTS_NAME) == run
    assert run_folder(str(run / SUMMARY_NAME)) == run


def test_what_is_not_a_run_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AcceptError, match="nowhere: does not exist; give a run folder"):
        run_folder(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("", encoding="utf-8")
    with pytest.raises(AcceptError, match="is not a folder"):
        run_folder(tmp_path / "file.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AcceptError, match=r"not a run folder \(no results.jsonl in it\)"):
        run_folder(tmp_path / "empty")


def test_the_latest_run_is_the_newest_folder_holding_results(tmp_path: Path) -> None:
    manifest = tmp_path / "evalkit.yaml"
    with pytest.raises(AcceptError, match=r"no run under .*: run 'evalkit run' first"):
        latest_run(manifest)
    runs = tmp_path / ".evalkit" / "runs"
    _run(runs / "run-20260101T000000Z-aaaaaa")
    newest = _run(runs / "run-20260102T000000Z-bbbbbb")
    (runs / "run-20990101T000000Z-cccccc").mkdir()  # no results: an unfinished start
    assert latest_run(manifest) == newest
