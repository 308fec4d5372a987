"""JUnit XML: a ``testsuite`` per agent, a ``testcase`` per example.

Fail and partial become ``<failure>`` (message: the first difference; text: the difference
summary), errors and cancellations ``<error>``, quarantined examples ``<skipped>``. The run's
gates follow in a suite of their own (``GATES_SUITE``): a failed gate fails, one that could not
be evaluated is skipped as "not checked" (``view.gate_line``, as in the HTML and Markdown).
The layout follows the common JUnit schema (the one Jenkins and most CI systems read). A test
case's ``file`` and ``line`` say where the example is declared, at the line of its first
difference in ``expected.json`` when there is one (``evalkit.report.locations``). Its
``system-out`` holds a repeated example's attempts and the example's notes, when it has them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from evalkit.control_chars import visible
from evalkit.report.example_text import NOT_CHECKED
from evalkit.report.loading import RunResults
from evalkit.report.locations import example_location
from evalkit.report.view import ReportView, Row, build_view, describe_difference, gate_line
from evalkit.runner.duration_text import duration_text
from evalkit.runner.summary_text import change_label, change_text, repeats_text

MAX_DIFFERENCE_LINES = 30
#: the test suite of the run's gates, after the agents' suites
GATES_SUITE = "evalkit gates"
# XML 1.0 cannot carry lone surrogates (JSON may hold them: "\ud800") nor the two
# noncharacters, even escaped (``visible`` writes the control characters as escapes).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text for the XML: control characters as escapes, as on the terminal and in the
    Markdown (CI pages show these names and messages to people: an escape sequence or a bidi
    override from an output must be read, not obeyed), and what XML cannot carry replaced."""
    return _NOT_XML.sub("\ufffd", visible(text))


