"""Content-addressed blob folder: a blob's name is the SHA-256 of its bytes, never a user path."""

from __future__ import annotations

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

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self._path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(exist_ok=True)
        # Write then rename, so a reader never sees a half-written blob.
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(content)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        return self._path(digest).read_bytes()

    def wipe(self) -> None:
        for child in self.root.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def _path(self, digest: str) -> Path:
        if not _DIGEST.match(digest):
            raise ValueError(f"not a blob name: {digest!r}")
        return self.root / digest[:2] / digest
