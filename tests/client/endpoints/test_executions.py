"""Every ``agents.executions.*`` call on the wire (sync and async), and the filter table."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from evalkit.api import (
    EXECUTION_LIST_QUERY,
    AgentExecutionFeedbackDetail,
    ExecutionEnvelope,
    ExpectedArtifacts,
    ExpectedNameResponse,
    FeedbackStatus,
    ListAgentExecutionsResponse,
    RerunResponse,
    wire_name,
)
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client.endpoints import executions as ep
from evalkit.client.retry import RetryPolicy

from ..cases import Call, run_async, run_sync
from ..conftest import EXECUTION, FakeApi

DETAIL = {"feedback": None, "expected": {"total": 3}, "expectedFiles": [{"name": "out.csv"}]}
BASE = "/api/v1/agents/executions/exec_1"

CALLS = [
    Call(
        "agents.executions.list",
        args=("invoices",),
        kwargs={
            "status": "completed",
            "has_feedback": True,
            "no_feedback": False,
            "include": ["feedback", "expected"],
            "sort": "createdAt",
            "order": "asc",
            "scan_limit": 500,
            "limit": 5,
            "offset": 10,
        },
        path="/api/v1/agents/invoices/executions",
        params={
            "status": "completed",
            "hasFeedback": "true",
            "noFeedback": "false",
            "include": "feedback,expected",
            "sort": "createdAt",
            "order": "asc",
            "scanLimit": "500",
            "limit": "5",
            "offset": "10",
        },
        answer={"executions": [EXECUTION], "total": 11, "limit": 5, "offset": 10},
        result_type=ListAgentExecutionsResponse,
    ),
    Call(
        "agents.executions.get",
        args=("exec_1",),
        kwargs={"include": "files"},
        path=BASE,
        params={"include": "files"},
        answer={"execution": EXECUTION},
        result_type=ExecutionEnvelope,
    ),
    Call(
        "agents.executions.cancel",
        args=("exec_1",),
        method="POST",
        path=BASE + "/cancel",
        answer={"execution": {**EXECUTION, "status": "cancelled"}},
        result_type=ExecutionEnvelope,
    ),
    Call(
        "agents.executions.rerun",
        args=("exec_1",),
        method="POST",
        path=BASE + "/rerun",
        status=202,
        answer={"executionId": "exec_2", "sourceExecutionId": "exec_1", "status": "pending"},
        result_type=RerunResponse,
    ),
    Call(
        "agents.executions.get_feedback",
        args=("exec_1",),
        path=BASE + "/feedback",
        answer=DETAIL,
        result_type=AgentExecutionFeedbackDetail,
    ),
    Call(
        "agents.executions.update_feedback",
        args=("exec_1",),
        kwargs={"body": "looks right", "rating": "pass", "expected": None},
        method="PATCH",
        path=BASE + "/feedback",
        body={"body": "looks right", "rating": "pass", "expected": None},
        answer=DETAIL,
        result_type=AgentExecutionFeedbackDetail,
    ),
    Call(
        "agents.executions.update_feedback",
        args=("exec_1",),
        kwargs={"feedback_status": FeedbackStatus.RESOLVED, "feedback_rating": "fail"},
        method="PATCH",
        path=BASE + "/feedback",
        body={"feedbackStatus": "resolved", "feedbackRating": "fail"},
        answer=DETAIL,
        result_type=AgentExecutionFeedbackDetail,
    ),
    Call(
        "agents.executions.clear_feedback",
        args=("exec_1",),
        method="DELETE",
        path=BASE + "/feedback",
        answer={"feedback": None, "expected": None, "expectedFiles": []},
        result_type=AgentExecutionFeedbackDetail,
    ),
    Call(
        "agents.executions.list_expected",
        args=("exec_1",),
        path=BASE + "/expected",
        answer={"expected": None, "files": [{"name": "a.csv"}]},
        result_type=ExpectedArtifacts,
    ),
    Call(
        "agents.executions.copy_output_to_expected",
        args=("exec_1",),
        kwargs={"output_file_name": "out.csv", "expected_name": "gold.csv"},
        method="POST",
        path=BASE + "/expected",
        body={"outputFileName": "out.csv", "expectedName": "gold.csv"},
        status=201,
        answer={"name": "gold.csv"},
        result_type=ExpectedNameResponse,
    ),
    Call(
        "agents.executions.download_expected",
        args=("exec_1", "dir/gold.csv"),
        path=BASE + "/expected/dir%2Fgold.csv",
        answer_bytes=b"a,b\n1,2\n",
    ),
    Call(
        "agents.executions.rename_expected",
        args=("exec_1", "gold.csv"),
        kwargs={"name": "silver.csv"},
        method="PATCH",
        path=BASE + "/expected/gold.csv",
        body={"name": "silver.csv"},
        answer={"name": "silver.csv"},
        result_type=ExpectedNameResponse,
    ),
    Call(
        "agents.executions.delete_expected",
        args=("exec_1", "gold.csv"),
        method="DELETE",
        path=BASE + "/expected/gold.csv",
        status=204,
    ),
    Call(
        "agents.executions.download_file",
        args=("exec_1", "output", "report #1.json"),
        path=BASE + "/files/output/report%20%231.json",
        answer_bytes=b'{"x": 1}',
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


def test_every_list_filter_has_its_exact_wire_name(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(httpx.Response(200, json={"executions": [], "total": 0, "limit": 1, "offset": 0}))
    values: dict[str, Any] = {name: f"v-{name}" for name in EXECUTION_LIST_QUERY.names}
    client.agents.executions.list("a", **values)
    expected = {wire_name(name): f"v-{name}" for name in EXECUTION_LIST_QUERY.names}
    assert api.params() == expected
    contract_names = [
        "status",
        "batchId",
        "exampleName",
        "exampleNameContains",
        "createdAfter",
        "createdBefore",
        "completedAfter",
        "completedBefore",
        "feedbackStatus",
        "feedbackRating",
        "hasFeedback",
        "noFeedback",
        "hasExpected",
        "hasExpectedJson",
        "hasExpectedFiles",
        "feedbackBodyContains",
        "feedbackCreatedAfter",
        "feedbackCreatedBefore",
        "feedbackUpdatedAfter",
        "feedbackUpdatedBefore",
        "feedbackResolvedAfter",
        "feedbackResolvedBefore",
        "promotedToExample",
        "promotedExampleName",
        "sinceLastResolved",
        "include",
        "sort",
        "order",
        "scanLimit",
        "limit",
        "offset",
    ]
    assert sorted(api.params()) == sorted(contract_names)


def test_unknown_filter_is_refused() -> None:
    with pytest.raises(TypeError, match="unknown execution filter"):
        ep.list_executions("a", batchId="x")  # type: ignore[call-arg]


def test_update_feedback_sends_only_what_was_given() -> None:
    assert ep.update_feedback("e").json == {}
    assert ep.update_feedback("e", body="").json == {"body": ""}


def test_upload_expected_is_multipart_name_then_file(
    client: EigenpalClient, api: FakeApi, tmp_path: Path
) -> None:
    api.queue(httpx.Response(201, json={"name": "gold/out.csv"}))
    source = tmp_path / "out.csv"
    source.write_bytes(b"a,b\n")
    answer = client.agents.executions.upload_expected(
        "exec_1", file=source, filename="out.csv", name="gold/out.csv"
    )
    assert answer == ExpectedNameResponse(name="gold/out.csv")
    request = api.last
    assert request.url.path == BASE + "/expected"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert body.index(b'name="name"') < body.index(b'name="file"; filename="out.csv"')
    assert b"Content-Type: text/csv\r\n\r\na,b\n" in body
    assert b"gold/out.csv" in body


@pytest.mark.parametrize("file", [b"raw", io.BytesIO(b"raw")], ids=["bytes", "handle"])
def test_upload_expected_takes_bytes_or_a_handle(
    client: EigenpalClient, api: FakeApi, file: bytes | io.BytesIO
) -> None:
    api.queue(httpx.Response(201, json={"name": "x.bin"}))
    client.agents.executions.upload_expected("exec_1", file=file, filename="x.bin")
    body = api.last.content
    assert b'name="file"; filename="x.bin"' in body
    assert b"\r\n\r\nraw\r\n" in body
    assert b'name="name"' not in body


def test_retry_policies() -> None:
    assert ep.cancel_execution("e").retry is RetryPolicy.SAFE
    assert ep.rerun_execution("e").retry is RetryPolicy.STARTS_WORK
    assert ep.copy_output_to_expected("e", output_file_name="o").retry is RetryPolicy.STARTS_WORK
    assert ep.upload_expected("e", file=b"", filename="f").retry is RetryPolicy.STARTS_WORK
    # Stored under a name the caller chose: a repeat replaces the same artifact, so any
    # failure (a 500, a dropped answer) may be retried; uploads were lost under faults.
    named_copy = ep.copy_output_to_expected("e", output_file_name="o", expected_name="o")
    assert named_copy.retry is RetryPolicy.SAFE
    assert ep.upload_expected("e", file=b"", filename="f", name="f").retry is RetryPolicy.SAFE
    assert ep.delete_expected("e", "f").retry is RetryPolicy.SAFE


def test_unset_is_not_none() -> None:
    assert repr(ep.UNSET) == "UNSET"
    assert ep.UNSET is not None
