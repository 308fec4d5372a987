"""Which run ``evalkit accept`` reads: a run folder named by the user, or by default the
newest one under the manifest's ``.evalkit/runs/``.

A run folder is one holding ``results.jsonl`` (``runner.results.RESULTS_NAME``); run ids sort
by the time they started (``runner.metadata.new_run_id``), so the newest is the last by name.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.conventions import RUNS_FOLDER
from evalkit.manifest.paths import display_path
from evalkit.runner.accept_plan import AcceptError
from evalkit.runner.results import RESULTS_NAME, SUMMARY_NAME

_GIVE_A_RUN = "give a run folder (.evalkit/runs/<run id>, or the --out of 'evalkit run')"


def latest_run(manifest_path: Path) -> Path:
    """The newest run folder under the manifest's ``.evalkit/runs/``."""
    folder = manifest_path.parent / RUNS_FOLDER
    runs = (
        sorted(path.name for path in folder.glob("*") if (path / RESULTS_NAME).is_file())
        if folder.is_dir()
        else []
    )
    if not runs:
        raise AcceptError(
            f"no run under {display_path(folder)}: run 'evalkit run' first, or name the run "
            "folder (evalkit accept RUN)"
        )
    return folder / runs[-1]


def run_folder(run: Path | str) -> Path:
    """``run`` as a run folder: the folder itself, or the folder of its results.jsonl or
    summary.json."""
    path = Path(run)
    if path.is_file() and path.name in (RESULTS_NAME, SUMMARY_NAME):
        path = path.parent
    if not path.is_dir():
        problem = "does not exist" if not path.exists() else "is not a folder"
        raise AcceptError(f"{run}: {problem}; {_GIVE_A_RUN}")
    if not (path / RESULTS_NAME).is_file():
        raise AcceptError(f"{run}: not a run folder (no {RESULTS_NAME} in it); {_GIVE_A_RUN}")
    return path
