"""Atomic writes (evalkit/runner/atomic.py): the old file or the new one, never half, and
nothing left behind."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from evalkit.runner.atomic import atomic_bytes, atomic_text
from evalkit.runner.jsonl import write_summary
from evalkit.runner.results import Verdict
from evalkit.runner.results_file import read_summary_file
from tests.runner.conftest import brief, summary_with


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_new_content_replaces_the_old_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "a.txt"
    with atomic_text(target) as handle:
        handle.write("héllo")
        assert not target.exists()  # nothing to see before the block ends
    assert target.read_text(encoding="utf-8") == "héllo"
    with atomic_bytes(target, durable=True) as raw:
        raw.write(b"two")
    assert target.read_bytes() == b"two"
    assert [path.name for path in target.parent.iterdir()] == ["a.txt"]


def _interrupted_write(target: Path) -> None:
    with atomic_text(target) as handle:
        handle.write("half")
        raise KeyboardInterrupt


def test_an_error_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        _interrupted_write(target)
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["a.txt"]


def test_modes_an_existing_file_keeps_and_a_new_one_gets(tmp_path: Path) -> None:
    kept = tmp_path / "kept.sh"
    kept.write_text("old")
    kept.chmod(0o750)
    with atomic_text(kept) as handle:
        handle.write("new")
    assert _mode(kept) == 0o750
    fresh = tmp_path / "fresh.txt"
    with atomic_text(fresh) as handle:
        handle.write("x")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert _mode(fresh) == _mode(plain)  # the umask's default, not mkstemp's 0600


def test_a_target_with_the_longest_name_allowed(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    target = tmp_path / ("n" * limit)
    with atomic_bytes(target) as raw:
        raw.write(b"x")
    assert target.read_bytes() == b"x"


def test_a_summary_that_fails_half_written_leaves_the_old_one_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "summary.json"
    old = summary_with()
    write_summary(path, old)

    @contextlib.contextmanager
    def disk_full_midway(target: Path, *, durable: bool = False) -> Iterator[_FullDisk]:
        with atomic_text(target, durable=durable) as handle:
            yield _FullDisk(handle)

    # (where write_summary finds it)
    monkeypatch.setattr("evalkit.runner.jsonl.atomic_text", disk_full_midway)
    with pytest.raises(OSError, match="No space left"):
        write_summary(path, summary_with(brief("new", Verdict.PASS)))
    assert read_summary_file(path) == old
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


class _FullDisk:
    """A file that takes the first bytes written, then refuses the rest (a full disk)."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle

    def write(self, text: str) -> int:
        self._handle.write(text[:20])
        raise OSError(errno.ENOSPC, "No space left on device")
