"""The platform's one middleware: everything every request goes through, in one pure-ASGI
layer (each layer of its own cost a call, a ``send`` wrapper and header parsing per request).

In order:
1. a request id: every answer carries ``x-request-id`` (error bodies the same ``requestId``);
   an exception nothing else handled becomes a logged 500 envelope, never a hang or a traceback;
2. the rate limit and injected faults (``faults.py``);
3. bearer-key authentication, but for the health probe (``auth.py``);
4. the body size limit: the body is read here, whole, before any handler (``limits.py``);
5. ``Idempotency-Key`` on POST (``idempotency.py``);
6. the hot routes (``hot_routes.py``) answered from their endpoints; every other request goes
   on to FastAPI (its exception handlers, router and endpoints).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.api import ErrorCode
from evalkit.emulator.auth import PUBLIC_PATHS, bearer_token, key_is_valid, unauthorized
from evalkit.emulator.envelope import request_id_of, send_problem
from evalkit.emulator.fault_middleware import drop_connection, injected_error, rate_limited
from evalkit.emulator.faults import FaultInjector
from evalkit.emulator.hot_routes import HotRoutes
from evalkit.emulator.idempotency import IdempotencyGuard, key_problem
from evalkit.emulator.limits import (
    BODYLESS_METHODS,
    BodyReplay,
    declared_too_large,
    read_body,
    too_large,
)
from evalkit.emulator.problems import ApiProblem

logger = logging.getLogger("evalkit.emulator")

#: the request headers the gate reads, found in one pass
_AUTHORIZATION = b"authorization"
_CONTENT_LENGTH = b"content-length"
_IDEMPOTENCY_KEY = b"idempotency-key"
_REQUEST_ID = b"x-request-id"

ExceptionHandlers = Mapping[Any, Any]


class PlatformGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: tuple[str, ...],
        max_body_bytes: int,
        faults: FaultInjector,
        idempotency: IdempotencyGuard,
        hot_routes: HotRoutes,
        exception_handlers: ExceptionHandlers,
    ) -> None:
        self.app = app
        self._keys = tuple(key.encode("utf-8") for key in api_keys)
        self._max_body = max_body_bytes
        self._faults = faults
        self._idempotency = idempotency
        self._hot = hot_routes
        #: the app's own table (FastAPI answers with it too): one answer for one error
        self._handlers = exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        encoded_id = request_id.encode("latin-1")
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message["headers"] = list(message.get("headers", ()))
                # a replayed answer keeps its own id
                if not any(key == _REQUEST_ID for key, _ in headers):
                    headers.append((_REQUEST_ID, encoded_id))
            await send(message)

        try:
            await self._faulted(scope, receive, send_with_id)
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

    async def _faulted(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        faults = self._faults
        wait = faults.rate_limit_wait(path)
        if wait:
            await send_problem(scope, receive, send, rate_limited(wait))
            return
        decision = faults.decide(path)
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        if decision.error_status is not None:
            await send_problem(scope, receive, send, injected_error(decision.error_status))
            return
        if decision.drop:

            async def process(body: Receive, discard: Send) -> None:
                await self._admitted(scope, body, discard)

            await drop_connection(
                scope, receive, process if decision.drop_after_processing else None
            )
            return
        await self._admitted(scope, receive, send)

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authentication, the body limit and idempotency, then the answer."""
        authorization = content_length = idempotency_key = None
        for name, value in scope["headers"]:  # the first of each, as Headers.get reads them
            if name == _AUTHORIZATION:
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == _CONTENT_LENGTH:
                if content_length is None:
                    content_length = value.decode("latin-1")
            elif name == _IDEMPOTENCY_KEY and idempotency_key is None:
                idempotency_key = value.decode("latin-1")
        path: str = scope["path"]
        if path not in PUBLIC_PATHS:
            token = bearer_token(authorization)
            if token is None or not key_is_valid(token, self._keys):
                await send_problem(scope, receive, send, unauthorized())
                return
        method: str = scope["method"]
        if method not in BODYLESS_METHODS:
            if declared_too_large(content_length, self._max_body):
                await send_problem(scope, receive, send, too_large(self._max_body))
                return
            try:
                body = await read_body(receive, self._max_body)
            except ApiProblem as refused:
                await send_problem(scope, receive, send, refused)
                return
            if body is None:
                return  # the client went away; nobody to answer
            receive = BodyReplay(body, receive)
        if method != "POST" or idempotency_key is None:
            await self._answer(scope, receive, send)
            return
        bad_key = key_problem(idempotency_key)
        if bad_key is not None:
            await send_problem(scope, receive, send, bad_key)
            return

        async def answer(capture: Send) -> None:
            await self._answer(scope, receive, capture)

        await self._idempotency.serve(idempotency_key, path, answer, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._hot.find(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        route, params = found
        # What FastAPI's router would set on a match.
        scope["endpoint"] = route.endpoint
        scope["path_params"] = {**scope.get("path_params", {}), **params}
        scope["route"] = route
        request = Request(scope, receive, send)
        try:
            response = await route.endpoint(request)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            if is_async_callable(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
            if response is None:
                return
        if not isinstance(response, Response):
            raise TypeError(f"hot endpoint {route.endpoint.__name__} returned no Response")
        # What ``Response.__call__`` sends.
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response.raw_headers,
            }
        )
        await send({"type": "http.response.body", "body": response.body})
        if response.background is not None:
            await response.background()

    def _handler_for(self, exc: Exception) -> Any:
        """The handler Starlette's exception middleware would pick: by status for an HTTP
        exception, else by class, nearest first."""
        handlers = self._handlers
        if isinstance(exc, HTTPException) and exc.status_code in handlers:
            return handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls in handlers:
                return handlers[cls]
        return None
