"""Writing a download to disk atomically: a temp file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: how much of the target's name its temporary file shows
TEMP_NAME_CHARS = 40


@contextlib.contextmanager
def atomic_writer(target: Path) -> Iterator[IO[bytes]]:
    """Yield a binary file; on success it replaces ``target``, on error it disappears.

    Readers of ``target`` never see half a file, and a failed download leaves any previous
    version in place. The temporary name holds only the start of the target's, so that a
    target of the longest name the file system allows still gets one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name[:TEMP_NAME_CHARS]}."
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
