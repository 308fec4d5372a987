"""Which files of a workspace folder are synced: exclude globs, default junk, example folders."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from evalkit.conventions import PROJECT_FOLDER
from evalkit.errors import ManifestError, ManifestProblem, SourceMark
from evalkit.manifest.paths import display_path
from evalkit.safe_paths import UnsafePath, check_relative, is_inside

#: left out unless ``default_excludes: false``: version control, caches, editor and OS junk,
#: and ``.env`` files, which hold secrets that must never be uploaded
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    "__pycache__",
    "*.pyc",
    "*.pyo",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".venv",
    str(PROJECT_FOLDER),
    ".env",
    ".idea",
    ".vscode",
    "*.swp",
    "*.swo",
    "*~",
    ".#*",
    "#*#",
    ".DS_Store",
    "._*",
    "Thumbs.db",
    "desktop.ini",
)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile an exclude glob, the way .gitignore reads one: without '/' (a trailing one aside)
    it matches a name at any depth; with one, the path from the workspace folder. ``*`` and
    ``?`` stay within a name, ``**`` crosses folders. ``ValueError`` for a broken pattern."""
    body = pattern.strip("/")
    if not body:
        raise ValueError(f"exclude pattern {pattern!r} is empty")
    anchored = "/" in pattern.rstrip("/")
    out, i = "", 0
    while i < len(body):
        char = body[i]
        if body.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif body.startswith("**", i):
            out, i = out + ".*", i + 2
        elif char == "*":
            out, i = out + "[^/]*", i + 1
        elif char == "?":
            out, i = out + "[^/]", i + 1
        elif char == "[":
            end = body.find("]", i + 2)
            if end < 0:
                raise ValueError(f"exclude pattern {pattern!r} has an unclosed '['")
            inner = body[i + 1 : end].replace("\\", "\\\\")
            inner = "^" + inner[1:] if inner.startswith("!") else inner
            out, i = out + f"[{inner}]", end + 1
        else:
            out, i = out + re.escape(char), i + 1
    # a folder that matches takes everything under it with it
    return re.compile(("^" if anchored else "^(?:.*/)?") + out + "(?:/.*)?$")


@dataclass(frozen=True)
class WorkspaceSpec:
    """A resolved workspace: its folder, its exclusions, and the project it must stay in."""

    path: Path
    exclude: tuple[str, ...]
    default_excludes: bool
    #: folders of declared examples inside the workspace: synced as examples, not as files
    example_folders: tuple[Path, ...]
    project_root: Path
    mark: SourceMark

    def patterns(self) -> list[re.Pattern[str]]:
        defaults = DEFAULT_EXCLUDES if self.default_excludes else ()
        return [glob_regex(p) for p in (*defaults, *self.exclude)]

    def is_excluded(self, relative: str) -> bool:
        return any(p.match(relative) for p in self.patterns())

    def files(self) -> dict[str, Path]:
        """Relative POSIX path -> file, sorted; ``ManifestError`` for files that cannot sync."""
        patterns = self.patterns()
        skipped = {folder.resolve() for folder in self.example_folders}
        found: dict[str, Path] = {}
        problems: list[ManifestProblem] = []
        for folder, dirs, names in os.walk(self.path, followlinks=False):
            base = Path(folder)
            kept = []
            for name in sorted(dirs):
                path = base / name
                relative = path.relative_to(self.path).as_posix()
                if any(p.match(relative) for p in patterns) or path.resolve() in skipped:
                    continue
                if path.is_symlink():
                    problems.append(self._problem(path, relative, "is a link to a folder"))
                    continue
                kept.append(name)
            dirs[:] = kept  # os.walk descends only into the folders kept here
            for name in sorted(names):
                path = base / name
                relative = path.relative_to(self.path).as_posix()
                if any(p.match(relative) for p in patterns):
                    continue
                problem = self._check(path, relative)
                if problem is not None:
                    problems.append(problem)
                else:
                    found[relative] = path
        if problems:
            raise ManifestError(problems)
        return dict(sorted(found.items()))

    def _check(self, path: Path, relative: str) -> ManifestProblem | None:
        try:  # the platform's own rule (contract A7): a workspace that validates also plans
            check_relative(relative)
        except UnsafePath as err:
            return self._problem(
                path,
                relative,
                err.reason,
                hint="rename it to a plain name (letters, digits, '-', '_', '.'), or "
                + _excluding(relative),
            )
        if path.is_symlink() and not is_inside(path, self.project_root):
            return self._problem(path, relative, "links outside the project")
        if not path.is_file():
            return self._problem(path, relative, "is not a readable file (a broken link?)")
        return None

    def _problem(
        self,
        path: Path,
        relative: str,
        what: str,
        *,
        hint: str = "",
    ) -> ManifestProblem:
        return ManifestProblem(
            SourceMark(display_path(path)),
            f"workspace entry {relative!r} {what}",
            key=relative,
            hint=hint or f"{_excluding(relative)}, or replace it with a plain file in the project",
        )


def _excluding(relative: str) -> str:
    """How to leave ``relative`` out of the workspace: its exclude list sits in the workspace's
    mapping form, not on the agent."""
    quoted = json.dumps(relative, ensure_ascii=False)
    return f"exclude it (workspace: {{path: ..., exclude: [{quoted}]}})"
