"""The files an accept changes: what each holds before and after, shown as a diff, and written
all or nothing.

Writing is in two steps: every new content goes to a temporary file beside its target first
(a full disk or a read-only folder fails there, before any target changed), then each
temporary file replaces its target (``os.replace``: a reader sees the old file or the new
one, never half of one), and removed files go last. A target that changed since the plan
was made (an editor saved it while the prompt waited) stops everything before the first
replace.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evalkit.errors import RunError

#: diff lines shown per file before "... N more lines"
MAX_DIFF_LINES = 200


@dataclass(frozen=True)
class FileWrite:
    """One file an accept changes: ``before`` None when it is new, ``after`` None when it is
    removed."""

    path: Path
    before: bytes | None
    after: bytes | None

    @property
    def action(self) -> str:
        if self.before is None:
            return "add"
        return "remove" if self.after is None else "update"


class AcceptWriteError(RunError):
    """The files could not be written; none was changed (or, past the first replace, the
    message says which were)."""


def diff_text(write: FileWrite, label: str) -> str:
    """A unified diff of the file as ``git diff`` shows it (``label``: its path as shown)."""
    before, after = write.before, write.after
    old_text, new_text = _text(before), _text(after)
    if old_text is None or new_text is None:
        sizes = f"{len(before) if before is not None else 0} -> {len(after or b'')} bytes"
        return f"{write.action} {label}: binary ({sizes})\n"
    lines = list(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile="/dev/null" if before is None else f"a/{label}",
            tofile="/dev/null" if after is None else f"b/{label}",
        )
    )
    shown = [line if line.endswith("\n") else line + "\n" for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"... {len(lines) - MAX_DIFF_LINES} more diff lines\n")
    return "".join(shown)


def _text(data: bytes | None) -> str | None:
    if data is None:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def write_all(writes: Sequence[FileWrite]) -> None:
    """Write every file, all or nothing (see the module's notes)."""
    for write in writes:
        current = write.path.read_bytes() if write.path.is_file() else None
        if current != write.before:
            raise AcceptWriteError(
                f"{write.path} changed since the accept was planned; nothing was written: "
                "run 'evalkit accept' again"
            )
    staged: list[tuple[Path, Path]] = []
    try:
        for write in writes:
            if write.after is not None:
                staged.append((_staged(write.path, write.after), write.path))
    except OSError as err:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise AcceptWriteError(
            f"cannot write {err.filename or 'a file'}: {err.strerror or err}; nothing was written"
        ) from None
    done: list[Path] = []
    try:
        for temporary, target in staged:
            os.replace(temporary, target)
            done.append(target)
        for write in writes:
            if write.after is None:
                write.path.unlink()
                _remove_empty_parents(write.path.parent)
                done.append(write.path)
    except OSError as err:
        for temporary, target in staged:
            if target not in done:
                temporary.unlink(missing_ok=True)
        written = ", ".join(str(path) for path in done) or "none"
        raise AcceptWriteError(
            f"cannot write {err.filename or 'a file'}: {err.strerror or err}; "
            f"files already changed: {written}"
        ) from None


def _staged(target: Path, content: bytes) -> Path:
    """``content`` in a new temporary file in ``target``'s folder (made if need be)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        if target.exists():
            os.chmod(name, target.stat().st_mode & 0o7777)
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _remove_empty_parents(folder: Path) -> None:
    """An ``expected/`` folder whose last file went goes too (only if empty, only it)."""
    if folder.name == "expected" and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
