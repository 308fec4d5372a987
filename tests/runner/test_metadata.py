"""Git facts and run ids."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from evalkit.runner.metadata import git_info, new_run_id


def test_run_ids_sort_by_time_and_are_unique() -> None:
    moment = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
    first, second = new_run_id(moment), new_run_id(moment)
    assert re.fullmatch(r"run-20260301T090000Z-[0-9a-f]{6}", first)
    assert first != second


def test_outside_a_repository_nothing_is_known(tmp_path: Path) -> None:
    info = git_info(tmp_path)
    assert (info.commit, info.branch, info.dirty) == (None, None, None)


def git_runner(directory: Path) -> Callable[..., str]:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")

    def run(*args: str) -> str:
        done = subprocess.run(
            [git, "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=directory,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    return run


def test_commit_branch_and_dirty_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_HEAD_REF", raising=False)
    run = git_runner(tmp_path)
    run("init", "-q", "-b", "feature-x")
    (tmp_path / "evalkit.yaml").write_text("version: 1\n")
    run("add", "evalkit.yaml")
    run("commit", "-q", "-m", "first")
    info = git_info(tmp_path)
    assert info.commit == run("rev-parse", "HEAD")
    assert info.branch == "feature-x"
    assert info.dirty is False
    (tmp_path / "evalkit.yaml").write_text("version: 1\nagents: []\n")
    assert git_info(tmp_path).dirty is True
    # A detached checkout (as in CI) takes the branch from the CI's variables.
    run("checkout", "-q", "--detach")
    monkeypatch.setenv("GITHUB_HEAD_REF", "pr-branch")
    assert git_info(tmp_path).branch == "pr-branch"


def test_untracked_files_under_the_manifest_folder_are_dirty(tmp_path: Path) -> None:
    """The recorded commit must hold what produced the results: an untracked manifest,
    workspace or example file is not in it. Ignored files, evalkit's own .evalkit/ folder and
    untracked files outside the manifest's folder do not count."""
    run = git_runner(tmp_path)
    project = tmp_path / "evals"
    project.mkdir()
    run("init", "-q")
    (tmp_path / ".gitignore").write_text("*.log\n")
    run("add", ".gitignore")
    run("commit", "-q", "-m", "first")
    (tmp_path / "notes.txt").write_text("elsewhere in the repository\n")
    (project / "debug.log").write_text("ignored\n")
    (project / ".evalkit" / "runs").mkdir(parents=True)
    (project / ".evalkit" / "runs" / "results.jsonl").write_text("{}\n")
    assert git_info(project).dirty is False

    (project / "evalkit.yaml").write_text("version: 1\n")
    assert git_info(project).dirty is True
    run("add", "evals/evalkit.yaml")
    run("commit", "-q", "-m", "manifest")
    assert git_info(project).dirty is False
    (project / "agents" / "a").mkdir(parents=True)
    (project / "agents" / "a" / "AGENT.md").write_text("# new, not added\n")
    assert git_info(project).dirty is True


def test_evalkits_own_folders_are_never_a_change_tracked_or_not(tmp_path: Path) -> None:
    """A judgement cache kept in the repository is rewritten by runs: that is evalkit's
    output, not a change to what is evaluated (``--changed-since`` agrees)."""
    run = git_runner(tmp_path)
    project = tmp_path / "evals"
    (project / ".evalkit" / "judgements").mkdir(parents=True)
    (project / ".evalkit" / "judgements" / "kept.json").write_text("{}")
    (project / "evalkit.yaml").write_text("version: 1\n")
    run("init", "-q")
    run("add", ".")
    run("commit", "-q", "-m", "first")
    (project / ".evalkit" / "judgements" / "kept.json").write_text('{"changed": 1}')
    (tmp_path / ".evalkit" / "runs").mkdir(parents=True)
    (tmp_path / ".evalkit" / "runs" / "results.jsonl").write_text("{}\n")
    assert git_info(project).dirty is False
    (project / "evalkit.yaml").write_text("version: 1\nagents: []\n")
    assert git_info(project).dirty is True
