"""``--changed-since`` and judge agents: a suite judged by an agent that changed has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.manifest import load_manifest
from evalkit.runner.from_manifest import selected_jobs
from evalkit.runner.jobs import Selection
from tests.runner.git_project import commit, git, make_project, write
from tests.runner.test_changed import changes, edit_manifest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_a_changed_judge_agent_selects_the_suites_it_judges(project: Path) -> None:
    git(project, "checkout", "-q", "main")
    edit_manifest(
        project,
        "workflows:",
        "  - slug: judge\n    config: {runtime: {builtin: echo}}\n    workspace: agents/judge/\n"
        "workflows:",
    )
    edit_manifest(
        project,
        '/q: {python: "scorers/score.py:score"}',
        "/q: {judge: {agent: judge, rubric: fair}}",
    )
    write(project / "agents" / "judge" / "AGENT.md", "# judge\n")
    commit(project, "a judge for c")
    git(project, "checkout", "-q", "-B", "pr")
    write(project / "agents" / "judge" / "AGENT.md", "# a stricter judge\n")
    found = changes(project)
    assert found.changed[("agent", "judge")] == ["workspace file agents/judge/AGENT.md"]
    assert found.changed[("agent", "c")] == ["judge agent judge changed"]
    assert ("agent", "a") not in found.changed


def test_an_unchanged_judge_of_a_changed_suite_is_still_calibrated(project: Path) -> None:
    git(project, "checkout", "-q", "main")
    edit_manifest(
        project,
        "workflows:",
        "  - slug: judge\n    config: {runtime: {builtin: echo}}\n    workspace: agents/judge/\n"
        "    examples:\n"
        "      - {name: labelled, input: {passed: true}, expected: {passed: true}}\n"
        "      - {name: unlabelled, input: {q: 1}, expected: {q: 1}}\n"
        "workflows:",
    )
    edit_manifest(
        project,
        '/q: {python: "scorers/score.py:score"}',
        "/q: {judge: {agent: judge, rubric: fair}}",
    )
    write(project / "agents" / "judge" / "AGENT.md", "# judge\n")
    commit(project, "a judge for c")
    git(project, "checkout", "-q", "-B", "pr")
    edit_manifest(project, "input: {q: 3}", "input: {q: 5}")
    found = changes(project)
    assert ("agent", "c") in found.changed
    assert ("agent", "judge") not in found.changed
    assert found.calibrated == {"judge"}
    manifest = load_manifest(project / "evalkit.yaml", env={})
    kept, record = found.apply(selected_jobs(manifest, Selection()))
    assert {(job.suite, job.name) for job in kept if job.suite == "judge"} == {
        ("judge", "labelled")
    }
    (judge,) = [suite for suite in record.skipped if suite.suite == "judge"]
    assert judge.examples == 1  # the unlabelled one
    assert any("1 labelled example(s)" in reason for reason in judge.reasons)
