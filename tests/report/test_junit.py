from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped
from syrupy.assertion import SnapshotAssertion

from evalkit.report import RunResults, render_junit
from evalkit.report.junit import GATES_SUITE
from tests.report.sample_runs import HOSTILE, ROOT, with_notes

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit.xsd"))


def _write(tmp_path: Path, run: RunResults) -> Path:
    path = tmp_path / "junit.xml"
    path.write_text(render_junit(run), encoding="utf-8")
    return path


def test_the_failing_variant_is_valid_against_the_junit_schema(
    tmp_path: Path, failing_run: RunResults
) -> None:
    SCHEMA.validate(str(_write(tmp_path, failing_run)))


def test_the_schema_does_reject_a_malformed_report(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text('<testsuites><testsuite name="a"><testcase/></testsuite></testsuites>')
    assert not SCHEMA.is_valid(str(path))


def test_junitparser_reads_suites_cases_and_outcomes(
    tmp_path: Path, failing_run: RunResults
) -> None:
    xml = JUnitXml.fromfile(str(_write(tmp_path, failing_run)))
    suites = list(xml)
    assert [suite.name for suite in suites] == ["invoice-extractor", GATES_SUITE]
    suite = suites[0]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (10, 4, 1, 0)
    outcomes = {case.name: [type(r).__name__ for r in case.result] for case in suite}
    assert outcomes["thames-uk-pipe-table"] == ["Failure"]
    assert outcomes["pinecone-hours-cad"] == ["Failure"]
    assert outcomes["sakura-japan-jpy"] == ["Error"]
    assert outcomes["acme-us-letter"] == []
    thames = next(case for case in suite if case.name == "thames-uk-pipe-table")
    failure = thames.result[0]
    assert isinstance(failure, Failure)
    assert failure.type == "fail"
    assert failure.message.startswith("regression: fail (score 0.")
    assert '/currency: changed, expected "GBP", actual "USD"' in (failure.text or "")
    assert "file notes.txt: differ" in (failure.text or "")
    assert "+Paid by card." in (failure.text or "")
    assert thames.classname == "agent.invoice-extractor"
    sakura = next(case for case in suite if case.name == "sakura-japan-jpy")
    error = sakura.result[0]
    assert isinstance(error, Error)
    assert error.type == "failed"
    assert "unknown currency" in (error.text or "")


def test_quarantined_failures_are_skipped(tmp_path: Path, failing_run: RunResults) -> None:
    results = [
        r.model_copy(update={"quarantined": True}) if r.example == "pinecone-hours-cad" else r
        for r in failing_run.results
    ]
    run = RunResults(results=results, summary=failing_run.summary)
    suite = next(iter(JUnitXml.fromfile(str(_write(tmp_path, run)))))
    case = next(c for c in suite if c.name == "pinecone-hours-cad")
    assert isinstance(case.result[0], Skipped)
    assert case.result[0].message == "quarantined (partial)"
    assert suite.skipped == 1


def test_one_testsuite_per_agent(tmp_path: Path, large: RunResults) -> None:
    xml = JUnitXml.fromfile(str(_write(tmp_path, large)))
    agents = [suite for suite in xml if suite.name != GATES_SUITE]
    assert sorted(suite.name for suite in agents) == [f"agent-{i}" for i in range(5)]
    assert sum(suite.tests for suite in agents) == 10_000


def test_hostile_strings_and_control_characters_stay_well_formed(
    tmp_path: Path, hostile: RunResults
) -> None:
    results = [
        r.model_copy(update={"example": r.example + "\x00\x1b[31m"}) for r in hostile.results
    ]
    path = _write(tmp_path, RunResults(results=results, summary=hostile.summary))
    SCHEMA.validate(str(path))
    names = [case.name for suite in JUnitXml.fromfile(str(path)) for case in suite]
    assert any(HOSTILE in name for name in names)
    assert all("\x00" not in name for name in names)


def test_control_characters_are_shown_as_escapes_and_lone_surrogates_replaced(
    tmp_path: Path, failing_run: RunResults
) -> None:
    """CI pages show the names and messages to people: a bidi override or an escape
    sequence from an output is written as an escape, as on the terminal; a lone surrogate
    (JSON may hold one) cannot be written as UTF-8 and is replaced."""
    note = "due \u202eetad\u202c day\x1b[31m red \ud800 end"
    path = _write(tmp_path, with_notes(failing_run, {"thames-uk-pipe-table": note}))
    SCHEMA.validate(str(path))
    shown = _case(path, "thames-uk-pipe-table").system_out
    assert shown == "notes: due \\u202eetad\\u202c day\\x1b[31m red \ufffd end"


def test_junit_snapshot(
    failing_run: RunResults, snapshot: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # marks are read from the folder evalkit ran in
    assert render_junit(failing_run) == snapshot


def _case(path: Path, name: str) -> Any:
    return next(
        case for suite in JUnitXml.fromfile(str(path)) for case in suite if case.name == name
    )


def test_test_cases_carry_the_file_and_the_line_of_the_first_difference(
    tmp_path: Path, failing_run: RunResults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10 item 15: not 1:1 but the line of the differing key in expected.json."""
    monkeypatch.chdir(ROOT)
    path = _write(tmp_path, failing_run)
    SCHEMA.validate(str(path))
    folder = "examples/invoices/agents/invoice-extractor/examples"
    thames = _case(path, "thames-uk-pipe-table")
    assert thames._elem.get("file") == f"{folder}/thames-uk-pipe-table/expected.json"
    assert thames._elem.get("line") == "6"  # "currency": "GBP", the first difference there
    passing = _case(path, "acme-us-letter")
    assert (passing._elem.get("file"), passing._elem.get("line")) == (
        f"{folder}/acme-us-letter/expected.json",
        "1",
    )


def test_a_near_pass_never_reads_as_a_full_score(tmp_path: Path, failing_run: RunResults) -> None:
    """Issue 10 item 6: a partial whose score rounds to 1.00 says so."""
    results = [
        r.model_copy(update={"score": 0.9996}) if r.example == "pinecone-hours-cad" else r
        for r in failing_run.results
    ]
    case = _case(_write(tmp_path, RunResults(results, failing_run.summary)), "pinecone-hours-cad")
    failure = case.result[0]
    assert isinstance(failure, Failure)
    assert "(score ≈1.00, " in failure.message
    assert "score 1.00" not in failure.message


def test_an_example_whose_output_json_was_not_checked_says_so(
    tmp_path: Path, failing_run: RunResults
) -> None:
    unchecked = {"acme-us-letter", "pinecone-hours-cad"}
    results = [
        r.model_copy(update={"output_json_checked": False}) if r.example in unchecked else r
        for r in failing_run.results
    ]
    path = _write(tmp_path, RunResults(results, failing_run.summary))
    SCHEMA.validate(str(path))
    assert _case(path, "acme-us-letter").system_out == "output JSON not checked"
    failing = _case(path, "pinecone-hours-cad")
    assert failing.system_out == "output JSON not checked"
    assert "output JSON not checked" in (failing.result[0].text or "")
    assert _case(path, "thames-uk-pipe-table").system_out is None  # checked, or an older file


def test_gates_are_a_testsuite_and_a_gate_not_checked_is_skipped(
    tmp_path: Path, near_pass: RunResults
) -> None:
    """Issue 16 item 3: JUnit said nothing of the gates; as in the HTML and Markdown, a gate
    that could not be evaluated is not a pass."""
    xml = JUnitXml.fromfile(str(_write(tmp_path, near_pass)))
    gates = next(suite for suite in xml if suite.name == GATES_SUITE)
    cases = {case.name: case for case in gates}
    assert sorted(cases) == ["max_regressions", "min_pass_rate"]
    unchecked = cases["max_regressions"].result
    assert len(unchecked) == 1
    assert isinstance(unchecked[0], Skipped)
    assert (
        unchecked[0].message
        == "– max_regressions: regressions not checked: no baseline given (--baseline)"
    )
    failed = cases["min_pass_rate"].result
    assert isinstance(failed[0], Failure)
    assert failed[0].message.startswith("min_pass_rate: pass rate 40.0% (2/5) < minimum 100.0%")
    assert (gates.tests, gates.failures, gates.skipped) == (2, 1, 1)
    assert near_pass.summary is not None
    summary = near_pass.summary.model_copy(deep=True)
    summary.gates[0].passed = True
    run = RunResults(results=near_pass.results, summary=summary)
    passed = next(s for s in JUnitXml.fromfile(str(_write(tmp_path, run))) if s.name == GATES_SUITE)
    assert [case.result for case in passed if case.name == "min_pass_rate"] == [[]]
    SCHEMA.validate(str(_write(tmp_path, near_pass)))


def test_an_examples_notes_are_in_its_system_out(tmp_path: Path, failing_run: RunResults) -> None:
    """docs/harvest.md: the reviewer's note (README.md) is shown as the example's notes."""
    note = "Reviewer: the vendor prints the due date day first.\n<b>not markup</b> \x00"
    run = with_notes(failing_run, {"thames-uk-pipe-table": note, "acme-us-letter": "x" * 50_000})
    path = _write(tmp_path, run)
    SCHEMA.validate(str(path))
    failing = _case(path, "thames-uk-pipe-table")
    assert failing.system_out == (
        "notes: Reviewer: the vendor prints the due date day first.\n<b>not markup</b> \\x00"
    )
    assert isinstance(failing.result[0], Failure)
    long = _case(path, "acme-us-letter").system_out or ""
    assert long.endswith("(50,000 characters in all, cut for this report)")
    assert len(long) < 2_100
    assert _case(path, "nordlicht-german-eur").system_out is None  # no notes
