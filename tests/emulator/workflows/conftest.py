"""A fake agent invoker (the unit boundary) and the workflow router mounted in a tiny app."""

from __future__ import annotations

import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.routes import workflows as routes
from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.workflows import AgentStepResult, WorkflowService

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its test client; plain httpx still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@dataclass
class AgentCall:
    agent: str
    input_json: dict[str, Any]
    files: list[InputFile]
    timeout_seconds: float


@dataclass
class FakeInvoker:
    """Agents by slug: ``echo`` returns its input and file names, ``broken`` fails,
    ``blocking`` waits for ``release`` or a cancel, anything else is unknown (404)."""

    calls: list[AgentCall] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)

    def run_agent_and_wait(
        self,
        agent: str,
        input_json: dict[str, Any],
        *,
        cancel: threading.Event,
        timeout_seconds: float,
        input_files: Sequence[InputFile] = (),
    ) -> AgentStepResult:
        self.calls.append(AgentCall(agent, input_json, list(input_files), timeout_seconds))
        execution_id = f"exec_fake_{len(self.calls)}"
        if agent == "echo":
            files = {f.field: [f.filename, f.content.decode(), f.content_type] for f in input_files}
            output = {"input": input_json, "files": files}
            return AgentStepResult("completed", output=output, execution_id=execution_id)
        if agent == "broken":
            return AgentStepResult("failed", error="exit code 2", execution_id=execution_id)
        if agent == "blocking":
            self.entered.set()
            while not (self.release.is_set() or cancel.is_set()):
                cancel.wait(0.01)
            status = "cancelled" if cancel.is_set() else "completed"
            return AgentStepResult(status, output={"released": True}, execution_id=execution_id)
        raise ApiProblem(404, "not_found", f"agent {agent!r} not found")


def problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    issue = {"field": exc.field, "message": exc.message, "code": exc.code, "severity": "error"}
    body: dict[str, Any] = {"issues": [issue], "requestId": "req_test"}
    if exc.hint:
        body["hint"] = exc.hint
    return JSONResponse(body, status_code=exc.status, headers={"x-request-id": "req_test"})


@dataclass
class Platform:
    service: WorkflowService
    client: TestClient
    #: a ``FakeInvoker`` unless the test passed its own
    invoker: Any


PlatformFactory = Callable[..., Platform]


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text))


@pytest.fixture
def platform(tmp_path: Path, definitions: Path) -> Iterator[PlatformFactory]:
    opened: list[Platform] = []

    def start(**kwargs: Any) -> Platform:
        invoker = kwargs.pop("invoker", None) or FakeInvoker()
        service = WorkflowService(
            definitions_dir=kwargs.pop("definitions_dir", definitions),
            database=kwargs.pop("database", tmp_path / "state" / "workflows.sqlite"),
            invoker=invoker,
            **kwargs,
        )
        app = FastAPI()
        app.add_exception_handler(ApiProblem, problem_handler)
        app.state.workflows = service
        app.include_router(routes.router)
        client = TestClient(app)
        opened.append(Platform(service, client, invoker))
        return opened[-1]

    yield start
    for item in opened:
        if isinstance(item.invoker, FakeInvoker):
            item.invoker.release.set()
        item.client.close()
        item.service.close()
