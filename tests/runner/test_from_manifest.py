"""Jobs and gates from a real manifest file, environments included."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import RunError
from evalkit.manifest import load_manifest
from evalkit.manifest.spec import NO_FILES
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.from_manifest import (
    agents_under_test,
    gates_from_manifest,
    jobs_from_manifest,
    selected_jobs,
    suite_gates_from_manifest,
)
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import Selection, select
from evalkit.runner.orchestrate import RunTally
from evalkit.runner.results import RunMetadata, Target, Verdict
from evalkit.runner.session import PreparedRun, summarise
from tests.runner.conftest import make_result

MANIFEST = """
version: 1
gates: {min_pass_rate: 0.5}
agents:
  - slug: extractor
    tags: [core]
    examples:
      - {name: one, input: {a: 1}, expected: {b: 1}, input_files: {doc: doc.txt}, notes: Why.}
      - {name: two, expected: {b: 2}, tags: [slow], expected_files: {out.csv: out.csv}}
  - slug: strict
    gates: {max_failures: 0}
    examples:
      - {name: only, expected: {ok: true}}
workflows:
  - workflow: pipeline
    version: wfh_123
    examples:
      - {name: flow, input: {x: 1}, expected: {y: 2}}
environments:
  pr:
    slug: "{slug}-pr"
"""


def load(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "doc.txt").write_text("hello")
    (tmp_path / "out.csv").write_text("a\n1\n")
    path = tmp_path / "evalkit.yaml"
    path.write_text(MANIFEST)
    return load_manifest(path)


def test_jobs_carry_inputs_expectations_rules_and_marks(tmp_path: Path) -> None:
    jobs = jobs_from_manifest(load(tmp_path))
    assert [(j.kind, j.suite, j.name) for j in jobs] == [
        ("agent", "extractor", "one"),
        ("agent", "extractor", "two"),
        ("agent", "strict", "only"),
        ("workflow", "pipeline@wfh_123", "flow"),
    ]
    one, two, _, flow = jobs
    assert one.input_json == {"a": 1}
    assert one.input_files == {"doc": tmp_path / "doc.txt"}
    assert one.expected_json == {"b": 1}
    assert one.has_expected_json
    assert two.expected_files == {"out.csv": tmp_path / "out.csv"}
    assert "slow" in two.tags
    assert one.mark is not None
    assert "evalkit.yaml" in one.mark
    # files: a job's own copy; none: the one empty mapping all share (built for every example)
    examples = load(tmp_path).examples()
    assert one.input_files is not examples[0].input_files
    assert one.expected_files is NO_FILES
    assert two.input_files is NO_FILES
    assert two.expected_files is not examples[1].expected_files
    assert flow.input_files is NO_FILES
    assert flow.expected_files is NO_FILES
    assert (flow.platform_name, flow.version) == ("pipeline", "wfh_123")
    # notes for reviewers: carried to the result (runner.execute), none when not declared
    assert (one.notes, two.notes) == ("Why.", None)


def test_an_environment_runs_on_copies_but_reports_manifest_slugs(tmp_path: Path) -> None:
    jobs = jobs_from_manifest(load(tmp_path).with_environment("pr"))
    agent_jobs = [j for j in jobs if j.kind == "agent"]
    assert {(j.platform_name, j.suite) for j in agent_jobs} == {
        ("extractor-pr", "extractor"),
        ("strict-pr", "strict"),
    }


def test_a_workflow_suite_puts_every_agent_of_the_manifest_under_test(tmp_path: Path) -> None:
    manifest = load(tmp_path)
    jobs = jobs_from_manifest(manifest)
    by_suite = {
        suite: [j for j in jobs if j.suite == suite] for suite in ("strict", "pipeline@wfh_123")
    }
    assert agents_under_test(manifest, by_suite["strict"]) == {"strict"}
    # the workflow's steps name their agents on the platform: the manifest cannot tell which
    assert agents_under_test(manifest, by_suite["pipeline@wfh_123"]) == {"extractor", "strict"}
    copies = manifest.with_environment("pr")
    flow = [j for j in jobs_from_manifest(copies) if j.kind == "workflow"]
    assert agents_under_test(copies, flow) == {"extractor-pr", "strict-pr"}
    assert agents_under_test(manifest, []) == set()


def test_suite_gates_apply_to_their_own_examples_and_flags_still_win(tmp_path: Path) -> None:
    manifest = load(tmp_path)
    assert gates_from_manifest(manifest.gates) == GateConfig(min_pass_rate=0.5)
    suites = suite_gates_from_manifest(manifest, GateConfig())
    assert suites == {"strict": GateConfig(min_pass_rate=0.5, max_failures=0)}
    assert suite_gates_from_manifest(manifest, GateConfig(max_failures=3))["strict"] == (
        GateConfig(min_pass_rate=0.5, max_failures=3)
    )

    tally = RunTally()
    for result in [
        make_result("one", Verdict.PASS, agent="extractor"),
        make_result("two", Verdict.PASS, agent="extractor"),
        make_result("only", Verdict.FAIL, agent="strict"),
    ]:
        tally.add(result)
    prepared = PreparedRun(
        config=RunConfig(concurrency=1),
        identity=RunIdentity(run_id="r", run_dir=tmp_path),
        target=Target(kind="local", base_url="http://127.0.0.1:1"),
        manifest="evalkit.yaml",
        gates=gates_from_manifest(manifest.gates),
        suite_gates=suites,
    )
    metadata = RunMetadata(
        run_id="r",
        evalkit_version="0",
        manifest="evalkit.yaml",
        target=prepared.target,
        started_at="2026-01-01T00:00:00.000Z",
        concurrency=1,
        timeout_seconds=1,
        feedback=True,
    )
    summary = summarise(tally, metadata, prepared, tmp_path / "results.jsonl")
    outcomes = {gate.name: gate.passed for gate in summary.gates}
    # 2/3 passed overall clears 0.5; the strict agent's own max_failures: 0 does not.
    assert outcomes == {
        "min_pass_rate": True,
        "min_pass_rate[strict]": False,
        "max_failures[strict]": False,
    }
    assert summary.exit_code == 1


TWO_VERSIONS = """
version: 1
workflows:
  - workflow: pipeline
    examples:
      - {name: same, expected: {y: 2}}
  - workflow: pipeline
    version: v1
    gates: {max_failures: 0}
    examples:
      - {name: same-v1, expected: {y: 1}}
