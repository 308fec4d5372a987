"""The git questions ``--changed-since`` asks, against a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.runner.git_tree import GitError, Repository
from tests.runner.git_project import commit, git, write


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root / "keep.txt", "keep\n")
    write(root / "old name.txt", "moved\n")
    write(root / "gone.txt", "gone\n")
    write(root / ".gitignore", "*.log\n")
    commit(root, "start")
    return Repository.open(root)


def test_open_finds_the_top_from_a_subfolder(repo: Repository) -> None:
    write(repo.root / "sub" / "x.txt", "x")
    assert Repository.open(repo.root / "sub").root == repo.root


def test_changed_paths_holds_commits_staged_unstaged_and_untracked_files(
    repo: Repository,
) -> None:
    base = repo.commit_of("main")
    assert base is not None
    git(repo.root, "checkout", "-q", "-b", "topic")
    git(repo.root, "mv", "old name.txt", "new name.txt")
    commit(repo.root, "rename")
    git(repo.root, "rm", "-q", "gone.txt")  # staged
    write(repo.root / "keep.txt", "changed\n")  # unstaged
    write(repo.root / "fresh" / "new.txt", "new\n")  # untracked
    write(repo.root / "debug.log", "ignored\n")  # ignored: not a change
    assert repo.changed_paths(base) == [
        "fresh/new.txt",
        "gone.txt",
        "keep.txt",
        "new name.txt",
        "old name.txt",  # a rename counts at both places
    ]


def test_changed_paths_leave_out_evalkits_own_folders(repo: Repository) -> None:
    """Runs, reports, judgements and platform state are evalkit's output, beside any manifest
    and tracked or not: never a change (as for a run's dirty flag)."""
    write(repo.root / "evals" / ".evalkit" / "judgements" / "kept.json", "{}")
    commit(repo.root, "a judgement cache kept in the repository")
    base = repo.commit_of("HEAD")
    assert base is not None
    write(repo.root / "evals" / ".evalkit" / "judgements" / "kept.json", '{"changed": 1}')
    write(repo.root / ".evalkit" / "runs" / "r1" / "results.jsonl", "{}\n")
    write(repo.root / "evals" / ".evalkit" / "platform" / "platform.sqlite3", "x")
    write(repo.root / "evals" / "evalkit.yaml", "version: 1\n")
    assert repo.changed_paths(base) == ["evals/evalkit.yaml"]


def test_merge_base_is_where_the_branch_left(repo: Repository) -> None:
    start = repo.commit_of("HEAD")
    assert start is not None
    git(repo.root, "checkout", "-q", "-b", "topic")
    write(repo.root / "keep.txt", "topic\n")
    commit(repo.root, "on topic")
    git(repo.root, "checkout", "-q", "main")
    write(repo.root / "gone.txt", "main moved on\n")
    commit(repo.root, "on main")
    git(repo.root, "checkout", "-q", "topic")
    main = repo.commit_of("main")
    assert main is not None
    assert repo.merge_base(main) == start
    # the pull request's diff: main's own change is not in it
    assert repo.changed_paths(start) == ["keep.txt"]


def test_commit_of_an_unknown_or_option_like_ref_is_none(repo: Repository) -> None:
    assert repo.commit_of("no-such-branch") is None
    assert repo.commit_of("--all") is None
    assert repo.commit_of("") is None


def test_commit_of_passes_the_ref_after_end_of_options(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a ref looks like, git reads it as a ref, never as an option."""
    seen: list[tuple[str, ...]] = []
    real = Repository.run

    def recording(self: Repository, *args: str, env: dict[str, str] | None = None) -> str:
        seen.append(args)
        return real(self, *args, env=env)

    monkeypatch.setattr(Repository, "run", recording)
    assert repo.commit_of("HEAD") is not None
    (args,) = seen
    assert args[args.index("--end-of-options") + 1] == "HEAD^{commit}"


def test_remotes_and_branches_are_listed(repo: Repository) -> None:
    assert repo.remotes() == []
    assert repo.branches() == [repo.run("branch", "--show-current").strip()]
    assert repo.is_shallow() is False


def test_checkout_writes_a_commits_files_and_leaves_the_repository_alone(
    repo: Repository, tmp_path: Path
) -> None:
    base = repo.commit_of("HEAD")
    assert base is not None
    write(repo.root / "keep.txt", "work in progress\n")
    git(repo.root, "add", "keep.txt")
    status = git(repo.root, "status", "--porcelain")
    repo.checkout(base, tmp_path / "then" / "tree")
    assert (tmp_path / "then" / "tree" / "keep.txt").read_text() == "keep\n"
    assert (tmp_path / "then" / "tree" / "old name.txt").is_file()
    assert git(repo.root, "status", "--porcelain") == status
    assert (repo.root / "keep.txt").read_text() == "work in progress\n"


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not in a git checkout"):
        Repository.open(tmp_path)
