"""The error envelope (contract A2) and the request id every answer carries.

Every response carries ``x-request-id``; error bodies carry the same id as ``requestId``
(the gate, ``evalkit.emulator.gate``, sees to both).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from evalkit.api import ApiIssue, ErrorEnvelope
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.store.ids import new_request_id


def request_id_of(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    request_id = state.get("request_id")
    if not isinstance(request_id, str):
        request_id = new_request_id()
        state["request_id"] = request_id
    return request_id


def problem_response(problem: ApiProblem, request_id: str) -> JSONResponse:
    envelope = ErrorEnvelope(
        issues=problem.issues,
        request_id=request_id,
        hint=problem.hint,
    )
    body = envelope.model_dump(mode="json", by_alias=True, exclude_none=True)
    headers = {**problem.headers, "x-request-id": request_id}
    return JSONResponse(body, status_code=problem.status, headers=headers)


def issues_response(
    status: int, issues: list[ApiIssue], request_id: str, hint: str | None = None
) -> JSONResponse:
    envelope = ErrorEnvelope(issues=issues, request_id=request_id, hint=hint)
    body = envelope.model_dump(mode="json", by_alias=True, exclude_none=True)
    return JSONResponse(body, status_code=status, headers={"x-request-id": request_id})


async def send_problem(scope: Scope, receive: Receive, send: Send, problem: ApiProblem) -> None:
    """Answer from a middleware, before or instead of the app."""
    await problem_response(problem, request_id_of(scope))(scope, receive, send)


async def api_problem_handler(request: Request, exc: Exception) -> JSONResponse:
    """``async``: Starlette runs a plain handler in the thread pool, a thread hop per error."""
    assert isinstance(exc, ApiProblem)
    return problem_response(exc, request_id_of(request.scope))
