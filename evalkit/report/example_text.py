"""How one example's outcome is worded in the text reports (Markdown, JUnit, annotations):
its problems one per line, its score, and whether its output JSON was checked at all."""

from __future__ import annotations

from evalkit.report.view import describe_difference, record_field
from evalkit.runner.results import ExampleResult
from evalkit.runner.score_label import score_label

TOP_DIFFERENCES = 3
#: said of an example whose verdict did not look at its output JSON (``output_json_checked``)
JSON_NOT_CHECKED = "output JSON not checked"


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


def score_text(result: ExampleResult) -> str:
    """The score as every report writes it: a non-pass never reads ``1.00``."""
    differences = 0 if result.error is not None else len(problems(result))
    return score_label(result.score, result.verdict, differences)


def json_checked(result: ExampleResult) -> bool:
    """False when the runner says the output JSON was not compared (older files: checked)."""
    return record_field(result, "output_json_checked", True) is not False
