"""Every report shows each judge's calibration from the summary (runner.calibration_record),
with whatever a judge's name or an example's name holds kept inert."""

from __future__ import annotations

import dataclasses

from evalkit.report import RunResults, render_html, render_markdown
from evalkit.runner.calibration_record import (
    CALIBRATION_HEADING,
    JudgeCalibration,
    LabelledVerdict,
)
from evalkit.runner.summary_text import render_summary

MEASURED = JudgeCalibration(
    judge="reply-judge",
    labelled=2,
    verdicts=[
        LabelledVerdict(example="a", label=True, verdict=True),
        LabelledVerdict(example="b", label=False, verdict=False),
    ],
    agreed=2,
    accuracy=1.0,
    kappa=1.0,
)
HOSTILE = JudgeCalibration(judge="<script>x</script>|`tone`", labelled=0)


def _with_calibration(run: RunResults, *records: JudgeCalibration) -> RunResults:
    assert run.summary is not None
    summary = run.summary.model_copy(update={"calibration": list(records)})
    return dataclasses.replace(run, summary=summary)


def test_each_report_has_one_line_per_judge(failing_run: RunResults) -> None:
    run = _with_calibration(failing_run, MEASURED, HOSTILE)
    line = "reply-judge: agreement 2/2 (100%), Cohen's kappa 1.00 on 2 labelled examples"
    assert run.summary is not None
    terminal = render_summary(run.summary)
    assert f"judge calibration: {line}" in terminal
    assert "judge calibration: <script>x</script>|`tone`: uncalibrated" in terminal
    markdown = render_markdown(run)
    assert f"⚖️ {CALIBRATION_HEADING}" in markdown
    assert f"- {line}" in markdown
    assert "<script>" not in markdown
    html = render_html(run)
    assert line.replace("'", "&#39;") in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_without_judges_the_reports_say_nothing_of_calibration(failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    assert failing_run.summary.calibration == []
    assert CALIBRATION_HEADING not in render_markdown(failing_run)
    assert CALIBRATION_HEADING.replace("'", "&#39;") not in render_html(failing_run)
    assert "judge calibration" not in render_summary(failing_run.summary)
