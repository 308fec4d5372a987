"""Custom Python scorers in a run against the local platform (issue 13 item 2): verdicts and
reasons in the results, a scorer that raises, hangs or ends its process costs its example
only, and ``evalkit validate`` finds a scorer that cannot be imported at the rule's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import evalkit
from evalkit import Connection, RunConfig
from evalkit.cli.context import GlobalOptions
from evalkit.cli.validate import validate
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_results_file
from tests.compare.custom_scorer_files import write_scorers

MANIFEST = """
version: 1
agents:
  - slug: invoices
    config:
      runtime:
        builtin: fixed
        output: {total: 88, currency: EUR}
    workspace: agents/invoices/
    compare:
      rules:
        /currency: {python: scorers/scorers.py:only_actual}
    examples:
      - name: close
        input: {q: total}
        expected: {total: 100, currency: EUR}
        compare:
          rules:
            /total: {python: {scorer: scorers/scorers.py:result, min: 0.8}}
      - name: off
        input: {q: total}
        expected: {total: 100, currency: EUR}
        compare:
          rules:
            /total: {python: scorers/scorers.py:result}
      - name: raises
        input: {q: total}
        expected: {total: 100, currency: EUR}
        compare:
          rules:
            /total: {python: scorers/scorers.py:raises}
      - name: hangs
        input: {q: total}
        expected: {total: 100, currency: EUR}
        compare:
          rules:
            /total: {python: {scorer: scorers/scorers.py:hangs, timeout: 1}}
      - name: exits
        input: {q: total}
        expected: {total: 100, currency: EUR}
        compare:
          rules:
            /total: {python: scorers/scorers.py:exits}
      - name: sees-the-input
        input: {q: total}
        expected: {total: 88, currency: EUR}
        compare:
          rules:
            "": {python: scorers/scorers.py:everything}
"""


def project(folder: Path) -> Path:
    (folder / "agents" / "invoices").mkdir(parents=True)
    (folder / "agents" / "invoices" / "AGENT.md").write_text("# Invoices\n")
    write_scorers(folder)
    manifest = folder / "evalkit.yaml"
    manifest.write_text(MANIFEST)
    return manifest


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("custom-run")
    outcome = evalkit.run(
        project(folder / "project"),
        RunConfig(report=False, out=folder / "out"),
        connection=Connection(),
        handle_interrupts=False,
    )
    run = read_results_file(outcome.run_dir / "results.jsonl")
    return {result.example: result for result in run.results}


def differences(result: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = result.comparison["differences"]
    return found


def test_a_score_from_min_passes_with_its_reason_applied(results: dict[str, Any]) -> None:
    result = results["close"]
    assert (result.verdict, result.score) == (Verdict.PASS, 1.0)
    applied = [(a["pointer"], a["kind"], a["detail"]) for a in result.comparison["applied"]]
    assert applied == [("/total", "python", "result 0.88 (at least 0.8): off by 12 EUR")]


def test_a_score_below_min_is_partial_credit_with_its_reason(results: dict[str, Any]) -> None:
    result = results["off"]
    assert result.verdict is Verdict.PARTIAL
    (difference,) = differences(result)
    assert difference["rule"] == "result 0.88 below 1: off by 12 EUR"
    assert result.score == pytest.approx((0.88 + 1) / 2)  # /currency passes its scorer


def test_a_scorer_that_raises_leaves_its_traceback_in_the_results(
    results: dict[str, Any],
) -> None:
    (difference,) = differences(results["raises"])
    assert difference["rule"].startswith("raises raised KeyError: 'total' (scorers.py line ")
    assert difference["error"].startswith("Traceback (most recent call last):")
    assert 'return totals["total"] > 0' in difference["error"]


@pytest.mark.parametrize(
    ("example", "rule"),
    [
        ("hangs", "hangs was stopped after 1 s (its time limit; 'timeout' on the rule sets it)"),
        ("exits", "exits crashed (its process exited with code 3)"),
    ],
)
def test_a_scorer_that_hangs_or_exits_costs_its_example_only(
    results: dict[str, Any], example: str, rule: str
) -> None:
    assert [d["rule"] for d in differences(results[example])] == [rule]
    assert len(results) == 6  # every example has its result: the run went on


@pytest.mark.parametrize("example", ["raises", "hangs", "exits"])
def test_a_failed_scorer_gives_its_example_the_error_verdict(
    results: dict[str, Any], example: str
) -> None:
    assert results[example].verdict is Verdict.ERROR


def test_a_scorer_gets_the_example_input(results: dict[str, Any]) -> None:
    (difference,) = differences(results["sees-the-input"])
    assert '"input": {"q": "total"}' in difference["rule"]


def test_a_whole_output_scorer_gets_the_documents(results: dict[str, Any]) -> None:
    (difference,) = differences(results["sees-the-input"])
    assert difference["pointer"] == ""
    assert '"actual_document": {"currency": "EUR", "total": 88}' in difference["rule"]
    assert '"pointer": ""' in difference["rule"]


def test_validate_finds_a_scorer_that_cannot_be_imported_at_its_line(tmp_path: Path) -> None:
    manifest = project(tmp_path)
    (tmp_path / "scorers" / "scorers.py").write_text("def only_actual(actual):\n  return (\n")
    options = GlobalOptions(
        manifest=manifest, base_url=None, api_key=None, local=False, verbose=0, json_output=False
    )
    result = CliRunner().invoke(validate, [], obj=options, catch_exceptions=False)
    assert result.exit_code == 2
    line = 1 + MANIFEST.splitlines().index(
        "        /currency: {python: scorers/scorers.py:only_actual}"
    )
    assert f"evalkit.yaml:{line}:" in result.stderr  # and at each rule naming that file
    assert "7 problems in the manifest" in result.stderr
    assert (
        "python scorer 'scorers/scorers.py:only_actual' cannot be used: scorers.py line 2: "
        "'(' was never closed"
    ) in result.stderr
    assert "Traceback" not in result.stderr
