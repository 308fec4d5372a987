"""Bearer-key authentication for every path but the health probe; keys are never logged."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from evalkit.api import ErrorCode
from evalkit.emulator.envelope import send_problem
from evalkit.emulator.problems import ApiProblem

PUBLIC_PATHS = frozenset({"/_emulator/health"})


def key_is_valid(presented: str, accepted: tuple[bytes, ...]) -> bool:
    """Constant-time comparison against every accepted key (no early exit on a match)."""
    candidate = presented.encode("utf-8", "surrogateescape")
    matched = False
    for key in accepted:
        matched |= hmac.compare_digest(candidate, key)
    return matched


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AuthMiddleware:
    def __init__(self, app: ASGIApp, api_keys: tuple[str, ...]) -> None:
        self.app = app
        self._keys = tuple(key.encode("utf-8") for key in api_keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        token = bearer_token(Headers(scope=scope))
        if token is None or not key_is_valid(token, self._keys):
            problem = ApiProblem(
                401,
                ErrorCode.UNAUTHORIZED,
                "missing or invalid API key",
                hint="send 'Authorization: Bearer <key>' with a key this platform accepts",
            )
            await send_problem(scope, receive, send, problem)
            return
        await self.app(scope, receive, send)
