"""The HTML report: one self-contained file (inline CSS, JS and SVG; no network).

Header, counts and charts are rendered here by Jinja (autoescaped). The examples travel as
JSON inside ``<script type="application/json">``, escaped so that no string can close the
element, and a small script draws the tables a page at a time and each example's details only
when opened: 10,000 examples stay responsive. The script builds DOM nodes with
``textContent``, never ``innerHTML``, so outputs and file names cannot inject markup.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from evalkit._version import __version__
from evalkit.report import charts
from evalkit.report.loading import RunResults
from evalkit.report.plan_text import plan_html
from evalkit.report.trend import trend_charts
from evalkit.report.usage import USAGE_NOTE, usage_table
from evalkit.report.view import (
    PASS_RATES_LEGEND,
    ReportView,
    Row,
    build_view,
    gate_line,
    record_field,
)
from evalkit.runner.calibration_record import CALIBRATION_HEADING
from evalkit.runner.results import Verdict, count_differences
from evalkit.runner.score_label import score_label
from evalkit.runner.summary_text import (
    change_label,
    change_text,
    delta_text,
    interval_text,
    points_text,
)

_ABSENT = object()

# A huge output would make a page no browser opens: bigger documents are left out of the page
# and long difference values are cut (results.jsonl keeps them whole).
MAX_DOCUMENT_CHARS = 256_000
MAX_VALUE_CHARS = 2_000

# Escapes that keep JSON inert inside <script>: no "</script>", no "<!--", no HTML entities,
# and no U+2028/9 (line terminators in older JavaScript).
_SCRIPT_SAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    # Each character replaced where it is (no escape holds another): str.translate went
    # character by character through any text that is not ASCII (a page of 400 repeated
    # examples: 55 ms, against 1 ms).
    for character, escape in _SCRIPT_SAFE.items():
        if character in text:
            text = text.replace(character, escape)
    return Markup(text)


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("evalkit.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> Markup:
    # Our own static CSS/JS: inserted verbatim (it holds no "</" sequence; a test checks).
    text = resources.files("evalkit.report").joinpath("templates").joinpath(name).read_text("utf-8")
    return Markup(text)


def warm_up() -> None:
    """Compile the page's template, read its assets and import the reading of the run's
    files (``runner.shapes``) ahead of ``render_html`` (``evalkit run`` does it in a worker
    thread while its examples run: the report after is quicker)."""
    import evalkit.runner.shapes  # noqa: F401 - the import is the warm-up

    _environment().get_template("report.html.j2")
    for name in ("report.css", "report.js", "detail.js"):
        _asset(name)


def render_html(
    run: RunResults, *, title: str | None = None, view: ReportView | None = None
) -> str:
    """The page. ``view``: ``build_view(run)``, when the caller has it already (the reports
    of one run share it)."""
    view = view if view is not None else build_view(run)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title or f"evalkit report {view.run_id}",
            view=view,
            charts=_charts(view) + trend_charts(run),
            usage=usage_table(run),
            usage_note=USAGE_NOTE,
            plan=plan_html(view.sync_plan),
            data=script_json(page_data(view)),
            css=_asset("report.css"),
            js=_asset("report.js") + _asset("detail.js"),
            generator=__version__,
            skipped=run.skipped_lines,
            gate_line=gate_line,
            scopes=_scopes(view),
            points_text=points_text,
            legend=PASS_RATES_LEGEND,
            calibration_heading=CALIBRATION_HEADING,
        )
    )


def _scopes(view: ReportView) -> list[dict[str, str]]:
    """The run and each agent: figures with intervals (when repeated) and the change against
    the baseline in words, classed by its verdict (noise is never shown as a failure)."""
    evidence = view.evidence
    if evidence is None:
        return []
    cards = []
    for scope in evidence.scopes:
        if not evidence.repeated and scope.delta is None:
            continue
        cards.append(
            {
                "label": scope.label,
                "figures": scope.figures(evidence.confidence) if evidence.repeated else "",
                "change": f"against the baseline: {delta_text(scope.delta)}" if scope.delta else "",
                "verdict": scope.delta.verdict if scope.delta else "none",
            }
        )
    return cards


def _charts(view: ReportView) -> list[tuple[str, Markup]]:
    """(caption, svg) pairs."""
    scores = [
        row.result.score
        for row in view.rows
        if row.result.score is not None and row.status != Verdict.PASS.value
    ]
    rates = [(a.name, a.pass_rate) for a in view.agents]
    made = [
        (
            "Score distribution (passes apart)",
            charts.score_histogram(scores, passes=view.counts[Verdict.PASS.value]),
        ),
        (
            "Duration distribution (seconds)",
            charts.duration_histogram([row.duration_ms for row in view.rows]),
        ),
        ("Pass rate per agent", charts.rate_bars(rates, title="Pass rate per agent")),
    ]
    deltas = [(a.name, a.delta) for a in view.agents if a.delta is not None]
    if deltas:
        title = "Pass rate change per agent against the baseline"
        made.append((title, charts.delta_bars(deltas, title=title)))
    return made


# One entry of a row in the page, by position ("label" is the score as people read it).
COLUMNS = ["agent", "example", "status", "score", "label", "ms", "tags", "flags", "link", "why"]


def page_data(view: ReportView) -> dict[str, Any]:
    """What the script needs: compact rows (columns in ``columns``) and per-row details."""
    return {
        "columns": COLUMNS,
        "agents": [agent.name for agent in view.agents],
        "rows": [_row(row) for row in view.rows],
        "details": [_detail(row) for row in view.rows],
    }


def _row(row: Row) -> list[Any]:
    result = row.result
    flags = [
        name
        for name, on in (
            ("regression", row.regression),
            ("fixed", row.fixed),
            ("flaky", row.flaky),
            ("quarantined", row.quarantined),
            ("noise", row.noise),
            ("json_not_checked", not row.output_json_checked),
        )
        if on
    ]
    return [
        result.agent,
        result.example,
        row.status,
        result.score,
        row.score_label,
        row.duration_ms,
        result.tags,
        flags,
        row.link,
        row.headline,
    ]


def _detail(row: Row) -> dict[str, Any]:
    result = row.result
    detail: dict[str, Any] = {
        "mark": result.mark,
        "outputJsonChecked": row.output_json_checked,
        "comparison": _clipped_comparison(result.comparison),
        "error": result.error.to_dict() if result.error else None,
        "feedback": result.feedback.to_dict(),
        "execution": result.execution.to_dict() if result.execution else None,
        "attempts": result.attempts,
        "outputFiles": result.output_files,
        "durations": result.durations.to_dict(),
    }
    notes = row.notes()
    if notes is not None:
        detail["notes"] = notes
    if result.repeats is not None:
        detail["repeats"] = _repeats(row)
    expected = record_field(result, "expected_json", _ABSENT)
    actual = record_field(result, "actual_json", _ABSENT)
    if result.comparison is not None and expected is not _ABSENT and actual is not _ABSENT:
        size = max(_json_size(expected), _json_size(actual))
        if size <= MAX_DOCUMENT_CHARS:
            detail["expected_json"] = expected
            detail["actual_json"] = actual
        else:
            detail["documents_omitted"] = (
                f"The expected and actual documents are too large for this page ({size:,} "
                "characters); results.jsonl holds them whole."
            )
    return detail


def _repeats(row: Row) -> dict[str, Any]:
    """A repeated example for the page: its attempts (the strip) and what they add up to."""
    repeats = row.result.repeats
    assert repeats is not None
    level = f"{repeats.confidence:.0%} CI"
    change = row.change
    if change is None or change.change in ("new", "removed"):
        against = ""
    else:
        against = f"{change_label(change)}: {change_text(change) or 'pass → not a pass'}"
    return {
        "passes": repeats.passes,
        "trials": repeats.trials,
        "rule": repeats.pass_if,
        "adaptive": repeats.adaptive,
        "passInterval": f"{level} {interval_text(repeats.pass_interval, percent=True)}"
        if repeats.pass_interval
        else "",
        "scoreInterval": f"{level} {interval_text(repeats.score_interval)}"
        if repeats.score_interval
        else "",
        "against": against,
        "attempts": [
            {
                "mark": attempt.mark,
                "verdict": attempt.verdict,
                "score": attempt.score,
                "execution": attempt.execution_id,
                "link": attempt.link,
                "error": attempt.error,
                "ms": attempt.total_ms,
                "title": attempt.title,
            }
            for attempt in row.attempts
        ],
    }


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str))


def _clipped_comparison(comparison: dict[str, Any] | None) -> dict[str, Any] | None:
    """The comparison for the page: long values cut, each file's score as a label."""
    if not comparison:
        return comparison
    shown = dict(comparison)
    if comparison.get("differences"):
        shown["differences"] = [_clipped_difference(d) for d in comparison["differences"]]
    if isinstance(comparison.get("files"), list):
        shown["files"] = [_labelled_file(file) for file in comparison["files"]]
    return shown


def _clipped_difference(difference: Any) -> Any:
    if not isinstance(difference, dict):
        return difference
    difference = dict(difference)
    for side in ("expected", "actual"):
        if side in difference:
            difference[side] = _clipped_value(difference[side])
    return difference


def _labelled_file(file: Any) -> Any:
    if not isinstance(file, dict):
        return file
    score = file.get("score")
    label = score_label(
        float(score) if isinstance(score, (int, float)) else None,
        Verdict.PASS if file.get("status") == "match" else Verdict.PARTIAL,
        count_differences({"files": [file]}),
    )
    shown = {**file, "scoreLabel": label}
    if isinstance(file.get("differences"), list):
        shown["differences"] = [_clipped_difference(d) for d in file["differences"]]
    return shown


def _clipped_value(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) <= MAX_VALUE_CHARS:
        return value
    return f"{text[:MAX_VALUE_CHARS]}… ({len(text):,} characters in all, cut for this page)"
