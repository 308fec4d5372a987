"""The runner's view of the platform: the few calls it makes, behind one small protocol.

``ClientCalls`` implements it over ``evalkit.client.AsyncEigenpalClient``; it is the only
place in the runner that knows the client's call names. The rest of the runner is written
against ``PlatformCalls`` and is tested against the local platform through that same adapter.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from evalkit.api import (
    AgentExecutionSummary,
    RunAgentResponse,
    RunWorkflowResponse,
    WorkflowExecutionStatusResponse,
)
from evalkit.client import AsyncEigenpalClient
from evalkit.client.retry import parse_retry_after
from evalkit.runner.health import PlatformHealth
from evalkit.runner.limiter import AdaptiveLimiter


class PlatformCalls(Protocol):
    base_url: str

    async def start_agent(
        self,
        agent: str,
        input: Mapping[str, Any],
        *,
        hold_seconds: int,
        metadata: Mapping[str, Any],
    ) -> RunAgentResponse: ...

    async def get_agent_execution(self, execution_id: str) -> AgentExecutionSummary: ...

    async def find_agent_executions(
        self, agent: str, *, batch_id: str, example_name: str
    ) -> list[AgentExecutionSummary]: ...

    async def cancel_agent(self, execution_id: str) -> None: ...

    async def download_output(self, execution_id: str, name: str, to: Path) -> None: ...

    async def write_feedback(self, execution_id: str, fields: Mapping[str, Any]) -> None: ...

    async def upload_expected(self, execution_id: str, name: str, path: Path) -> None: ...

    async def start_workflow(
        self,
        workflow: str,
        input: Mapping[str, Any],
        *,
        version: str | None,
        hold_seconds: int,
    ) -> RunWorkflowResponse: ...

    async def get_workflow_execution(
        self, execution_id: str
    ) -> WorkflowExecutionStatusResponse: ...

    async def cancel_workflow(self, execution_id: str) -> None: ...


_SENT_AT = "evalkit.sent_at"


def rate_limit_hooks(
    limiter: AdaptiveLimiter, health: PlatformHealth | None = None
) -> dict[str, list[Any]]:
    """httpx event hooks that show the limiter every 429 the platform sends, including those
    the client then retries by itself: ``httpx.AsyncClient(event_hooks=...)``. With
    ``health``, they also count every request and answer for the run's figures (``Traffic``)."""

    async def stamp(request: httpx.Request) -> None:
        request.extensions[_SENT_AT] = limiter.now()
        if health is not None:
            health.requests += 1

    async def observe(response: httpx.Response) -> None:
        if health is not None:
            health.answers += 1
            health.server_errors += response.status_code >= 500
            health.rate_limited += response.status_code == 429
        if response.status_code == 429:
            sent_at = response.request.extensions.get(_SENT_AT, limiter.now())
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            await limiter.observe_rate_limit(sent_at, retry_after)

    return {"request": [stamp], "response": [observe]}


def execution_link(base_url: str, kind: str, execution_id: str) -> str:
    """Where a reviewer finds the execution. The v1 contract publishes no web UI routes, so
    this is the execution's API address (it includes feedback with ``?include=feedback``)."""
    group = "agents" if kind == "agent" else "workflows"
    return f"{base_url.rstrip('/')}/api/v1/{group}/executions/{quote(execution_id, safe='')}"


class ClientCalls:
    """``PlatformCalls`` over ``AsyncEigenpalClient``: one, or several that take the calls in
    turn. Several clients keep each HTTP connection pool small: httpx's pool looks over all
    its connections for every request it places, so one pool of a hundred connections costs
    the runner more CPU than its requests do (see ``evaluation.client_pools``)."""

    def __init__(self, client: AsyncEigenpalClient, *more: AsyncEigenpalClient) -> None:
        self._clients = (client, *more)
        self._turn = itertools.cycle(self._clients)
        self.base_url = client.base_url

    @property
    def _client(self) -> AsyncEigenpalClient:
        return next(self._turn)

    async def start_agent(
        self,
        agent: str,
        input: Mapping[str, Any],
        *,
        hold_seconds: int,
        metadata: Mapping[str, Any],
    ) -> RunAgentResponse:
        return await self._client.agents.run(
            agent, dict(input), wait_for_completion=hold_seconds or None, metadata=metadata
        )

    async def get_agent_execution(self, execution_id: str) -> AgentExecutionSummary:
        envelope = await self._client.agents.executions.get(execution_id, include="files")
        return envelope.execution

    async def find_agent_executions(
        self, agent: str, *, batch_id: str, example_name: str
    ) -> list[AgentExecutionSummary]:
        page = await self._client.agents.executions.list(
            agent, batch_id=batch_id, example_name=example_name, include="files", limit=100
        )
        return page.executions

    async def cancel_agent(self, execution_id: str) -> None:
        await self._client.agents.executions.cancel(execution_id)

    async def download_output(self, execution_id: str, name: str, to: Path) -> None:
        await self._client.agents.executions.download_file(execution_id, "output", name, to=to)

    async def write_feedback(self, execution_id: str, fields: Mapping[str, Any]) -> None:
        await self._client.agents.executions.update_feedback(execution_id, **fields)

    async def upload_expected(self, execution_id: str, name: str, path: Path) -> None:
        await self._client.agents.executions.upload_expected(
            execution_id, file=path, filename=PurePosixPath(name).name, name=name
        )

    async def start_workflow(
        self,
        workflow: str,
        input: Mapping[str, Any],
        *,
        version: str | None,
        hold_seconds: int,
    ) -> RunWorkflowResponse:
        return await self._client.workflows.run(
            workflow, dict(input), version=version, wait_for_completion=hold_seconds or None
        )

    async def get_workflow_execution(self, execution_id: str) -> WorkflowExecutionStatusResponse:
        return await self._client.workflows.executions.get(execution_id)

    async def cancel_workflow(self, execution_id: str) -> None:
        await self._client.workflows.executions.cancel(execution_id)
