"""What every route shares: the platform reaches a route without a trip to the thread pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest

from ..helpers import TestClient, create_agent


def test_a_request_sends_only_its_endpoint_to_the_thread_pool(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_agent(client, "pooled")
    sent: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(repr(func))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    assert client.get("/api/v1/agents").status_code == 200
    # A sync dependency would be a second trip (platform_of) for one attribute read.
    assert len(sent) == 1, sent
    assert "list_agents" in sent[0]
