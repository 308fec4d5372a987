"""The ``project`` fixture: a fresh folder (not a git checkout) holding the given files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.manifest.project_files import Files, write_files


@pytest.fixture
def project(tmp_path: Path) -> Callable[[Files], Path]:
    """``project({...})`` writes the files and returns the folder's ``evalkit.yaml``."""

    def make(files: Files) -> Path:
        write_files(tmp_path, files)
        return tmp_path / "evalkit.yaml"

    return make
