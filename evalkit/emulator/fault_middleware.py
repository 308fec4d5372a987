"""What the gate does with a ``FaultInjector`` decision and the rate limit: the 429 and injected
error answers, and connections dropped without an answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.types import Message, Receive, Scope, Send

from evalkit.api import ErrorCode
from evalkit.emulator.connections import transport_for
from evalkit.emulator.problems import ApiProblem


class ConnectionDropUnavailable(RuntimeError):
    """A drop fault needs a real socket (``start_platform`` or ``evalkit serve``)."""


def rate_limited(wait: int) -> ApiProblem:
    return ApiProblem(
        429,
        ErrorCode.RATE_LIMITED,
        "too many requests",
        hint=f"retry after {wait} second(s)",
        headers={"Retry-After": str(wait)},
    )


def injected_error(status: int) -> ApiProblem:
    return ApiProblem(status, ErrorCode.INTERNAL, f"injected fault: HTTP {status}")


async def drop_connection(
    scope: Scope,
    receive: Receive,
    process: Callable[[Receive, Send], Awaitable[None]] | None,
) -> None:
    """Close the connection without an answer, after ``process`` (its answer discarded) when
    given; the request's body is read first either way."""
    body = _TrackedBody(receive)
    if process is not None:
        await process(body.receive, _discard)
    await body.drain()
    await _drop(scope)


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
