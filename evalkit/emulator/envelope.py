"""The error envelope (contract A2) and the outermost middleware that gives every request an id.

Every response carries ``x-request-id``; error bodies carry the same id as ``requestId``.
An exception nothing else handled becomes a logged 500 envelope, never a hang or a traceback.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.api import ApiIssue, ErrorCode, ErrorEnvelope
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.store.ids import new_request_id

logger = logging.getLogger("evalkit.emulator")


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


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                if "x-request-id" not in headers:  # a replayed answer keeps its own id
                    headers["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception(
                "request %s %s failed (%s)", scope["method"], scope["path"], request_id
            )
            if started:
                raise
            problem = ApiProblem(
                500,
                ErrorCode.INTERNAL,
                "the local platform hit an unexpected error; see its log",
                hint=f"request id {request_id}",
            )
            await send_problem(scope, receive, send, problem)
