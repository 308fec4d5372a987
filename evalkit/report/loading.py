"""Reading a run's results for the reports: a results folder, ``results.jsonl`` or ``summary.json``.

Reports read only results: the runner's files and, for deltas, a baseline run's summary. The
summary is optional (an interrupted or copied run may have only ``results.jsonl``); every
renderer works from the example results alone and adds what the summary knows when present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.errors import RunError
from evalkit.runner.jsonl import ReadReport, read_results, read_summary
from evalkit.runner.results import ExampleResult, RunSummary

RESULTS_NAME = "results.jsonl"
SUMMARY_NAME = "summary.json"


@dataclass
class RunResults:
    """Everything a report shows: the examples, and what the summary and baseline add."""

    results: list[ExampleResult]
    summary: RunSummary | None = None
    baseline: RunSummary | None = None
    #: where the results were read from (shown in reports, used to find the baseline)
    source: Path | None = None
    #: lines of results.jsonl that could not be read (a crash's truncated last line)
    skipped_lines: list[tuple[int, str]] = field(default_factory=list)


def load_results(path: Path, *, baseline: Path | None = None) -> RunResults:
    """Read a run from its folder, its ``results.jsonl`` or its ``summary.json``.

    The summary is looked for beside ``results.jsonl``; the baseline is ``baseline`` when given,
    else the summary's own ``baseline`` path when that file still exists.
    """
    results_path, summary_path = _locate(path)
    summary = read_summary(summary_path) if summary_path is not None else None
    report = ReadReport()
    results = list(read_results(results_path, report))
    baseline_path = baseline or _summary_baseline(summary, results_path.parent)
    baseline_summary = read_summary(baseline_path) if baseline_path is not None else None
    return RunResults(
        results=results,
        summary=summary,
        baseline=baseline_summary,
        source=results_path,
        skipped_lines=report.skipped,
    )


def _locate(path: Path) -> tuple[Path, Path | None]:
    if path.is_dir():
        results_path = path / RESULTS_NAME
        if not results_path.is_file():
            raise RunError(
                f"{path} holds no {RESULTS_NAME}; pass the folder 'evalkit run' wrote "
                "(.evalkit/runs/<run id>) or a results.jsonl file"
            )
        summary_path = path / SUMMARY_NAME
        return results_path, summary_path if summary_path.is_file() else None
    if not path.exists():
        raise RunError(f"{path} does not exist; pass a results folder, results.jsonl or summary")
    if path.suffix == ".json":
        summary = read_summary(path)
        results_path = Path(summary.results_file)
        if not results_path.is_absolute() or not results_path.is_file():
            results_path = path.parent / RESULTS_NAME  # the run folder was moved or copied
        if not results_path.is_file():
            raise RunError(f"{path}: its results file {summary.results_file} is not there")
        return results_path, path
    beside = path.parent / SUMMARY_NAME
    return path, beside if beside.is_file() else None


def _summary_baseline(summary: RunSummary | None, folder: Path) -> Path | None:
    if summary is None or not summary.baseline:
        return None
    candidate = Path(summary.baseline)
    if not candidate.is_absolute():
        candidate = folder / candidate if (folder / candidate).is_file() else candidate
    return candidate if candidate.is_file() else None
