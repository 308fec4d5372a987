"""``--changed-since`` and judge agents: a suite judged by an agent that changed has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

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
