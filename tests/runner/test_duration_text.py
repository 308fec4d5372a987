"""One way to write a duration (evalkit/runner/duration_text.py), everywhere it is shown."""

from __future__ import annotations

import pytest

from evalkit.report import render_html
from evalkit.report.loading import RunResults
from evalkit.report.usage import usage_table
from evalkit.report.view import build_view
from evalkit.runner.costs import time_text, usage_of
from evalkit.runner.duration_text import duration_text
from evalkit.runner.results import Durations
from tests.runner.conftest import make_result


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 ms"),
        (0.085, "85 ms"),
        (0.0994, "99 ms"),
        (0.0996, "0.10 s"),
        (0.1, "0.10 s"),
        (1.2, "1.20 s"),
        (2.25, "2.25 s"),
        (9.999, "10.0 s"),  # not "10.00 s": the rule goes by what is shown
        (42.54, "42.5 s"),
        (59.97, "1 min 0 s"),
        (125, "2 min 5 s"),
        (7260, "2 h 1 min"),
    ],
)
def test_durations_keep_the_digits_that_matter(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_one_report_writes_the_same_time_alike() -> None:
    """A run that took 1.2 s, its one execution 1.2 s on the platform: the report's header,
    its time table and the terminal say "1.20 s" each (they said "1.2 s" and "1.20 s")."""
    result = make_result(
        started_at="2026-01-01T00:00:00.000Z",
        finished_at="2026-01-01T00:00:01.200Z",
        durations=Durations(total_ms=1200, execution_ms=1200),
    )
    run = RunResults([result])
    assert build_view(run).meta["duration"] == "1.20 s"
    _, rows = usage_table(run)
    assert rows[0][2:4] == ["1.20 s", "1.20 s"]
    assert time_text(usage_of([result])[0]) == "p50 1.20 s, p95 1.20 s"
    assert "1.20 s" in render_html(run)
