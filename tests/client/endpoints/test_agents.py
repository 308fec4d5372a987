"""Every ``agents.*`` call on the wire (sync and async) and the pure builders' rules."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from evalkit.api import (
    AgentEnvelope,
    AgentFileItem,
    FileContentResponse,
    FileListResponse,
    ListAgentsResponse,
    PutFileResponse,
    RunAgentResponse,
    UploadFilesResponse,
)
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client.endpoints import agents as ep
from evalkit.client.retry import RetryPolicy

from ..cases import Call, run_async, run_sync
from ..conftest import AGENT, FakeApi

CALLS = [
    Call(
        "agents.list",
        kwargs={"search": "inv", "limit": 10, "offset": 20},
        path="/api/v1/agents",
        params={"search": "inv", "limit": "10", "offset": "20"},
        answer={"data": [AGENT], "total": 21, "limit": 10, "offset": 20},
        result_type=ListAgentsResponse,
    ),
    Call(
        "agents.list",
        path="/api/v1/agents",
        answer={"data": [], "total": 0, "limit": 50, "offset": 0},
        result_type=ListAgentsResponse,
    ),
    Call(
        "agents.get",
        args=("team/invoices",),
        kwargs={"include": ["files", "dataset"]},
        path="/api/v1/agents/team%2Finvoices",
        params={"include": "files,dataset"},
        answer={"agent": {**AGENT, "files": ["AGENT.md"]}},
        result_type=AgentEnvelope,
    ),
    Call(
        "agents.create",
        kwargs={"name": "Invoices", "slug": "invoices", "config": {"a": 1}},
        method="POST",
        path="/api/v1/agents",
        body={"name": "Invoices", "slug": "invoices", "config": {"a": 1}},
        status=201,
        answer={"agent": AGENT},
        result_type=AgentEnvelope,
    ),
    Call(
        "agents.update",
        args=("invoices",),
        kwargs={"description": "new"},
        method="PATCH",
        path="/api/v1/agents/invoices",
        body={"description": "new"},
        answer={"agent": {**AGENT, "description": "new"}},
        result_type=AgentEnvelope,
    ),
    Call(
        "agents.run",
        args=("invoices", {"vendor": "ACME"}),
        kwargs={"wait_for_completion": 5, "metadata": {"batchId": "b1"}},
        method="POST",
        path="/api/v1/agents/invoices/run",
        params={"wait_for_completion": "5"},
        body={"input": {"vendor": "ACME"}, "_metadata": {"batchId": "b1"}},
        status=202,
        answer={"executionId": "exec_1", "status": "completed", "output": {"total": 3}},
        result_type=RunAgentResponse,
    ),
    Call(
        "agents.run",
        args=("invoices",),
        method="POST",
        path="/api/v1/agents/invoices/run",
        body={},
        status=202,
        answer={"executionId": "exec_1"},
        result_type=RunAgentResponse,
    ),
    Call(
        "agents.list_files",
        args=("invoices",),
        kwargs={"prefix": "skills/"},
        path="/api/v1/agents/invoices/files",
        params={"prefix": "skills/"},
        answer={"files": ["skills/a.md"]},
        result_type=FileListResponse,
    ),
    Call(
        "agents.list_files",
        args=("invoices",),
        kwargs={"path": "AGENT.md"},
        path="/api/v1/agents/invoices/files",
        params={"path": "AGENT.md"},
        answer={"path": "AGENT.md", "contentBase64": "aGk=", "contentType": "text/markdown"},
        result_type=FileContentResponse,
    ),
    Call(
        "agents.put_file",
        args=("invoices", "AGENT.md"),
        kwargs={"content_base64": "aGk="},
        method="PUT",
        path="/api/v1/agents/invoices/files",
        params={"path": "AGENT.md"},
        body={"contentBase64": "aGk="},
        answer={"ok": True, "path": "AGENT.md"},
        result_type=PutFileResponse,
    ),
    Call(
        "agents.put_file",
        args=("invoices", "data/x.bin"),
        kwargs={"content": b"\x00\xff", "content_type": "application/x-thing"},
        method="PUT",
        path="/api/v1/agents/invoices/files",
        params={"path": "data/x.bin"},
        body={"contentBase64": "AP8=", "contentType": "application/x-thing"},
        answer={"ok": True, "path": "data/x.bin"},
        result_type=PutFileResponse,
    ),
    Call(
        "agents.put_file",
        args=("invoices", "AGENT.md"),
        kwargs={"content": "# Hi"},
        method="PUT",
        path="/api/v1/agents/invoices/files",
        params={"path": "AGENT.md"},
        body={"content": "# Hi"},
        answer={"ok": True, "path": "AGENT.md"},
        result_type=PutFileResponse,
    ),
    Call(
        "agents.upload_files",
        args=(
            "invoices",
            [{"path": "a.md", "content": "A"}, {"path": "b", "contentBase64": "Yg=="}],
        ),
        method="POST",
        path="/api/v1/agents/invoices/files",
        body={"files": [{"path": "a.md", "content": "A"}, {"path": "b", "contentBase64": "Yg=="}]},
        answer={"ok": True, "files": ["a.md", "b"]},
        result_type=UploadFilesResponse,
    ),
]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
def test_sync_call_on_the_wire(call: Call, client: EigenpalClient, api: FakeApi) -> None:
    run_sync(call, client, api)


@pytest.mark.anyio
@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.id)
async def test_async_call_on_the_wire(
    call: Call, aclient: AsyncEigenpalClient, api: FakeApi
) -> None:
    await run_async(call, aclient, api)


def test_run_with_a_file_is_multipart_with_json_metadata_and_file_fields(tmp_path: Path) -> None:
    doc = tmp_path / "invoice.pdf"
    doc.write_bytes(b"%PDF-1")
    request = ep.run_agent("invoices", {"doc": doc, "n": 2}, metadata={"batchId": "b"})
    assert request.multipart is not None
    assert request.multipart.fields == [("_json", '{"n": 2}'), ("_metadata", '{"batchId": "b"}')]
    [part] = request.multipart.files
    assert (part.field, part.filename, part.mime_type, part.path) == (
        "doc",
        "invoice.pdf",
        "application/pdf",
        doc,
    )


def test_run_with_only_files_leaves_json_out() -> None:
    request = ep.run_agent("a", {"doc": {"content": b"x", "filename": "x.txt"}})
    assert request.multipart is not None
    assert request.multipart.fields == []
    assert [p.field for p in request.multipart.files] == ["doc"]


def test_run_is_never_replayed_blindly_and_holds_the_read_timeout() -> None:
    request = ep.run_agent("a", {}, wait_for_completion=120)
    assert request.retry is RetryPolicy.STARTS_WORK
    assert request.hold_seconds == 120


def test_put_file_needs_exactly_one_content() -> None:
    with pytest.raises(ValueError, match="exactly one of content_base64= or content="):
        ep.put_file("a", "x", content="t", content_base64="dA==")
    with pytest.raises(ValueError, match="exactly one"):
        ep.put_file("a", "x")


def test_upload_files_accepts_models() -> None:
    item = AgentFileItem(path="a.bin", content_base64=base64.b64encode(b"a").decode())
    request = ep.upload_files("a", [item])
    assert request.json == {"files": [{"path": "a.bin", "contentBase64": "YQ=="}]}
    assert json.dumps(request.json)


def test_writes_that_create_things_do_not_retry_blindly() -> None:
    assert ep.create_agent(name="n", slug="s").retry is RetryPolicy.STARTS_WORK
    assert ep.upload_files("a", []).retry is RetryPolicy.STARTS_WORK
    assert ep.update_agent("a").retry is RetryPolicy.SAFE
    assert ep.put_file("a", "p", content="x").retry is RetryPolicy.SAFE
