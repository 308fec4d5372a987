"""``create_app(config)``: the EigenPal v1 API of the local platform as a FastAPI app.

Middleware, outermost first (so the workflow router gets the same treatment for free):
request id + 500 envelope, faults and rate limit, auth, body limit, idempotency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from evalkit.api import ErrorCode
from evalkit.emulator.auth import AuthMiddleware
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.envelope import (
    RequestContextMiddleware,
    api_problem_handler,
    issues_response,
    problem_response,
    request_id_of,
)
from evalkit.emulator.fault_middleware import FaultMiddleware
from evalkit.emulator.idempotency import IdempotencyMiddleware
from evalkit.emulator.limits import BodyLimitMiddleware
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


def create_app(config: PlatformConfig) -> FastAPI:
    platform = Platform(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
    for module in (agents, files, executions, feedback, expected, emulator):
        app.include_router(module.router)
    if platform.workflows is not None:
        app.state.workflows = platform.workflows
        app.include_router(workflows.router)

    app.add_exception_handler(ApiProblem, api_problem_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)

    # add_middleware wraps: the last one added is the outermost.
    app.add_middleware(IdempotencyMiddleware, store=platform.idempotency)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(AuthMiddleware, api_keys=config.api_keys)
    app.add_middleware(FaultMiddleware, injector=platform.faults)
    app.add_middleware(RequestContextMiddleware)
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
