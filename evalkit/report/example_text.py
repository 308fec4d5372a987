"""How one example's problems are worded in the text reports (Markdown, JUnit, annotations):
one line per difference or error. Its score and whether its output JSON was checked are the
view's (``Row.score_label``, ``Row.output_json_checked``), worded as in the terminal
(``NOT_CHECKED``)."""

from __future__ import annotations

from evalkit.report.view import describe_difference
from evalkit.runner.results import ExampleResult
from evalkit.runner.summary_text import NOT_CHECKED

TOP_DIFFERENCES = 3
__all__ = ["NOT_CHECKED", "TOP_DIFFERENCES", "problems", "top_differences"]


def problems(result: ExampleResult) -> list[str]:
    """The error, or every difference and every file that does not match, one line each."""
    if result.error is not None:
        return [f"{result.error.kind.value}: {result.error.message}"]
    comparison = result.comparison or {}
    found = [describe_difference(d) for d in comparison.get("differences", [])]
    found += [
        f"file {f.get('name')}: {f.get('status')}"
        for f in comparison.get("files", [])
        if f.get("status") != "match"
    ]
    return found


def top_differences(result: ExampleResult, count: int = TOP_DIFFERENCES) -> list[str]:
    found = problems(result)
    if len(found) > count:
        found = [*found[:count], f"... and {len(found) - count} more"]
    return found