"""


def test_two_versions_of_one_workflow_are_two_suites(tmp_path: Path) -> None:
    path = tmp_path / "evalkit.yaml"
    path.write_text(TWO_VERSIONS)
    manifest = load_manifest(path)
    jobs = jobs_from_manifest(manifest)
    assert [(j.suite, j.platform_name, j.version, j.name) for j in select(jobs, Selection())] == [
        ("pipeline", "pipeline", "latest", "same"),
        ("pipeline@v1", "pipeline", "v1", "same-v1"),
    ]
    assert list(suite_gates_from_manifest(manifest, GateConfig())) == ["pipeline@v1"]
    # --only takes the workflow's name for every suite of it, or one suite by name@version.
    assert len(select(jobs, Selection(only=("pipeline",)))) == 2
    assert [j.suite for j in select(jobs, Selection(only=("pipeline@v1",)))] == ["pipeline@v1"]


def test_a_selection_matching_nothing_names_the_options_and_the_tags(tmp_path: Path) -> None:
    selection = Selection(examples=("nomatch*",), tags=("smoke",))
    with pytest.raises(RunError) as caught:
        selected_jobs(load(tmp_path), selection)
    message = str(caught.value)
    assert message.startswith("no example matches --example nomatch* --tag smoke;")
    assert "tags in the manifest: core, slow" in message
    assert "examples: extractor/one, extractor/two, strict/only, pipeline@wfh_123/flow" in message


def test_the_jobs_built_once_select_as_the_manifest_does(tmp_path: Path) -> None:
    manifest = load(tmp_path)
    every = jobs_from_manifest(manifest)
    for selection in (Selection(), Selection(tags=("core",)), Selection(only=("strict",))):
        given = selected_jobs(manifest, selection, every)
        assert given == selected_jobs(manifest, selection)
        assert all(any(job is built for built in every) for job in given)  # not built again
