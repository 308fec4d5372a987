"""Every report of a run into one folder and, inside GitHub Actions, the step summary.

``publish_run`` is what a run does after its last example (``evalkit.run``): the run's files
read back, every report written from one view of them; ``evalkit report`` renders one format
at a time instead. The lines GitHub reads from the log (failure annotations) are returned, not
printed: the caller knows where its output goes. GitHub's share (step summary, step outputs,
annotations) does not depend on the report files: it is written without them (no folder
given, or one that could not be written), only without its links to them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.collector import collection_paused
from evalkit.conventions import in_github_actions
from evalkit.report import write_reports
from evalkit.report.github import publish
from evalkit.report.history import earlier_runs
from evalkit.report.loading import RunResults, load_results
from evalkit.report.view import build_view
from evalkit.runner.results_file import ResultsFollower


@dataclass(frozen=True)
class Published:
    #: report format -> file written
    files: dict[str, Path] = field(default_factory=dict)
    #: workflow commands for GitHub's log (``::error ...``), to print where GitHub reads them
    github_lines: list[str] = field(default_factory=list)
    #: why the report files could not be written (None: written, or none asked for)
    report_error: OSError | None = None


def warm_up() -> None:
    """What the reports need before they can start (``html.warm_up``: the page's template
    compiled, its assets read; and this module's imports), for a run to do while its examples
    run (in a worker thread), so that its reports start at once after the last one."""
    from evalkit.report.html import warm_up as warm_up_html

    warm_up_html()


def publish_run(
    run_dir: Path,
    report_dir: Path | None,
    *,
    html_link: str | None = None,
    history: Path | None = None,
    env: Mapping[str, str] | None = None,
    follower: ResultsFollower | None = None,
) -> Published:
    """``publish_reports`` of the run ``evalkit run`` wrote into ``run_dir``
    (``load_results``), with the earlier runs in ``history`` for the HTML report's trends.
    ``follower``: its results file, followed while the run wrote it (``load_results``).
    ``RunError`` when the run's files cannot be read; ``OSError`` when GitHub's files
    cannot be written (the report files' own error is ``Published.report_error``)."""
    with collection_paused():  # reading and rendering as one: see ``evalkit.collector``
        run = load_results(run_dir, follower=follower)
        if history is not None:
            run.history = earlier_runs([history], before=run.mark())
        published = publish_reports(run, report_dir, html_link=html_link, env=env)
        del run  # freed while the collector is off: nothing left for it to count
    return published


def publish_reports(
    run: RunResults,
    report_dir: Path | None,
    *,
    html_link: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Published:
    """Write every report into ``report_dir`` (None: no report files); in GitHub Actions
    (``env``, default the process's) also append the step summary, write the step outputs
    and return the annotations, whether or not the report files were written. A report
    folder that cannot be written is ``Published.report_error``; an ``OSError`` raised is
    GitHub's files'."""
    environment = os.environ if env is None else env
    files: dict[str, Path] = {}
    error: OSError | None = None
    with collection_paused():
        view = build_view(run)  # once, for every report
        if report_dir is not None:
            try:
                files = write_reports(run, report_dir, html_link=html_link, view=view)
            except OSError as err:  # GitHub's share still goes out, below
                error = err
        lines: list[str] = []
        if in_github_actions(environment):
            lines = list(
                publish(
                    run,
                    environment,
                    html_link=html_link,
                    reports=files,
                    view=view,
                    link_report="html" in files,
                )
            )
    return Published(files, lines, error)