def render_junit(run: RunResults, *, view: ReportView | None = None) -> str:
    """The JUnit XML. ``view``: ``build_view(run)``, when the caller has it already."""
    view = view if view is not None else build_view(run)
    by_agent: dict[str, list[Row]] = defaultdict(list)
    for row in view.rows:
        by_agent[row.result.agent].append(row)
    root = ET.Element("testsuites", name=_clean(f"evalkit {view.run_id}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds_total = 0.0
    for suite_id, agent in enumerate(sorted(by_agent)):
        rows = sorted(by_agent[agent], key=lambda r: r.result.example)
        suite = ET.SubElement(root, "testsuite", name=_clean(agent), id=str(suite_id))
        tally = {"tests": len(rows), "failures": 0, "errors": 0, "skipped": 0}
        seconds = 0.0
        for row in rows:
            outcome = _testcase(suite, row)
            if outcome:
                tally[outcome] += 1
            seconds += row.duration_ms / 1000
        for key, value in tally.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{seconds:.3f}")
        seconds_total += seconds
    if view.gate.gates:
        gates = _gates_suite(root, view.gate.gates, len(by_agent))
        for key in totals:
            totals[key] += int(gates.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds_total:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _gates_suite(root: ET.Element, gates: list[dict[str, Any]], suite_id: int) -> ET.Element:
    """The gates as test cases: a failed gate fails, one that could not be evaluated is
    skipped ("not checked", as in the HTML and Markdown), a passed gate passes."""
    suite = ET.SubElement(root, "testsuite", name=GATES_SUITE, id=str(suite_id))
    tally = {"tests": len(gates), "failures": 0, "errors": 0, "skipped": 0}
    for gate in gates:
        case = ET.SubElement(
            suite,
            "testcase",
            name=_clean(str(gate.get("name", ""))),
            classname="gate",
            time="0.000",
        )
        state, text = gate_line(gate)
        if state == "failed":
            ET.SubElement(case, "failure", message=_clean(text), type="gate")
            tally["failures"] += 1
        elif state == "not_checked":
            ET.SubElement(case, "skipped", message=_clean(text))
            tally["skipped"] += 1
    for key, value in tally.items():
        suite.set(key, str(value))
    suite.set("time", "0.000")
    return suite


def _testcase(suite: ET.Element, row: Row) -> str | None:
    """Add one testcase; return which counter it adds to (failures, errors, skipped) if any."""
    result = row.result
    case = ET.SubElement(
        suite,
        "testcase",
        name=_clean(result.example),
        classname=_clean(f"{result.kind}.{result.agent}"),
        time=f"{row.duration_ms / 1000:.3f}",
    )
    location = example_location(result)
    if location is not None:
        case.set("file", _clean(location.file))
        case.set("line", str(location.line))
    outcome = _outcome(case, row)
    out = [*attempt_lines(row)]
    if not row.output_json_checked:
        out.append(NOT_CHECKED)
    notes = row.notes()
    if notes is not None:
        out.append(f"notes: {notes}")
    if out:
        ET.SubElement(case, "system-out").text = _clean("\n".join(out))
    return outcome


def attempt_lines(row: Row) -> list[str]:
    """A repeated example's attempts, one line each, after what they add up to."""
    repeats = row.result.repeats
    if repeats is None:
        return []
    lines = [repeats_text(repeats)]
    if row.change is not None and row.change.change not in ("new", "removed"):
        lines.append(f"against the baseline: {change_label(row.change)}: {change_text(row.change)}")
    for attempt in row.attempts:
        parts = [f"attempt {attempt.number}: {attempt.verdict}"]
        if attempt.score is not None:
            parts.append(f"score {attempt.score:.2f}")
        parts.append(duration_text(attempt.total_ms / 1000))
        if attempt.execution_id:
            parts.append(f"execution {attempt.execution_id}")
        if attempt.link:
            parts.append(attempt.link)
        if attempt.error:
            parts.append(attempt.error)
        lines.append(", ".join(parts))
    return lines


def _outcome(case: ET.Element, row: Row) -> str | None:
    result = row.result
    if row.quarantined and row.status != "pass":
        ET.SubElement(case, "skipped", message=_clean(f"quarantined ({row.status})"))
        return "skipped"
    if row.status in ("fail", "partial"):
        failure = ET.SubElement(
            case, "failure", message=_clean(_message(row)), type=_clean(row.status)
        )
        failure.text = _clean(failure_text(row))
        return "failures"
    if row.status in ("error", "cancelled"):
        kind = result.error.kind.value if result.error else row.status
        error = ET.SubElement(case, "error", message=_clean(_message(row)), type=_clean(kind))
        error.text = _clean(result.error.message if result.error else row.status)
        return "errors"
    return None


def _message(row: Row) -> str:
    prefix = "regression: " if row.regression else ""
    score = f" (score {row.score_label})" if row.result.score is not None else ""
    repeats = row.result.repeats
    if repeats is not None:
        # One testcase per example: k/n and the rule say how its verdict was made.
        score += f", {repeats.passes}/{repeats.trials} passed (rule {repeats.pass_if})"
    return f"{prefix}{row.status}{score}: {row.headline}"


def failure_text(row: Row) -> str:
    """The difference summary: every difference and file problem, one per line (bounded)."""
    comparison = row.result.comparison or {}
    lines = [describe_difference(d, limit=200) for d in comparison.get("differences", [])]
    for file in comparison.get("files", []):
        if file.get("status") == "match":
            continue
        lines.append(f"file {file.get('name')}: {file.get('status')}")
        lines += [f"  {describe_difference(d)}" for d in file.get("differences", [])]
        if file.get("diff"):
            lines += [f"  {line}" for line in str(file["diff"]).splitlines()]
    if len(lines) > MAX_DIFFERENCE_LINES:
        hidden = len(lines) - MAX_DIFFERENCE_LINES
        lines = [*lines[:MAX_DIFFERENCE_LINES], f"... and {hidden} more lines"]
    if not row.output_json_checked:
        lines.append(NOT_CHECKED)
    if row.result.mark:
        lines.append(f"declared at {row.result.mark}")
    return "\n".join(lines)
