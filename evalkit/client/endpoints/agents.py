"""Agents and their workspace files (contract A5)."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from evalkit.api import (
    AGENT_LIST_QUERY,
    AgentEnvelope,
    AgentListParams,
    FileContentResponse,
    FileListResponse,
    Include,
    ListAgentsResponse,
    PutFileResponse,
    RunAgentResponse,
    UploadFilesResponse,
)
from evalkit.client._files import has_file_input, split_input
from evalkit.client._request import (
    ApiRequest,
    Multipart,
    api_path,
    drop_none,
    json_body,
    model,
    query,
)
from evalkit.client.retry import RetryPolicy

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Unpack

#: the most the server holds an agent run open (``wait_for_completion``)
MAX_AGENT_HOLD_SECONDS = 600


def list_agents(**params: Unpack[AgentListParams]) -> ApiRequest[ListAgentsResponse]:
    return ApiRequest(
        "GET", api_path("agents"), model(ListAgentsResponse), params=AGENT_LIST_QUERY.render(params)
    )


def get_agent(agent_id: str, *, include: Include = None) -> ApiRequest[AgentEnvelope]:
    return ApiRequest(
        "GET", api_path("agents", agent_id), model(AgentEnvelope), params=query(include=include)
    )


def create_agent(
    *,
    name: str,
    slug: str,
    description: str | None = None,
    config: dict[str, Any] | None = None,
) -> ApiRequest[AgentEnvelope]:
    body = {"name": name, "slug": slug, **drop_none(description=description, config=config)}
    return ApiRequest(
        "POST",
        api_path("agents"),
        model(AgentEnvelope),
        retry=RetryPolicy.STARTS_WORK,
        **json_body(body),
    )


def update_agent(
    agent_id: str,
    *,
    name: str | None = None,
    description: str | None = None,
    config: dict[str, Any] | None = None,
) -> ApiRequest[AgentEnvelope]:
    body = drop_none(name=name, description=description, config=config)
    return ApiRequest(
        "PATCH", api_path("agents", agent_id), model(AgentEnvelope), **json_body(body)
    )


def run_agent(
    agent_id: str,
    input: Mapping[str, Any] | None = None,
    *,
    wait_for_completion: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> ApiRequest[RunAgentResponse]:
    """JSON ``{input?, _metadata?}``; with a file input, multipart: text field ``_json`` (the
    scalar inputs themselves), text field ``_metadata`` (JSON), then one field per file."""
    common: dict[str, Any] = {
        "params": query(wait_for_completion=wait_for_completion),
        "retry": RetryPolicy.STARTS_WORK,
        "hold_seconds": float(wait_for_completion or 0),
    }
    path = api_path("agents", agent_id, "run")
    if input is not None and has_file_input(input):
        scalars, files = split_input(input)
        fields = [("_json", json.dumps(scalars))] if scalars else []
        if metadata is not None:
            fields.append(("_metadata", json.dumps(dict(metadata))))
        multipart = Multipart(fields=fields, files=files)
        return ApiRequest("POST", path, model(RunAgentResponse), multipart=multipart, **common)
    body = drop_none(input=dict(input) if input is not None else None)
    if metadata is not None:
        body["_metadata"] = dict(metadata)
    return ApiRequest("POST", path, model(RunAgentResponse), **json_body(body), **common)


def list_files(
    agent_id: str, *, path: str | None = None, prefix: str | None = None
) -> ApiRequest[FileListResponse | FileContentResponse]:
    """Without ``path``: the workspace listing. With ``path``: that file's content."""
    answer: type[FileListResponse] | type[FileContentResponse] = (
        FileListResponse if path is None else FileContentResponse
    )
    return ApiRequest(
        "GET",
        api_path("agents", agent_id, "files"),
        answer.model_validate,
        params=query(path=path, prefix=prefix),
    )


def put_file(
    agent_id: str,
    path: str,
    *,
    content_base64: str | None = None,
    content: str | bytes | None = None,
    content_type: str | None = None,
) -> ApiRequest[PutFileResponse]:
    """One workspace file: give ``content_base64``, or ``content`` (text as is, bytes
    base64-encoded for you)."""
    if (content_base64 is None) == (content is None):
        raise ValueError("put_file needs exactly one of content_base64= or content=")
    if isinstance(content, bytes):
        content_base64, content = base64.b64encode(content).decode("ascii"), None
    body = drop_none(content=content, contentBase64=content_base64, contentType=content_type)
    return ApiRequest(
        "PUT",
        api_path("agents", agent_id, "files"),
        model(PutFileResponse),
        params=query(path=path),
        **json_body(body),
    )


def upload_files(
    agent_id: str, files: Sequence[Mapping[str, Any] | BaseModel]
) -> ApiRequest[UploadFilesResponse]:
    """Many workspace files at once; each item ``{path, content? | contentBase64?,
    contentType?}`` as a dict (sent as given) or an ``AgentFileItem``."""
    items = [_file_item(item) for item in files]
    return ApiRequest(
        "POST",
        api_path("agents", agent_id, "files"),
        model(UploadFilesResponse),
        retry=RetryPolicy.STARTS_WORK,
        **json_body({"files": items}),
    )


def _file_item(item: Mapping[str, Any] | BaseModel) -> dict[str, Any]:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dict(item)
