"""One platform per state folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.platform import Platform
from evalkit.emulator.store.lock import FolderInUseError, FolderLock


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    first = FolderLock(tmp_path)
    with pytest.raises(FolderInUseError) as caught:
        FolderLock(tmp_path)
    assert str(tmp_path) in str(caught.value)
    assert f"process {os.getpid()}" in str(caught.value)
    first.release()
    first.release()  # idempotent
    FolderLock(tmp_path).release()


def test_two_platforms_cannot_share_a_folder(tmp_path: Path) -> None:
    config = PlatformConfig(data_dir=tmp_path, api_keys=("eg_k",), workers=1)
    running = Platform(config)
    try:
        with pytest.raises(FolderInUseError, match="in use by another local platform"):
            Platform(config)
        # The refused one must not have touched the first one's state.
        assert running.agents.find_all(search=None, limit=10, offset=0) == ([], 0)
    finally:
        running.close()
    Platform(config).close()  # free again once the first is closed
