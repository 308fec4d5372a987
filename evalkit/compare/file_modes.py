"""How a file is compared (its mode), and the mode a file name gets when no rule sets one.

Kept apart from ``rules`` and ``files`` so that both, and the check of contradictory rules,
share one definition: ``.json`` -> json, ``.csv`` -> csv, common text types -> text, anything
else -> bytes.
"""

from __future__ import annotations

from enum import Enum
from pathlib import PurePosixPath


class FileMode(str, Enum):
    BYTES = "bytes"  # exact bytes (sha256)
    TEXT = "text"  # newline-normalised text, unified diff
    JSON = "json"  # parsed and compared with the JSON rules
    CSV = "csv"  # rows as records
    EXISTS = "exists"  # only that the file is there


# fmt: off
TEXT_SUFFIXES = frozenset({
    ".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".xml", ".svg", ".yaml", ".yml",
    ".toml", ".ini", ".cfg", ".log", ".tsv", ".py", ".js", ".ts", ".css", ".sql", ".sh",
    ".tex", ".srt", ".vtt",
})
# fmt: on
GLOB_CHARS = frozenset("*?[")


def default_mode(name: str) -> FileMode:
    """The mode of a file whose rule sets none, by its extension."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".json":
        return FileMode.JSON
    if suffix == ".csv":
        return FileMode.CSV
    if suffix in TEXT_SUFFIXES:
        return FileMode.TEXT
    return FileMode.BYTES


def mode_of_glob(glob: str) -> FileMode | None:
    """The mode every file a glob (or plain name) matches gets by default, when the glob
    decides it (``*.csv``, ``totals.csv``, ``README``); ``None`` when it does not (``*``,
    ``report.*``)."""
    suffix = PurePosixPath(glob).suffix
    if GLOB_CHARS & set(suffix):
        return None
    if not suffix and GLOB_CHARS & set(PurePosixPath(glob).name):
        return None
    return default_mode(glob)
