"""Writing a file so that a reader sees the old one or the new one, never half of one.

The content goes to a temporary file beside the target (same folder, so same file system),
which then replaces it (``os.replace``). On any error the temporary file is removed and the
target is as it was. An existing target keeps its permission bits; a new one gets the
process's default (umask), as a plain ``open`` would give it, not ``mkstemp``'s 0600.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, cast

#: how much of the target's name the temporary name keeps: room left for the rest, so a
#: target whose name is as long as the file system allows still gets a temporary file
TEMP_NAME_CHARS = 100
TEMP_SUFFIX = ".partial"


@contextlib.contextmanager
def atomic_text(target: Path, *, durable: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file that replaces ``target`` when the block ends without an error.
    ``durable``: flushed to disk first (a crash right after leaves the new content)."""
    with _replacing(target, durable, binary=False) as handle:
        yield cast(TextIO, handle)


@contextlib.contextmanager
def atomic_bytes(target: Path, *, durable: bool = False) -> Iterator[BinaryIO]:
    """As ``atomic_text``, a binary file."""
    with _replacing(target, durable, binary=True) as handle:
        yield cast(BinaryIO, handle)


@contextlib.contextmanager
def _replacing(target: Path, durable: bool, *, binary: bool) -> Iterator[IO[Any]]:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary, descriptor = _create_beside(target)
    try:
        mode, encoding = ("wb", None) if binary else ("w", "utf-8")
        try:
            handle = os.fdopen(descriptor, mode, encoding=encoding)
        except BaseException:
            os.close(descriptor)
            raise
        with handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _create_beside(target: Path) -> tuple[Path, int]:
    """A new temporary file in ``target``'s folder, hidden, with a name no one else has."""
    while True:
        name = f".{target.name[:TEMP_NAME_CHARS]}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        temporary = target.with_name(name)
        try:
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
