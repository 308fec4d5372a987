"""Reading a run's results for the reports: a results folder, ``results.jsonl`` or ``summary.json``.

Reports read only results: the runner's files and, for deltas, a baseline run's summary. The
summary is optional (an interrupted or copied run may have only ``results.jsonl``); every
renderer works from the example results alone and adds what the summary knows when present.

The files are read as untrusted input (``evalkit.runner.results_file``), and only what was
given is read: a path named on the command line is followed wherever it points, but the files
evalkit finds by itself (``results.jsonl`` and ``summary.json`` in a run folder or beside the
file given) must be regular files there, not symbolic links, and the baseline a summary
names is read only when it lies in the run's folder or the current folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.collector import collection_paused
from evalkit.errors import RunError
from evalkit.report.history import History, RunMark
from evalkit.runner.results import RESULTS_NAME, SUMMARY_NAME, ExampleResult, RunSummary
from evalkit.runner.results_file import ResultsFollower, read_results_file, read_summary_file
from evalkit.safe_paths import is_inside


@dataclass
class RunResults:
    """Everything a report shows: the examples, and what the summary and baseline add."""

    results: list[ExampleResult]
    summary: RunSummary | None = None
    baseline: RunSummary | None = None
    #: where the results were read from (shown in reports, used to find the baseline)
    source: Path | None = None
    #: the last line of results.jsonl when a crash cut it short: ``(line number, why)``
    skipped_lines: list[tuple[int, str]] = field(default_factory=list)
    #: what reading left out or could not use, for the command to say (one line each)
    warnings: list[str] = field(default_factory=list)
    #: earlier runs (``--history``): the HTML report draws each agent's trend
    history: History | None = None

    def mark(self) -> RunMark | None:
        """The run by its id and start, for the history before it: its summary's, else its
        first example's (a run killed before its summary: a run that started in between is
        then taken for an earlier one); None when it holds neither."""
        if self.summary is not None:
            return RunMark(self.summary.metadata.run_id, self.summary.metadata.started_at)
        starts = [result.started_at for result in self.results if result.started_at]
        if not starts:
            return None
        return RunMark(self.results[0].run_id, min(starts))


def load_results(
    path: Path, *, baseline: Path | None = None, follower: ResultsFollower | None = None
) -> RunResults:
    """Read a run from its folder, its ``results.jsonl`` or its ``summary.json``.

    The summary is looked for beside ``results.jsonl``; the baseline is ``baseline`` when given,
    else the summary's own ``baseline`` when that file is in the run's folder or the current
    one. ``RunError`` (``ResultsFileError`` at a file's line) when they cannot be used.
    ``follower``: the results file followed as the run wrote it, the lines read so far taken
    from it (when it follows the results file found here: else the file is read)."""
    with collection_paused():  # (see ``evalkit.collector``)
        return _load(path, baseline, follower)


def _load(path: Path, baseline: Path | None, follower: ResultsFollower | None) -> RunResults:
    results_path, summary_path = _locate(path)
    summary = read_summary_file(summary_path) if summary_path is not None else None
    if not results_path.is_file() and not results_path.is_symlink():
        raise RunError(
            f"{path}: its results file {RESULTS_NAME} is not there (a run folder holds both); "
            "pass the run's folder as 'evalkit run' wrote it"
        )
    found = results_path if results_path == path else _found(results_path)
    if follower is not None and follower.path == found:
        read = follower.finish()
    else:
        read = read_results_file(found)
    warnings = [
        f"{results_path}:{number}: skipped, {why}: the examples before it are reported"
        for number, why in read.skipped
    ]
    if not read.results and not (summary is not None and summary.counts.total == 0):
        # (a summary counting no example is a run that had none to run: said in its outcome)
        warnings.append(f"{results_path} holds no results (no example finished)")
    if baseline is not None:  # a summary file, or the folder of the run that wrote it
        summary_of = baseline / SUMMARY_NAME if baseline.is_dir() else baseline
        baseline_path: Path | None = _regular_file(summary_of, "--baseline")
    else:
        baseline_path = _summary_baseline(summary, results_path.parent, warnings)
    return RunResults(
        results=read.results,
        summary=summary,
        baseline=read_summary_file(baseline_path) if baseline_path is not None else None,
        source=results_path,
        skipped_lines=read.skipped,
        warnings=warnings,
    )


def _locate(path: Path) -> tuple[Path, Path | None]:
    if path.is_dir():
        results_path = path / RESULTS_NAME
        if not results_path.is_file() and not results_path.is_symlink():
            raise RunError(
                f"{path} holds no {RESULTS_NAME}; pass the folder 'evalkit run' wrote "
                "(.evalkit/runs/<run id>) or a results.jsonl file"
            )
        return results_path, _beside(results_path, SUMMARY_NAME)
    path = _regular_file(path, "RESULTS")
    if path.suffix == ".json":
        return path.parent / RESULTS_NAME, path  # found by itself: checked once read
    return path, _beside(path, SUMMARY_NAME)


def _regular_file(path: Path, what: str) -> Path:
    """A path given on the command line: followed, but it must end at a regular file (a
    pipe or a device would be read forever)."""
    if not path.is_file():
        raise RunError(
            f"{what} {path} is not a file; pass a results folder, results.jsonl or summary.json"
        )
    return path


def _beside(path: Path, name: str) -> Path | None:
    other = path.parent / name
    return _found(other) if other.is_file() or other.is_symlink() else None


def _found(path: Path) -> Path:
    """A file evalkit found by itself: used only as a regular file where it was found."""
    if path.is_symlink():
        raise RunError(
            f"{path} is a symbolic link: evalkit reads only the files in the run's folder; "
            "pass the file it points to (or a copy of the folder)"
        )
    if not path.is_file():
        raise RunError(f"{path} is not a regular file; pass the folder 'evalkit run' wrote")
    return path


def _summary_baseline(summary: RunSummary | None, folder: Path, warnings: list[str]) -> Path | None:
    """The baseline the run recorded, when it is in the run's folder or the current folder
    (the summary names it as given to 'evalkit run': relative to where it ran, or absolute)."""
    if summary is None or not summary.baseline:
        return None
    recorded = Path(summary.baseline)
    candidates = [recorded] if recorded.is_absolute() else [folder / recorded, recorded]
    roots = [folder.resolve(), Path.cwd().resolve()]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        if any(is_inside(candidate, root) for root in roots):
            return candidate
        warnings.append(
            f"the run's baseline {summary.baseline} is outside the run's folder and the current "
            f"folder: not read; pass --baseline {candidate} to compare with it"
        )
        return None
    return None
