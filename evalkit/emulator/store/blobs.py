"""Content-addressed blob folder: a blob's name is the SHA-256 of its bytes, never a user path.

A blob's path is a plain string (``os.path``), never a ``pathlib.Path``: a ``Path`` interns each
of its parts, and the interpreter's table of interned strings never shrinks, so every blob ever
read or written kept a slot in it (2 MB at 20,000 synced files, for the platform's lifetime).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._root = os.fspath(root)

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self._path(digest)
        if os.path.exists(target):
            return digest
        folder = os.path.dirname(target)
        os.makedirs(folder, exist_ok=True)
        # Write then rename, so a reader never sees a half-written blob.
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(content)
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        with open(self._path(digest), "rb") as blob:
            return blob.read()

    def wipe(self) -> None:
        for child in self.root.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def _path(self, digest: str) -> str:
        if not _DIGEST.match(digest):
            raise ValueError(f"not a blob name: {digest!r}")
        return os.path.join(self._root, digest[:2], digest)
