"""Expected files stored under a chosen name survive a platform that fails and drops answers.

Found in chaos runs: 20 of 150 expected files were missing after a run with exit 0, because
the upload was treated like a POST that starts work and retried only after 429/503.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evalkit.client import EigenpalClient
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.server import RunningPlatform, start_platform

KEY = "eg_expected_faults"
UPLOADS = 12


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    faults = FaultConfig(
        error_rate=0.3,
        error_statuses=(500, 502),
        drop_rate=0.15,
        drop_after_processing=True,  # the write happens, its answer is lost
        path_pattern=r"/expected$",
        seed=11,
    )
    config = PlatformConfig(data_dir=tmp_path / "platform", api_keys=(KEY,), faults=faults)
    with start_platform(config) as running:
        yield running


def test_named_expected_uploads_are_retried_until_stored_once_each(
    platform: RunningPlatform,
) -> None:
    statuses: list[int] = []
    http = httpx.Client(
        event_hooks={"response": [lambda answer: statuses.append(answer.status_code)]}
    )
    with (
        http,
        EigenpalClient(
            api_key=KEY, base_url=platform.base_url, max_retries=8, http_client=http
        ) as client,
    ):
        client.agents.create(name="Echo", slug="echo", config={"runtime": {"builtin": "echo"}})
        run = client.agents.run_and_wait("echo", input={"n": 1})
        for index in range(UPLOADS):
            name = f"gold/file-{index}.txt"
            answer = client.agents.executions.upload_expected(
                run.id, file=f"content {index}".encode(), filename="f.txt", name=name
            )
            assert answer.name == name
        stored = client.agents.executions.list_expected(run.id)
        names = sorted(item.name for item in stored.files)
        assert names == sorted(f"gold/file-{index}.txt" for index in range(UPLOADS))
        assert client.agents.executions.download_expected(run.id, "gold/file-3.txt") == b"content 3"
    assert any(status >= 500 for status in statuses), "faults were really injected"
