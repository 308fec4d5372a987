"""The few client calls the sync engine uses (``EigenpalClient`` satisfies this protocol)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from evalkit.api import (
    AgentEnvelope,
    FileContentResponse,
    FileListResponse,
    ListAgentsResponse,
    PutFileResponse,
    UploadFilesResponse,
)


class AgentCalls(Protocol):
    def list(
        self, *, search: str | None = None, limit: int | None = None, offset: int | None = None
    ) -> ListAgentsResponse: ...

    def get(
        self, agent_id: str, *, include: str | Sequence[str] | None = None
    ) -> AgentEnvelope: ...

    def create(
        self,
        *,
        name: str,
        slug: str,
        description: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> AgentEnvelope: ...

    def update(
        self,
        agent_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> AgentEnvelope: ...

    def list_files(
        self, agent_id: str, *, path: str | None = None, prefix: str | None = None
    ) -> FileListResponse | FileContentResponse: ...

    def put_file(
        self,
        agent_id: str,
        path: str,
        *,
        content_base64: str | None = None,
        content: str | bytes | None = None,
        content_type: str | None = None,
    ) -> PutFileResponse: ...

    def upload_files(
        self, agent_id: str, files: Sequence[Mapping[str, Any]]
    ) -> UploadFilesResponse: ...


class SyncCalls(Protocol):
    @property
    def agents(self) -> AgentCalls: ...
