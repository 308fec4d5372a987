"""Request body size limit (413 ``payload_too_large``), checked on Content-Length and as it streams.

The gate reads the body here, in full, before the app sees it: a request over the limit is
refused before any handler runs, and the handlers get it from memory.
"""

from __future__ import annotations

from starlette.types import Message, Receive

from evalkit.api import ErrorCode
from evalkit.emulator.problems import ApiProblem

#: methods whose body is not read (nor limited)
BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


def too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        f"the request body is larger than the platform's limit of {limit} bytes",
        hint="send smaller files, or start the platform with a higher body limit",
    )


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """The request announces (``Content-Length``) more than ``limit`` bytes."""
    return content_length is not None and content_length.isdigit() and int(content_length) > limit


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body; None when the client went away first (nobody to answer).
    Raises ``too_large`` as soon as more than ``limit`` bytes came."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


class BodyReplay:
    """A ``receive`` that gives the body read once, then what the client sends next."""

    __slots__ = ("_body", "_receive")

    def __init__(self, body: bytes, receive: Receive) -> None:
        self._body: bytes | None = body
        self._receive = receive

    async def __call__(self) -> Message:
        body = self._body
        if body is not None:
            self._body = None
            return {"type": "http.request", "body": body, "more_body": False}
        return await self._receive()
