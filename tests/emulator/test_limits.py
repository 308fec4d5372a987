"""The body size limit: 413 ``payload_too_large`` on Content-Length and while streaming."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.server import start_platform

from .conftest import ClientFactory
from .helpers import AUTH, create_agent, issue

LIMIT = 2048


def test_declared_length_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=LIMIT)
    create_agent(client, "a")
    response = client.post("/api/v1/agents/a/run", json={"input": {"text": "x" * LIMIT}})
    assert response.status_code == 413
    first = issue(response)
    assert first["code"] == "payload_too_large"
    assert str(LIMIT) in first["message"]


def test_a_body_at_the_limit_passes(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=LIMIT)
    create_agent(client, "a")
    filler = LIMIT - len(b'{"input": {"text": ""}}')
    body = b'{"input": {"text": "' + b"x" * filler + b'"}}'
    assert len(body) == LIMIT
    response = client.post(
        "/api/v1/agents/a/run", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 202


def test_a_streamed_body_over_the_limit_is_413(config: PlatformConfig) -> None:
    """Chunked upload, no Content-Length: counted while it streams."""

    def chunks() -> Iterator[bytes]:
        yield b'{"input": {"text": "'
        for _ in range(8):
            yield b"y" * 512
        yield b'"}}'

    small = PlatformConfig(data_dir=config.data_dir, api_keys=config.api_keys, max_body_bytes=LIMIT)
    with start_platform(small) as live, httpx.Client(base_url=live.base_url, headers=AUTH) as http:
        create_agent(http, "a")
        response = http.post(
            "/api/v1/agents/a/run", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert issue(response)["code"] == "payload_too_large"
