"""GitHub Actions: the step summary, ``::error`` annotations for failing examples, and step
outputs (``$GITHUB_OUTPUT``) a workflow can branch on.

Nothing here prints: ``annotation_lines`` returns workflow-command lines; the CLI writes them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from evalkit.report.example_text import top_differences
from evalkit.report.loading import RunResults
from evalkit.report.locations import Location, example_location, parse_location
from evalkit.report.markdown import render_markdown
from evalkit.report.view import ReportView, Row, build_view
from evalkit.runner.summary_text import attempt_strip, change_text, passes_text

MAX_ANNOTATIONS = 50
#: step output -> the view's count it holds
COUNT_OUTPUTS = {
    "total": "total",
    "passed": "pass",
    "partial": "partial",
    "failed": "fail",
    "errors": "error",
    "cancelled": "cancelled",
    "flaky": "flaky",
    "quarantined": "quarantined",
    "regressions": "regressions",
}
#: every step output ``publish`` writes (action.yml declares each, a test keeps them equal)
OUTPUTS = ("verdict", "pass-rate", *COUNT_OUTPUTS, "html", "junit", "markdown")


def run_link(env: Mapping[str, str]) -> str | None:
    """The workflow run's page, where the uploaded HTML report artifact is listed."""
    server, repo, run_id = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repo and run_id:
        return f"{server}/{repo}/actions/runs/{run_id}"
    return None


def publish(
    run: RunResults,
    env: Mapping[str, str],
    html_link: str | None = None,
    reports: Mapping[str, Path] | None = None,
    *,
    view: ReportView | None = None,
    link_report: bool = True,
) -> list[str]:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` and the step outputs to
    ``$GITHUB_OUTPUT`` (each when set; ``reports``: format -> file written) and return the
    annotation lines for the failing examples. ``view``: ``build_view(run)``, when the
    caller has it already. ``link_report=False``: no HTML report was written, and the step
    summary links none (neither ``html_link`` nor the workflow run's page)."""
    view = view if view is not None else build_view(run)
    link = (html_link or run_link(env)) if link_report else None
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as handle:
            summary = render_markdown(run, html_link=link, view=view, html_report=link_report)
            handle.write(summary + "\n")
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        with Path(output_path).open("a", encoding="utf-8") as handle:
            handle.write(output_text(step_outputs(run, reports or {}, view=view)))
    return annotation_lines(run, workspace=env.get("GITHUB_WORKSPACE"), view=view)


def step_outputs(
    run: RunResults, reports: Mapping[str, Path], *, view: ReportView | None = None
) -> dict[str, str]:
    """The verdict (the summary's status; ``unknown`` without one), the pass rate as a
    fraction, the counts, and the paths of the reports written."""
    view = view if view is not None else build_view(run)
    outputs = {"verdict": view.gate.status, "pass-rate": f"{view.pass_rate:.4f}"}
    outputs.update({name: str(view.counts[key]) for name, key in COUNT_OUTPUTS.items()})
    outputs.update({name: str(path) for name, path in reports.items()})
    return outputs


def output_text(outputs: Mapping[str, str]) -> str:
    """``$GITHUB_OUTPUT`` lines; a value with a line break uses the delimiter form."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"EVALKIT_{secrets.token_hex(8)}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    return "".join(lines)


def annotation_lines(
    run: RunResults, *, workspace: str | None = None, view: ReportView | None = None
) -> list[str]:
    """``::error`` lines for examples that did not pass (quarantined and cancelled aside).
    Marks are relative to the folder evalkit ran in (or absolute); GitHub wants them relative
    to the workspace (default: the current folder)."""
    view = view if view is not None else build_view(run)
    root = Path(os.path.abspath(workspace or Path.cwd()))
    problems = [row for row in view.problems if not row.quarantined and row.status != "cancelled"]
    lines = [_annotation(row, root) for row in problems[:MAX_ANNOTATIONS]]
    if len(problems) > MAX_ANNOTATIONS:
        lines.append(
            f"::warning::{len(problems) - MAX_ANNOTATIONS} more failing examples are not "
            "annotated; see the report"
        )
    return lines


def _annotation(row: Row, root: Path) -> str:
    result = row.result
    prefix = "regression: " if row.regression else ""
    properties = {"title": f"{prefix}{result.agent}/{result.example} {row.status}"}
    where = _in_workspace(example_location(result), root)
    if where is not None:
        properties = {"file": where[0], "line": str(where[1]), "col": str(where[2]), **properties}
    lines = top_differences(result)
    if result.repeats is not None:
        lines = [passes_text(result.repeats) + " " + attempt_strip(result.repeats), *lines]
    if row.change is not None and row.change.significant:
        lines = [f"against the baseline: {change_text(row.change)}", *lines]
    message = "\n".join(lines) or row.status
    props = ",".join(f"{key}={_property(value)}" for key, value in properties.items())
    return f"::error {props}::{_data(message)}"


def parse_mark(mark: str | None, root: Path) -> tuple[str, int, int] | None:
    """``file:line:col`` (file relative to the current folder, or absolute) as a path relative
    to ``root`` (absolute): GitHub places annotations by repository-relative path. None when
    the file is outside ``root``."""
    return _in_workspace(parse_location(mark), root)


def _in_workspace(location: Location | None, root: Path) -> tuple[str, int, int] | None:
    if location is None:
        return None
    path = Path(os.path.normpath(Path.cwd() / location.file))
    with contextlib.suppress(ValueError):
        return path.relative_to(root).as_posix(), location.line, location.column
    return None


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
