"""The run's progress: a live bar in a terminal, a line per finished example when piped."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from evalkit.cli import output
from evalkit.cli.progress import ProgressView
from evalkit.runner.results import ExampleResult, Verdict


def _result(example: str, verdict: Verdict) -> ExampleResult:
    return ExampleResult(
        run_id="r1",
        agent="invoices",
        example=example,
        verdict=verdict,
        finished_at="2026-01-01T00:00:00.000Z",
    )


def _consoles(monkeypatch: pytest.MonkeyPatch, *, terminal: bool) -> io.StringIO:
    err = io.StringIO()
    monkeypatch.setattr(
        output, "stderr", output.console(to_stderr=True, file=err, terminal=terminal)
    )
    return err


def test_piped_progress_is_a_line_per_finished_example(monkeypatch: pytest.MonkeyPatch) -> None:
    err = _consoles(monkeypatch, terminal=False)
    with ProgressView() as view:
        view.begin(2)
        view.finished(_result("a", Verdict.PASS))
        view.finished(_result("b", Verdict.FAIL))
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[1/2]")
    assert "invoices/a" in lines[0]
    assert lines[1].startswith("[2/2]")
    assert "invoices/b" in lines[1]
    assert [problem.example for problem in view.problems] == ["b"]


def test_terminal_progress_is_a_bar_that_goes_when_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = _consoles(monkeypatch, terminal=True)
    with ProgressView() as view:
        view.begin(2)
        view.finished(_result("a", Verdict.PASS))
        view.finished(_result("b", Verdict.ERROR))
        assert view._bar is not None
        assert view._bar.live.is_started
    assert not view._bar.live.is_started
    shown = err.getvalue()
    assert "running" in shown
    assert "invoices/a" not in shown
    assert view.done == 2
    assert [problem.example for problem in view.problems] == ["b"]


def test_piped_run_does_not_import_the_bar() -> None:
    """``rich.progress`` is imported for a terminal's bar only."""
    probe = (
        "import sys, io; from evalkit.cli import output; from evalkit.cli.progress import "
        "ProgressView; output.stderr = output.console(to_stderr=True, file=io.StringIO(), "
        "terminal=False); view = ProgressView(); view.begin(1); view.close(); "
        "print('rich.progress' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['httpx._main'] = None\n" + probe],
        capture_output=True,
        text=True,
    )
    assert loaded.stdout.strip() == "False", loaded.stdout + loaded.stderr
