"""``client.workflows``: workflows, versions, runs and workflow executions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from evalkit.api import (
    CancelWorkflowExecutionResponse,
    ListVersionsResponse,
    ListWorkflowExecutionsResponse,
    ListWorkflowsResponse,
    PageParams,
    RunWorkflowResponse,
    WorkflowDetail,
    WorkflowExecutionFilters,
    WorkflowExecutionListParams,
    WorkflowExecutionStatusResponse,
    WorkflowExecutionSummary,
    WorkflowFilters,
    WorkflowListParams,
    WorkflowSummary,
    WorkflowVersion,
)
from evalkit.client._async.polling import apoll_until
from evalkit.client._async_executor import AsyncExecutor
from evalkit.client._signature import keyword_params
from evalkit.client.endpoints import workflows as ep
from evalkit.client.pagination import DEFAULT_PAGE_SIZE, aiter_items
from evalkit.client.wait import (
    DEFAULT_HOLD_SECONDS,
    MAX_POLL_SECONDS,
    Deadline,
    hold_seconds_for,
    is_terminal,
)

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack

#: the SDK's ``run_and_wait`` defaults
DEFAULT_POLL_INTERVAL_SECONDS = MAX_POLL_SECONDS
DEFAULT_RUN_AND_WAIT_TIMEOUT_SECONDS = 300.0


class WorkflowsResource:
    """Workflow operations: list, get, run, versions, executions."""

    def __init__(self, executor: AsyncExecutor) -> None:
        self._exec = executor
        self.executions = WorkflowExecutionsResource(executor)

    async def run(
        self,
        workflow_id: str,
        input: dict[str, Any] | None = None,
        *,
        version: str | None = None,
        wait_for_completion: int | None = None,
        overrides: dict[str, Any] | None = None,
        trigger: str | None = None,
    ) -> RunWorkflowResponse:
        return await self._exec.call(
            ep.run_workflow(
                workflow_id,
                input,
                version=version,
                wait_for_completion=wait_for_completion,
                overrides=overrides,
                trigger=trigger,
            )
        )

    @keyword_params(WorkflowListParams)
    async def list(self, **params: Unpack[WorkflowListParams]) -> ListWorkflowsResponse:
        return await self._exec.call(ep.list_workflows(**params))

    @keyword_params(WorkflowFilters)
    def iter_list(
        self, *, page_size: int = DEFAULT_PAGE_SIZE, **filters: Unpack[WorkflowFilters]
    ) -> AsyncIterator[WorkflowSummary]:
        """Every workflow, page after page."""

        async def fetch(limit: int, offset: int) -> tuple[Sequence[WorkflowSummary], int]:
            page = await self.list(**filters, limit=limit, offset=offset)
            return page.data, page.total

        return aiter_items(fetch, page_size=page_size)

    async def get(self, workflow_id: str) -> WorkflowDetail:
        """One workflow, with the current version's YAML."""
        return await self._exec.call(ep.get_workflow(workflow_id))

    @keyword_params(PageParams)
    async def versions(
        self, workflow_id: str, **params: Unpack[PageParams]
    ) -> ListVersionsResponse:
        return await self._exec.call(ep.list_versions(workflow_id, **params))

    def iter_versions(
        self, workflow_id: str, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[WorkflowVersion]:
        """Every version, newest first."""

        async def fetch(limit: int, offset: int) -> tuple[Sequence[WorkflowVersion], int]:
            page = await self.versions(workflow_id, limit=limit, offset=offset)
            return page.data, page.total

        return aiter_items(fetch, page_size=page_size)


class WorkflowExecutionsResource:
    """Workflow execution operations: list, get, cancel, run_and_wait."""

    def __init__(self, executor: AsyncExecutor) -> None:
        self._exec = executor

    async def get(
        self, execution_id: str, *, include_steps: bool = False
    ) -> WorkflowExecutionStatusResponse:
        return await self._exec.call(
            ep.get_workflow_execution(execution_id, include_steps=include_steps)
        )

    @keyword_params(WorkflowExecutionListParams)
    async def list(
        self, workflow_id: str, **params: Unpack[WorkflowExecutionListParams]
    ) -> ListWorkflowExecutionsResponse:
        return await self._exec.call(ep.list_workflow_executions(workflow_id, **params))

    @keyword_params(WorkflowExecutionFilters)
    def iter_list(
        self,
        workflow_id: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        **filters: Unpack[WorkflowExecutionFilters],
    ) -> AsyncIterator[WorkflowExecutionSummary]:
        async def fetch(limit: int, offset: int) -> tuple[Sequence[WorkflowExecutionSummary], int]:
            page = await self.list(workflow_id, **filters, limit=limit, offset=offset)
            return page.data, page.total

        return aiter_items(fetch, page_size=page_size)

    async def cancel(self, execution_id: str) -> CancelWorkflowExecutionResponse:
        return await self._exec.call(ep.cancel_workflow_execution(execution_id))

    async def run_and_wait(
        self,
        workflow_id: str,
        input: dict[str, Any] | None = None,
        *,
        version: str | None = None,
        poll_interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS,
        timeout_seconds: float = DEFAULT_RUN_AND_WAIT_TIMEOUT_SECONDS,
        overrides: dict[str, Any] | None = None,
        hold_seconds: int = DEFAULT_HOLD_SECONDS,
    ) -> dict[str, Any]:
        """Run, let the server hold the answer (at most 60 s), then poll, the pause growing
        from 0.25 s up to ``poll_interval_seconds``. Returns the SDK's dict
        ``{executionId, status, result, error}``; ``EigenpalTimeoutError`` at the deadline."""
        deadline = Deadline.after(timeout_seconds, self._exec.clock)
        hold = hold_seconds_for(
            hold_seconds, remaining=deadline.remaining(), max_hold=ep.MAX_WORKFLOW_HOLD_SECONDS
        )
        started = await self._exec.call(
            ep.run_workflow(
                workflow_id,
                input,
                version=version,
                wait_for_completion=hold or None,
                overrides=overrides,
            )
        )
        if is_terminal(started.status):
            return _outcome(started.execution_id, started.status, started.result, started.error)

        async def fetch() -> WorkflowExecutionStatusResponse:
            return await self.get(started.execution_id)

        final = await apoll_until(
            fetch,
            lambda state: is_terminal(state.status),
            deadline=deadline,
            sleep=self._exec.sleep,
            execution_id=started.execution_id,
            timeout_seconds=timeout_seconds,
            cap=poll_interval_seconds,
        )
        return _outcome(final.execution_id, final.status, final.result, final.error)


def _outcome(execution_id: str, status: Any, result: Any, error: str | None) -> dict[str, Any]:
    """The SDK's ``run_and_wait`` answer."""
    value = status.value if hasattr(status, "value") else str(status)
    return {"executionId": execution_id, "status": value, "result": result, "error": error}
