"""Downloads streamed to a path, atomically, with both clients."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from evalkit.client import AsyncEigenpalClient, EigenpalClient, EigenpalNotFoundError
from evalkit.client._download import atomic_writer

from .conftest import FakeApi, envelope

BLOB = bytes(range(256)) * 1024  # 256 KiB, several stream chunks


def octets(content: bytes) -> httpx.Response:
    return httpx.Response(
        200, content=content, headers={"content-type": "application/octet-stream"}
    )


def test_atomic_writer_replaces_on_success(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.bin"
    with atomic_writer(target) as handle:
        handle.write(b"new")
        assert not target.exists()
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]


def test_atomic_writer_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def interrupted_write() -> None:
        with atomic_writer(target) as handle:
            handle.write(b"half")
            raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError, match="connection lost"):
        interrupted_write()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_atomic_writer_takes_the_longest_name(tmp_path: Path) -> None:
    target = tmp_path / ("n" * 255)  # the longest name ext4 and most file systems store
    with atomic_writer(target) as handle:
        handle.write(b"x")
    assert target.read_bytes() == b"x"


def test_download_to_path(client: EigenpalClient, api: FakeApi, tmp_path: Path) -> None:
    api.queue(octets(BLOB))
    target = tmp_path / "expected" / "gold.bin"
    result = client.agents.executions.download_expected("exec_1", "gold.bin", to=target)
    assert result == target
    assert api.last.headers["accept"] == "*/*"
    assert target.read_bytes() == BLOB
    api.answers[:] = [octets(b"trace")]
    path = client.agents.executions.download_file("exec_1", "trace", "t.jsonl", to=tmp_path / "t")
    assert path.read_bytes() == b"trace"


def test_failed_download_leaves_nothing(
    client: EigenpalClient, api: FakeApi, tmp_path: Path
) -> None:
    api.queue(envelope(404, "no such file"))
    target = tmp_path / "gold.bin"
    with pytest.raises(EigenpalNotFoundError, match="no such file"):
        client.agents.executions.download_expected("exec_1", "gold.bin", to=target)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_async_download(aclient: AsyncEigenpalClient, api: FakeApi, tmp_path: Path) -> None:
    api.queue(octets(BLOB))
    async with aclient:
        target = tmp_path / "gold.bin"
        assert (
            await aclient.agents.executions.download_expected("e", "gold.bin", to=target) == target
        )
        assert await aclient.agents.executions.download_file("e", "output", "o.bin") == BLOB
    assert target.read_bytes() == BLOB
