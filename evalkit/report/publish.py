"""Every report of a run into one folder and, inside GitHub Actions, the step summary.

``publish_reports`` is what a run does after its last example (``evalkit.run``); ``evalkit
report`` renders one format at a time instead. The lines GitHub reads from the log (failure
annotations) are returned, not printed: the caller knows where its output goes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.report import write_reports
from evalkit.report.github import in_github_actions, publish
from evalkit.report.loading import RunResults


@dataclass(frozen=True)
class Published:
    #: report format -> file written
    files: dict[str, Path] = field(default_factory=dict)
    #: workflow commands for GitHub's log (``::error ...``), to print where GitHub reads them
    github_lines: list[str] = field(default_factory=list)


def publish_reports(
    run: RunResults,
    report_dir: Path,
    *,
    html_link: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Published:
    """Write every report into ``report_dir``; in GitHub Actions (``env``, default the
    process's) also append the step summary and write the step outputs."""
    environment = os.environ if env is None else env
    files = write_reports(run, report_dir, html_link=html_link)
    lines: list[str] = []
    if in_github_actions(environment):
        lines = list(publish(run, environment, html_link=html_link, reports=files))
    return Published(files, lines)
