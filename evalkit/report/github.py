"""GitHub Actions: the step summary and ``::error`` annotations for failing examples.

Nothing here prints: ``annotation_lines`` returns workflow-command lines; the CLI writes them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from evalkit.report.loading import RunResults
from evalkit.report.markdown import render_markdown, top_differences
from evalkit.report.view import Row, build_view

MAX_ANNOTATIONS = 50


def in_github_actions(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("GITHUB_ACTIONS") == "true"


def run_link(env: Mapping[str, str]) -> str | None:
    """The workflow run's page, where the uploaded HTML report artifact is listed."""
    server, repo, run_id = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repo and run_id:
        return f"{server}/{repo}/actions/runs/{run_id}"
    return None


def publish(run: RunResults, env: Mapping[str, str], html_link: str | None = None) -> list[str]:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` (when set) and return the
    annotation lines for the failing examples."""
    link = html_link or run_link(env)
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as handle:
            handle.write(render_markdown(run, html_link=link) + "\n")
    return annotation_lines(run, workspace=env.get("GITHUB_WORKSPACE"))


def annotation_lines(run: RunResults, *, workspace: str | None = None) -> list[str]:
    """``::error`` lines for examples that did not pass (quarantined and cancelled aside).
    Marks are relative to the folder evalkit ran in (or absolute); GitHub wants them relative
    to the workspace (default: the current folder)."""
    view = build_view(run)
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
    where = parse_mark(result.mark, root)
    if where is not None:
        properties = {"file": where[0], "line": str(where[1]), "col": str(where[2]), **properties}
    message = "\n".join(top_differences(row)) or row.status
    props = ",".join(f"{key}={_property(value)}" for key, value in properties.items())
    return f"::error {props}::{_data(message)}"


def parse_mark(mark: str | None, root: Path) -> tuple[str, int, int] | None:
    """``file:line:col`` (file relative to the current folder, or absolute) as a path relative
    to ``root`` (absolute): GitHub places annotations by repository-relative path. None when
    the file is outside ``root``."""
    if not mark:
        return None
    parts = mark.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    path = Path(os.path.normpath(Path.cwd() / parts[0]))
    with contextlib.suppress(ValueError):
        return path.relative_to(root).as_posix(), int(parts[1]), int(parts[2])
    return None


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
