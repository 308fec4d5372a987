"""Helpers to lay out small projects on disk for manifest tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Files = dict[str, Any]


def write_files(root: Path, files: Files) -> Path:
    """Write ``files`` (relative path -> text, bytes, or JSON-able data for ``*.json``)."""
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


@pytest.fixture
def project(tmp_path: Path) -> Callable[[Files], Path]:
    """``project({...})`` writes the files under a fresh folder (not a git checkout) and
    returns its ``evalkit.yaml``."""

    def make(files: Files) -> Path:
        write_files(tmp_path, files)
        return tmp_path / "evalkit.yaml"

    return make
