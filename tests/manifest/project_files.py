"""Laying out small projects on disk for manifest tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Files = dict[str, Any]


def write_files(root: Path, files: Files) -> Path:
    """Write ``files`` (relative path -> text, bytes, or JSON-able data) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_text(json.dumps(content))
    return root
