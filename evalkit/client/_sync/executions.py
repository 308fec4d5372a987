# generated from _async/executions.py by scripts/unasync.py; do not edit
"""``client.agents.executions``: executions, their feedback and expected artifacts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from evalkit.api import (
    AgentExecutionFeedbackDetail,
    AgentExecutionSummary,
    ExecutionEnvelope,
    ExecutionFilters,
    ExecutionListParams,
    ExpectedArtifacts,
    ExpectedNameResponse,
    Include,
    ListAgentExecutionsResponse,
    RerunResponse,
)
from evalkit.client._signature import keyword_params
from evalkit.client._sync.polling import poll_until
from evalkit.client._sync_executor import SyncExecutor
from evalkit.client.endpoints import executions as ep
from evalkit.client.endpoints.executions import UNSET
from evalkit.client.pagination import DEFAULT_PAGE_SIZE, iter_items
from evalkit.client.wait import DEFAULT_WAIT_SECONDS, Deadline, is_terminal

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack


class AgentExecutionsResource:
    """Agent execution operations: list, get, cancel, rerun, wait, feedback, expected files."""

    def __init__(self, executor: SyncExecutor) -> None:
        self._exec = executor

    @keyword_params(ExecutionListParams)
    def list(
        self, agent_id: str, **params: Unpack[ExecutionListParams]
    ) -> ListAgentExecutionsResponse:
        """One page of the agent's executions; the filters and their rules are declared in
        ``evalkit.api.ExecutionListParams``."""
        return self._exec.call(ep.list_executions(agent_id, **params))

    @keyword_params(ExecutionFilters)
    def iter_list(
        self,
        agent_id: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        **filters: Unpack[ExecutionFilters],
    ) -> Iterator[AgentExecutionSummary]:
        """Every execution matching ``filters`` (the same as ``list``), page after page."""

        def fetch(limit: int, offset: int) -> tuple[Sequence[AgentExecutionSummary], int]:
            page = self._exec.call(
                ep.list_executions(agent_id, **filters, limit=limit, offset=offset)
            )
            return page.executions, page.total

        return iter_items(fetch, page_size=page_size)

    def get(self, execution_id: str, *, include: Include = None) -> ExecutionEnvelope:
        return self._exec.call(ep.get_execution(execution_id, include=include))

    def wait(
        self,
        execution_id: str,
        *,
        timeout_seconds: float = DEFAULT_WAIT_SECONDS,
        include: Include = None,
    ) -> AgentExecutionSummary:
        """Poll until the execution ends (0.25 s, growing to 2 s between polls) and return
        it; ``EigenpalTimeoutError`` naming the execution past ``timeout_seconds``."""
        deadline = Deadline.after(timeout_seconds, self._exec.clock)
        return self._wait_until(
            execution_id, deadline, timeout_seconds=timeout_seconds, include=include
        )

    def _wait_until(
        self, execution_id: str, deadline: Deadline, *, timeout_seconds: float, include: Include
    ) -> AgentExecutionSummary:
        def fetch() -> AgentExecutionSummary:
            envelope = self.get(execution_id, include=include)
            return envelope.execution

        return poll_until(
            fetch,
            lambda execution: is_terminal(execution.status),
            deadline=deadline,
            sleep=self._exec.sleep,
            execution_id=execution_id,
            timeout_seconds=timeout_seconds,
        )

    def cancel(self, execution_id: str) -> ExecutionEnvelope:
        return self._exec.call(ep.cancel_execution(execution_id))

    def rerun(self, execution_id: str) -> RerunResponse:
        return self._exec.call(ep.rerun_execution(execution_id))

    def get_feedback(self, execution_id: str) -> AgentExecutionFeedbackDetail:
        return self._exec.call(ep.get_feedback(execution_id))

    def update_feedback(
        self,
        execution_id: str,
        *,
        body: str | None = None,
        feedback: str | None = None,
        rating: str | None = None,
        feedback_rating: str | None = None,
        status: str | None = None,
        feedback_status: str | None = None,
        expected: Any = UNSET,
    ) -> AgentExecutionFeedbackDetail:
        """Only the given fields change; ``expected=None`` clears the expected JSON."""
        return self._exec.call(
            ep.update_feedback(
                execution_id,
                body=body,
                feedback=feedback,
                rating=rating,
                feedback_rating=feedback_rating,
                status=status,
                feedback_status=feedback_status,
                expected=expected,
            )
        )

    def clear_feedback(self, execution_id: str) -> AgentExecutionFeedbackDetail:
        """Clear the feedback, the expected JSON and the expected files."""
        return self._exec.call(ep.clear_feedback(execution_id))

    def list_expected(self, execution_id: str) -> ExpectedArtifacts:
        return self._exec.call(ep.list_expected(execution_id))

    def copy_output_to_expected(
        self,
        execution_id: str,
        *,
        output_file_name: str,
        expected_name: str | None = None,
    ) -> ExpectedNameResponse:
        return self._exec.call(
            ep.copy_output_to_expected(
                execution_id, output_file_name=output_file_name, expected_name=expected_name
            )
        )

    def upload_expected(
        self,
        execution_id: str,
        *,
        file: bytes | IO[bytes] | Path,
        filename: str,
        name: str | None = None,
    ) -> ExpectedNameResponse:
        """Upload an expected file: bytes, a binary handle, or a ``Path`` (streamed)."""
        return self._exec.call(
            ep.upload_expected(execution_id, file=file, filename=filename, name=name)
        )

    @overload
    def download_expected(self, execution_id: str, filename: str, *, to: None = None) -> bytes: ...
    @overload
    def download_expected(self, execution_id: str, filename: str, *, to: Path) -> Path: ...
    def download_expected(
        self, execution_id: str, filename: str, *, to: Path | None = None
    ) -> bytes | Path:
        """The file's bytes, or with ``to=`` streamed into that file (atomically)."""
        return self._exec.download(ep.download_expected(execution_id, filename), to)

    def rename_expected(
        self, execution_id: str, filename: str, *, name: str
    ) -> ExpectedNameResponse:
        return self._exec.call(ep.rename_expected(execution_id, filename, name=name))

    def delete_expected(self, execution_id: str, filename: str) -> None:
        self._exec.call(ep.delete_expected(execution_id, filename))

    @overload
    def download_file(
        self, execution_id: str, kind: str, filename: str, *, to: None = None
    ) -> bytes: ...
    @overload
    def download_file(self, execution_id: str, kind: str, filename: str, *, to: Path) -> Path: ...
    def download_file(
        self, execution_id: str, kind: str, filename: str, *, to: Path | None = None
    ) -> bytes | Path:
        """An execution file of ``kind`` input, output, issues or trace; ``to=`` as above."""
        return self._exec.download(ep.download_file(execution_id, kind, filename), to)
