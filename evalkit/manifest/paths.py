"""Where the project is, and keeping every path of the manifest inside it.

The *project folder* is the root of the git checkout that holds the root manifest (the nearest
ancestor folder with a ``.git`` entry), or the manifest's own folder when it is not in a git
checkout. Everything the manifest names (includes, workspaces, examples, files) must resolve,
symbolic links followed, to a place inside it: what is evaluated is what is reviewed in the
repository, and a manifest from a pull request cannot read ``~/.ssh`` or ``/etc``.
"""

from __future__ import annotations

import os
from pathlib import Path

from evalkit.errors import SourceMark
from evalkit.manifest.problems import suggest

# the rule's one declaration, re-exported for the manifest modules that import it from here
from evalkit.safe_paths import UnsafePath, resolve_manifest_path


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
    cwd = os.getcwd()
    absolute = os.path.abspath(path)
    if absolute.startswith(cwd) and absolute[len(cwd) : len(cwd) + 1] == os.sep:
        # below the working folder as written (the usual case, every example's mark): the
        # rest of the text, without making and comparing paths
        return absolute[len(cwd) + 1 :].replace(os.sep, "/")
    here = Path(cwd)
    try:
        return Path(absolute).relative_to(here).as_posix()
    except ValueError:
        pass
    try:  # resolved only when needed: a resolve costs a system call for each part of the path
        return path.resolve().relative_to(here.resolve()).as_posix()
    except ValueError:
        return str(path)


#: what the user reads for each rule a manifest path can break: (message after the path, hint)
_REFUSALS = {
    "backslash": ("contains '\\'", "use '/' between folders"),
    "absolute": ("is absolute", "paths are relative to the manifest file"),
}


def resolve_inside(base: Path, relative: str, root: Path) -> Path:
    """``base / relative`` resolved, or ``PathProblem`` if it is absolute or leaves ``root``
    (the rule: :func:`evalkit.safe_paths.resolve_manifest_path`)."""
    try:
        return resolve_manifest_path(root, relative, start=base)
    except UnsafePath as err:
        if err.why == "outside":
            raise PathProblem(
                f"path {relative!r} leads outside the project folder {root}",
                "keep every file inside the project (the git checkout, or the manifest's folder)",
            ) from err
        message, hint = _REFUSALS[err.why]
        raise PathProblem(f"path {relative!r} {message}", hint) from err


def file_mark(path: Path, line: int = 1) -> SourceMark:
    """A mark for a whole file (line 1, column 1; no line or column when ``line`` is 0), e.g.
    an example's expected.json."""
    return SourceMark(display_path(path), line, line)


def sibling_hint(missing: Path) -> str:
    """``did you mean 'x'?`` from the names next to a missing path, or a plain hint."""
    parent = missing.parent
    if parent.is_dir():
        hint = suggest(missing.name, os.listdir(parent))
        if hint:
            return hint
    return "check the path; it is relative to the manifest file"
