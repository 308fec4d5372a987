"""Agents and their workspace files (contract A5, A7; B1, B2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, with_config
from typing_extensions import TypedDict

from evalkit.api._base import OpenWireModel, WireModel
from evalkit.api.query import QUERY_CONFIG, PageParams, QueryShape

SourceIntegrity = Literal["healthy", "source_missing", "unregistered"]


@with_config(QUERY_CONFIG)
class AgentFilters(TypedDict, total=False):
    """The query of ``GET /agents`` (A5) but the page: what ``iter_list`` takes."""

    search: str | None


@with_config(QUERY_CONFIG)
class AgentListParams(AgentFilters, PageParams, total=False):
    """Every query parameter of ``GET /agents``."""


AGENT_LIST_QUERY = QueryShape(AgentListParams, label="agent list parameter")


class AgentStats(WireModel):
    example_count: int | None = None
    total_executions: int | None = None
    last_execution_at: str | None = None
    avg_duration_ms: float | None = None
    avg_credits: float | None = None


class AgentDataset(WireModel):
    """``include=dataset`` (B2): example names derived from the ``examples/`` layout."""

    examples: list[str] = Field(default_factory=list)
    total: int = 0


class AgentSummary(OpenWireModel):
    id: str
    slug: str
    name: str
    created_at: str
    description: str | None = None
    updated_at: str | None = None
    source_integrity: SourceIntegrity | None = None
    latest_version: str | None = None
    latest_commit: str | None = None
    config: dict[str, Any] | None = None
    stats: AgentStats | None = None
    # Present only when asked for with ``include`` (B2).
    files: list[str] | None = None
    dataset: AgentDataset | None = None


class AgentEnvelope(WireModel):
    """``{agent: AgentSummary}``: the answer of get, create and update."""

    agent: AgentSummary


class ListAgentsResponse(WireModel):
    data: list[AgentSummary]
    total: int
    limit: int
    offset: int


class CreateAgentBody(WireModel):
    name: str
    slug: str
    description: str | None = None
    config: dict[str, Any] | None = None


class UpdateAgentBody(WireModel):
    name: str | None = None
    description: str | None = None
    config: dict[str, Any] | None = None


class AgentFileBody(WireModel):
    """Body of ``PUT /agents/{id}/files?path=``: text ``content`` or ``contentBase64``."""

    content: str | None = None
    content_base64: str | None = None
    content_type: str | None = None


class AgentFileItem(AgentFileBody):
    path: str


class AgentFilesBody(WireModel):
    files: list[AgentFileItem]


class FileListResponse(WireModel):
    files: list[str]


class FileContentResponse(WireModel):
    path: str
    content_base64: str
    content_type: str | None = None


class PutFileResponse(WireModel):
    ok: bool
    path: str


class UploadFilesResponse(WireModel):
    ok: bool
    files: list[str]
