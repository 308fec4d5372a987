"""``client.agents``: agents, workspace files, runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from evalkit.api import (
    AgentEnvelope,
    AgentExecutionSummary,
    AgentFilters,
    AgentListParams,
    AgentSummary,
    FileContentResponse,
    FileListResponse,
    Include,
    ListAgentsResponse,
    PutFileResponse,
    RunAgentResponse,
    UploadFilesResponse,
)
from evalkit.client._async.executions import AgentExecutionsResource
from evalkit.client._async_executor import AsyncExecutor
from evalkit.client._signature import keyword_params
from evalkit.client.endpoints import agents as ep
from evalkit.client.pagination import DEFAULT_PAGE_SIZE, aiter_items
from evalkit.client.wait import (
    DEFAULT_HOLD_SECONDS,
    DEFAULT_WAIT_SECONDS,
    Deadline,
    hold_seconds_for,
)

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack


class AgentsResource:
    """Agent operations: list, get, create, update, run, workspace files, executions."""

    def __init__(self, executor: AsyncExecutor) -> None:
        self._exec = executor
        self.executions = AgentExecutionsResource(executor)

    @keyword_params(AgentListParams)
    async def list(self, **params: Unpack[AgentListParams]) -> ListAgentsResponse:
        return await self._exec.call(ep.list_agents(**params))

    @keyword_params(AgentFilters)
    def iter_list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[AgentFilters]
    ) -> AsyncIterator[AgentSummary]:
        """Every agent, page after page."""

        async def fetch(limit: int, offset: int) -> tuple[Sequence[AgentSummary], int]:
            page = await self.list(**filters, limit=limit, offset=offset)
            return page.data, page.total

        return aiter_items(fetch, page_size=page_size)

    async def get(self, agent_id: str, *, include: Include = None) -> AgentEnvelope:
        return await self._exec.call(ep.get_agent(agent_id, include=include))

    async def create(
        self,
        *,
        name: str,
        slug: str,
        description: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> AgentEnvelope:
        return await self._exec.call(
            ep.create_agent(name=name, slug=slug, description=description, config=config)
        )

    async def update(
        self,
        agent_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> AgentEnvelope:
        return await self._exec.call(
            ep.update_agent(agent_id, name=name, description=description, config=config)
        )

    async def run(
        self,
        agent_id: str,
        input: dict[str, Any] | None = None,
        *,
        wait_for_completion: int | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> RunAgentResponse:
        return await self._exec.call(
            ep.run_agent(
                agent_id, input, wait_for_completion=wait_for_completion, metadata=metadata
            )
        )

    async def run_and_wait(
        self,
        agent_id: str,
        input: dict[str, Any] | None = None,
        *,
        metadata: Mapping[str, Any] | None = None,
        timeout_seconds: float = DEFAULT_WAIT_SECONDS,
        hold_seconds: int = DEFAULT_HOLD_SECONDS,
        include: Include = None,
    ) -> AgentExecutionSummary:
        """Run, let the server hold the answer up to ``hold_seconds``, then poll until the
        execution ends; ``EigenpalTimeoutError`` past ``timeout_seconds`` overall."""
        deadline = Deadline.after(timeout_seconds, self._exec.clock)
        hold = hold_seconds_for(
            hold_seconds, remaining=deadline.remaining(), max_hold=ep.MAX_AGENT_HOLD_SECONDS
        )
        started = await self.run(
            agent_id, input, wait_for_completion=hold or None, metadata=metadata
        )
        return await self.executions._wait_until(
            started.execution_id, deadline, timeout_seconds=timeout_seconds, include=include
        )

    async def list_files(
        self,
        agent_id: str,
        *,
        path: str | None = None,
        prefix: str | None = None,
    ) -> FileListResponse | FileContentResponse:
        """The workspace listing, or with ``path`` one file's content (base64)."""
        return await self._exec.call(ep.list_files(agent_id, path=path, prefix=prefix))

    async def put_file(
        self,
        agent_id: str,
        path: str,
        *,
        content_base64: str | None = None,
        content: str | bytes | None = None,
        content_type: str | None = None,
    ) -> PutFileResponse:
        return await self._exec.call(
            ep.put_file(
                agent_id,
                path,
                content_base64=content_base64,
                content=content,
                content_type=content_type,
            )
        )

    async def upload_files(
        self, agent_id: str, files: Sequence[Mapping[str, Any] | BaseModel]
    ) -> UploadFilesResponse:
        return await self._exec.call(ep.upload_files(agent_id, files))
