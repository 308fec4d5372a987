"""Applies ``FaultInjector`` decisions and the rate limit to HTTP requests."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.api import ErrorCode
from evalkit.emulator.connections import transport_for
from evalkit.emulator.envelope import send_problem
from evalkit.emulator.faults import FaultInjector
from evalkit.emulator.problems import ApiProblem


class ConnectionDropUnavailable(RuntimeError):
    """A drop fault needs a real socket (``start_platform`` or ``evalkit serve``)."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        wait = self.injector.rate_limit_wait(path)
        if wait:
            problem = ApiProblem(
                429,
                ErrorCode.RATE_LIMITED,
                "too many requests",
                hint=f"retry after {wait} second(s)",
                headers={"Retry-After": str(wait)},
            )
            await send_problem(scope, receive, send, problem)
            return
        decision = self.injector.decide(path)
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        if decision.error_status is not None:
            problem = ApiProblem(
                decision.error_status,
                ErrorCode.INTERNAL,
                f"injected fault: HTTP {decision.error_status}",
            )
            await send_problem(scope, receive, send, problem)
            return
        if decision.drop:
            body = _TrackedBody(receive)
            if decision.drop_after_processing:
                await self.app(scope, body.receive, _discard)
            await body.drain()
            await _drop(scope)
            return
        await self.app(scope, receive, send)


async def _discard(message: Message) -> None:
    """The answer of a request whose connection is about to be dropped."""


class _TrackedBody:
    """The request's ``receive``, remembering whether the whole body has been read.

    A socket closed with unread bytes in it (or with bytes still on their way) makes the kernel
    answer with a reset instead of an end of stream, so the client would see a drop as a reset
    or as a clean close depending on how the request happened to be split into packets.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._complete = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._complete = True
        return message

    async def drain(self) -> None:
        """Read and discard the rest of the body (a no-op once it has all been read)."""
        while not self._complete:
            await self.receive()


async def _drop(scope: Scope) -> None:
    transport = transport_for(scope)
    if transport is None:
        raise ConnectionDropUnavailable("a connection-drop fault needs a real server socket")
    # The whole request has been read: closing now sends an end of stream (FIN), never a reset.
    transport.abort()
    # Let the server notice the lost connection before the app returns, so it does not try
    # to answer with a 500 of its own.
    for _ in range(3):
        await asyncio.sleep(0)
