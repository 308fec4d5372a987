"""The official SDK (eigenpal==0.5.12) drives the workflow routes and parses every answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from eigenpal import EigenpalClient
from eigenpal.errors import EigenpalNotFoundError, EigenpalValidationError

from .conftest import Platform, PlatformFactory, write


@pytest.fixture
def sdk_platform(platform: PlatformFactory, definitions: Path) -> tuple[EigenpalClient, Platform]:
    write(
        definitions,
        "files.yaml",
        """
        steps:
          - id: extract
            agent: echo
          - id: wrap
            builtin: fixed
            output: {got: "${steps.extract.output}"}
        """,
    )
    write(definitions, "files@v1.yaml", "steps: [{id: only, builtin: echo}]\n")
    write(definitions, "slow.yaml", "steps: [{id: a, agent: blocking}]\n")
    p = platform()
    sdk = EigenpalClient(api_key="eg_test_key", base_url="http://testserver")
    # The SDK's documented transport hook: its generated client accepts any httpx.Client.
    sdk._client.set_httpx_client(p.client)
    return sdk, p


def test_sdk_lists_gets_and_reads_versions(sdk_platform: tuple[EigenpalClient, Platform]) -> None:
    sdk, _ = sdk_platform
    listing = sdk.workflows.list(limit=10)
    assert listing.total == 2
    assert [w.name for w in listing.data] == ["files", "slow"]
    detail = sdk.workflows.get("files")
    assert detail.id.startswith("wf_")
    assert "steps:" in str(detail.yaml_content)
    versions = sdk.workflows.versions(detail.id)
    assert [v.version for v in versions.data] == ["current", "v1"]
    assert versions.data[0].is_current is True


def test_sdk_runs_with_a_file_and_reads_steps(
    sdk_platform: tuple[EigenpalClient, Platform],
) -> None:
    sdk, p = sdk_platform
    started = sdk.workflows.run(
        "files",
        {"n": 1, "doc": {"content": b"hello", "filename": "note.txt"}},
        wait_for_completion=30,
    )
    assert str(started.status.value) == "completed"  # type: ignore[union-attr]
    assert started.result == {
        "got": {"input": {"n": 1}, "files": {"doc": ["note.txt", "hello", "text/plain"]}}
    }
    status = sdk.workflows.executions.get(started.execution_id, include_steps=True)
    assert status.result == started.result
    assert status.completed_at
    # The SDK keeps only the base fields of this answer; the step payload is read raw.
    raw = p.client.get(f"/api/v1/workflows/executions/{started.execution_id}?includeSteps=true")
    assert [s["id"] for s in raw.json()["steps"]] == ["extract", "wrap"]
    listing = sdk.workflows.executions.list("files", status="completed,failed")
    assert listing.total == 1
    assert listing.data[0].id == started.execution_id
    old = sdk.workflows.run("files", {"x": 2}, version="v1", wait_for_completion=30)
    assert old.result == {"x": 2}
    assert p.invoker.calls[0].files[0].content == b"hello"


def test_sdk_run_and_wait_and_cancel(sdk_platform: tuple[EigenpalClient, Platform]) -> None:
    sdk, p = sdk_platform
    done = sdk.workflows.executions.run_and_wait("files", {"k": "v"}, poll_interval_seconds=0.02)
    assert done["status"] == "completed"
    started = sdk.workflows.run("slow", {})
    assert p.invoker.entered.wait(30)
    cancel = sdk.workflows.executions.cancel(started.execution_id)
    assert cancel.status.value == "cancellation-requested"
    assert cancel.was_status.value == "running"


def test_sdk_sees_typed_errors(sdk_platform: tuple[EigenpalClient, Platform]) -> None:
    sdk, _ = sdk_platform
    with pytest.raises(EigenpalNotFoundError):
        sdk.workflows.get("missing")
    with pytest.raises(EigenpalValidationError) as caught:
        sdk.workflows.run("files", {}, wait_for_completion=61)
    assert "wait_for_completion" in str(caught.value)
