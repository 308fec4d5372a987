"""``create_app(config)``: the EigenPal v1 API of the local platform as a FastAPI app.

One middleware, the gate (``gate.py``), gives every request (the workflow routes' too) its
id and 500 envelope, faults and rate limit, auth, body limit and idempotency, and answers the
run's three hot routes itself (``hot_routes.py``); FastAPI answers the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from evalkit.api import ErrorCode
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.envelope import (
    api_problem_handler,
    issues_response,
    problem_response,
    request_id_of,
)
from evalkit.emulator.gate import PlatformGate
from evalkit.emulator.hot_routes import HotRoutes
from evalkit.emulator.idempotency import IdempotencyGuard
from evalkit.emulator.platform import Platform
from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.routes import (
    agents,
    emulator,
    executions,
    expected,
    feedback,
    files,
    workflows,
)
from evalkit.emulator.routes.common import issues_from_errors

_STATUS_CODES = {404: ErrorCode.NOT_FOUND.value, 405: "method_not_allowed"}
#: the routes of a run's three requests per example, answered by the gate
HOT_ENDPOINTS = (executions.run_agent, executions.get_execution, feedback.update_feedback)


def create_app(config: PlatformConfig) -> FastAPI:
    platform = Platform(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # builtin runs go on the loop that serves the platform (not one made for a request)
        platform.queue.serve_on(asyncio.get_running_loop())
        yield
        platform.close()

    app = FastAPI(
        title="EigenPal v1 (evalkit local platform)",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # FastAPI's own OpenTelemetry (newer releases) looks up the global providers on every
        # request; the local platform reports nothing there. Older releases keep the argument
        # in ``app.extra`` and ignore it.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.platform = platform
    routers = [
        module.router for module in (agents, files, executions, feedback, expected, emulator)
    ]
    if platform.workflows is not None:
        app.state.workflows = platform.workflows
        routers.append(workflows.router)
    for router in routers:
        app.include_router(router)

    app.add_exception_handler(ApiProblem, api_problem_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)

    app.add_middleware(
        PlatformGate,
        api_keys=config.api_keys,
        max_body_bytes=config.max_body_bytes,
        faults=platform.faults,
        idempotency=IdempotencyGuard(platform.idempotency),
        # The routes in the order FastAPI tries them: the routers' own, as included.
        hot_routes=HotRoutes([r for router in routers for r in router.routes], HOT_ENDPOINTS),
        exception_handlers=app.exception_handlers,
    )
    return app


# The handlers are ``async``: Starlette runs a plain function in the thread pool, a thread hop
# per error answer.
async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 becomes the contract's 400 with field paths like ``body.name``."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for error in errors:
        if error.get("type") == "json_invalid":
            where = error["loc"][1] if len(error["loc"]) > 1 else "?"
            reason = error.get("ctx", {}).get("error", "invalid JSON")
            error.update(loc=("body",), msg=f"malformed JSON body at character {where}: {reason}")
    issues = issues_from_errors(errors)
    return issues_response(400, issues, request_id_of(request.scope))


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, ErrorCode.INVALID_VALUE.value)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    problem = ApiProblem(exc.status_code, code, message, headers=dict(exc.headers or {}))
    return problem_response(problem, request_id_of(request.scope))
