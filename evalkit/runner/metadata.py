"""Facts about the run that do not come from the platform: git state, run id, clock."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from evalkit.api import format_timestamp
from evalkit.runner.git_tree import WHOLE_REPOSITORY, GitError, run_git
from evalkit.runner.results import GitInfo

_GIT_TIMEOUT_SECONDS = 5.0


def git_info(directory: Path) -> GitInfo:
    """Commit, branch and whether the recorded commit holds what is evaluated; empty outside a
    repository or without git. CI checkouts are often detached: ``GITHUB_HEAD_REF``/
    ``GITHUB_REF_NAME`` then name the branch."""
    commit = _git(directory, "rev-parse", "HEAD")
    if commit is None:
        return GitInfo()
    branch = _git(directory, "rev-parse", "--abbrev-ref", "HEAD")
    if branch in (None, "HEAD"):
        branch = os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME") or None
    return GitInfo(commit=commit, branch=branch, dirty=_dirty(directory))


def _dirty(directory: Path) -> bool | None:
    """True when a tracked file changed anywhere in the repository, or a file under
    ``directory`` (the manifest's folder) is not tracked: an untracked manifest, example or
    workspace file is not in the recorded commit. Ignored files do not count, nor
    ``.evalkit/`` folders (evalkit's own state and results, tracked, ignored or not: as
    ``--changed-since`` sees them, ``git_tree.WHOLE_REPOSITORY``)."""
    _, without_state = WHOLE_REPOSITORY
    changed = _git(
        directory, "status", "--porcelain", "--untracked-files=no", "--", *WHOLE_REPOSITORY
    )
    untracked = _git(
        directory,
        "ls-files",
        "--others",
        "--exclude-standard",
        "--directory",
        "--no-empty-directory",
        "--",
        ".",
        without_state,
    )
    if changed is None or untracked is None:
        return None
    return bool(changed or untracked)


def _git(directory: Path, *args: str) -> str | None:
    """None when git cannot answer: outside a repository, git missing or hung."""
    try:
        return run_git(directory, *args, timeout=_GIT_TIMEOUT_SECONDS).strip()
    except GitError:
        return None


def new_run_id(now: datetime | None = None) -> str:
    """``run-20260101T120000Z-1a2b3c``: sortable by time, unique, safe as a folder name."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return f"run-{moment.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def now_timestamp() -> str:
    return format_timestamp(datetime.now(timezone.utc))
