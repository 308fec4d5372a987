"""The few git questions ``--changed-since`` asks, as subprocess calls (no git library).

``Repository.open`` finds the checkout holding a folder; ``commit_of`` resolves a ref;
``merge_base`` is where a pull request's branch left it; ``changed_paths`` lists what differs
between a commit and the working tree (committed, staged, unstaged and untracked files, the
way a pull request's diff plus the uncommitted work sees them); ``checkout`` writes a
commit's files into a folder through a private index, leaving the repository untouched.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from evalkit.conventions import PROJECT_FOLDER
from evalkit.errors import RunError

_TIMEOUT_SECONDS = 120.0
#: pathspecs for the whole repository without evalkit's own folders (``.evalkit/`` beside any
#: manifest): runs, reports, judgements and the local platform's state are evalkit's output,
#: never a change to what is evaluated (``--changed-since``, a run's ``dirty`` flag)
WHOLE_REPOSITORY = (":/", f":(top,exclude,glob)**/{PROJECT_FOLDER.as_posix()}/**")


class GitError(RunError):
    """git is missing, the folder is not a checkout, or a ref cannot be used."""


#: what ``--changed-since`` takes, said when it gets something else
REF_EXAMPLE = "a git ref, e.g. origin/main (a branch, tag or commit)"


def ref_problem(ref: object) -> str | None:
    """Why ``ref`` (``--changed-since``) cannot be a git ref, before git is asked: empty, not
    text, or starting with '-' (git would read it as an option); None when it may be one."""
    if not isinstance(ref, str) or not ref.strip():
        return f"--changed-since needs {REF_EXAMPLE}; got {ref!r}"
    if ref.startswith("-"):
        return (
            f"--changed-since {ref!r} is not a git ref (a ref never starts with '-'): give "
            f"{REF_EXAMPLE}"
        )
    return None


@dataclass(frozen=True)
class Repository:
    #: the checkout's top folder, resolved
    root: Path

    @classmethod
    def open(cls, folder: Path) -> Repository:
        """The checkout holding ``folder``; ``GitError`` outside one or without git."""
        try:
            top = run_git(folder, "rev-parse", "--show-toplevel")
        except GitError as err:
            raise GitError(
                f"{folder} is not in a git checkout ({err}): --changed-since compares with "
                "git history; run inside the repository, or run without --changed-since"
            ) from None
        return cls(Path(top.strip()).resolve())

    def commit_of(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None when the repository does not know it."""
        if ref_problem(ref) is not None:
            return None
        try:  # --end-of-options: git never reads the user's ref as an option
            verified = self.run(
                "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
            )
        except GitError:
            return None
        return verified.strip()

    def remotes(self) -> list[str]:
        """The names of the repository's remotes (``origin``...)."""
        try:
            return self.run("remote").split()
        except GitError:
            return []

    def branches(self) -> list[str]:
        """Local and remote-tracking branch names, as ``--changed-since`` takes them."""
        try:
            listed = self.run(
                "for-each-ref", "--format=%(refname:short)", "refs/heads", "refs/remotes"
            )
        except GitError:
            return []
        return [name for name in listed.split() if not name.endswith("/HEAD")]

    def is_shallow(self) -> bool:
        try:
            return self.run("rev-parse", "--is-shallow-repository").strip() == "true"
        except GitError:
            return False

    def merge_base(self, commit: str, other: str = "HEAD") -> str | None:
        """Where ``other``'s history met ``commit``'s; None when git finds none (a shallow
        clone whose history stops short of it, or unrelated histories)."""
        try:
            return self.run("merge-base", commit, other).strip() or None
        except GitError:
            return None

    def changed_paths(self, commit: str) -> list[str]:
        """Paths (relative to ``root``, POSIX) that differ between ``commit`` and the working
        tree, deleted ones included, plus untracked files that are not ignored; ``.evalkit/``
        folders never (``WHOLE_REPOSITORY``). Renames are listed as a deletion and an
        addition, so both places count."""
        tracked = self.run(
            "diff", "--name-only", "--no-renames", "-z", commit, "--", *WHOLE_REPOSITORY
        )
        untracked = self.run(
            "ls-files", "--others", "--exclude-standard", "-z", "--", *WHOLE_REPOSITORY
        )
        found = {path for path in (tracked + untracked).split("\0") if path}
        return sorted(found)

    def checkout(self, commit: str, folder: Path) -> None:
        """Every file of ``commit`` written under ``folder``, through a private index: the
        repository's own index, HEAD and working tree are not touched."""
        folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GIT_INDEX_FILE": str(folder.parent / f"{folder.name}.index")}
        self.run("read-tree", commit, env=env)
        self.run("checkout-index", "--all", "--force", f"--prefix={folder}{os.sep}", env=env)

    def run(self, *args: str, env: dict[str, str] | None = None) -> str:
        return run_git(self.root, *args, env=env)


def run_git(
    folder: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = _TIMEOUT_SECONDS,
) -> str:
    """``git ARGS`` run in ``folder``: its standard output; ``GitError`` saying why not. The
    one way evalkit calls git."""
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except (OSError, subprocess.TimeoutExpired) as err:
        raise GitError(f"git {args[0]} failed: {err}") from None
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} exited {completed.returncode}")
    return completed.stdout.decode(errors="surrogateescape")
