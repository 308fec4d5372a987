"""Request body size limit (413 ``payload_too_large``), checked on Content-Length and as it streams.

The body is read here, in full, before the app sees it: a request over the limit is refused
before any handler runs, and the handlers get it from memory.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.api import ErrorCode
from evalkit.emulator.envelope import send_problem
from evalkit.emulator.problems import ApiProblem


def too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"the request body is larger than the platform's limit of {limit} bytes",
        hint="send smaller files, or start the platform with a higher body limit",
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(scope, receive, send, too_large(self.max_bytes))
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away; nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_problem(scope, receive, send, too_large(self.max_bytes))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
