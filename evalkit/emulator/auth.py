"""Bearer-key authentication for every path but the health probe; keys are never logged."""

from __future__ import annotations

import hmac

from evalkit.api import ErrorCode
from evalkit.emulator.problems import ApiProblem

PUBLIC_PATHS = frozenset({"/_emulator/health"})


def key_is_valid(presented: str, accepted: tuple[bytes, ...]) -> bool:
    """Constant-time comparison against every accepted key (no early exit on a match)."""
    candidate = presented.encode("utf-8", "surrogateescape")
    matched = False
    for key in accepted:
        matched |= hmac.compare_digest(candidate, key)
    return matched


def bearer_token(value: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header's value, else None."""
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def unauthorized() -> ApiProblem:
    return ApiProblem(
        401,
        ErrorCode.UNAUTHORIZED,
        "missing or invalid API key",
        hint="send 'Authorization: Bearer <key>' with a key this platform accepts",
    )
