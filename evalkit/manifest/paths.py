"""Where the project is, and keeping every path of the manifest inside it.

The *project folder* is the root of the git checkout that holds the root manifest (the nearest
ancestor folder with a ``.git`` entry), or the manifest's own folder when it is not in a git
checkout. Everything the manifest names (includes, workspaces, examples, files) must resolve,
symbolic links followed, to a place inside it: what is evaluated is what is reviewed in the
repository, and a manifest from a pull request cannot read ``~/.ssh`` or ``/etc``.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from evalkit.errors import SourceMark
from evalkit.manifest.problems import suggest


class PathProblem(ValueError):
    """A path the manifest may not use; the message says why."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def find_project_root(manifest: Path) -> Path:
    """The git root holding ``manifest``, or its folder (both resolved)."""
    folder = manifest.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def display_path(path: Path) -> str:
    """``path`` as shown to the user: relative to the working folder when below it. A link is
    shown where it is, not where it leads (that may be anywhere, and is what gets refused)."""
    here = Path.cwd()
    for candidate, base in (
        (Path(os.path.abspath(path)), here),
        (path.resolve(), here.resolve()),
    ):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(path)


def resolve_inside(base: Path, relative: str, root: Path) -> Path:
    """``base / relative`` resolved, or ``PathProblem`` if it is absolute or leaves ``root``."""
    if "\\" in relative:
        raise PathProblem(f"path {relative!r} contains '\\'", "use '/' between folders")
    if relative.startswith("/") or PurePosixPath(relative).is_absolute() or ":" in relative[:3]:
        raise PathProblem(
            f"path {relative!r} is absolute", "paths are relative to the manifest file"
        )
    target = (base / relative).resolve()
    if not is_inside(target, root):
        raise PathProblem(
            f"path {relative!r} leads outside the project folder {root}",
            "keep every file inside the project (the git checkout, or the manifest's folder)",
        )
    return target


def is_inside(path: Path, root: Path) -> bool:
    """Whether the resolved ``path`` is ``root`` or below it."""
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def file_mark(path: Path) -> SourceMark:
    """A mark for a whole file (line 1, column 1), e.g. an example's expected.json."""
    return SourceMark(display_path(path), 1, 1)


def sibling_hint(missing: Path) -> str:
    """``did you mean 'x'?`` from the names next to a missing path, or a plain hint."""
    parent = missing.parent
    if parent.is_dir():
        hint = suggest(missing.name, os.listdir(parent))
        if hint:
            return hint
    return "check the path; it is relative to the manifest file"
