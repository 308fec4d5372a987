"""Shared helpers of the local platform's tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Iterator
from typing import Any

import httpx

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its test client; plain httpx still works, as documented.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = [
    "API_KEY",
    "AUTH",
    "ECHO",
    "SPOOLED_TO_DISK",
    "TestClient",
    "create_agent",
    "issue",
    "no_unclosed_files",
    "run_and_wait",
]

API_KEY = "eg_test_0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
ECHO = {"runtime": {"builtin": "echo"}}


def create_agent(
    http: httpx.Client, slug: str = "echo", config: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    body = {"name": fields.pop("name", slug.title()), "slug": slug, **fields}
    body["config"] = ECHO if config is None else config
    response = http.post("/api/v1/agents", json=body)
    assert response.status_code == 201, response.text
    agent: dict[str, Any] = response.json()["agent"]
    return agent


def run_and_wait(
    http: httpx.Client, agent: str, body: dict[str, Any] | None = None, wait: int = 30
) -> dict[str, Any]:
    response = http.post(
        f"/api/v1/agents/{agent}/run", params={"wait_for_completion": wait}, json=body or {}
    )
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()
    return result


def issue(response: httpx.Response) -> dict[str, Any]:
    """The first issue of an error envelope, after checking the envelope's shape."""
    body = response.json()
    assert body["requestId"] == response.headers["x-request-id"]
    assert body["issues"], body
    first: dict[str, Any] = body["issues"][0]
    assert set(first) >= {"field", "message", "code", "severity"}
    return first


#: bigger than Starlette's in-memory spool (1 MiB), so an upload lands in a real temp file
SPOOLED_TO_DISK = b"x" * (1024 * 1024 + 1)


@contextlib.contextmanager
def no_unclosed_files() -> Iterator[None]:
    """Fail if anything inside leaves a file unclosed (a ``ResourceWarning`` when collected)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks
