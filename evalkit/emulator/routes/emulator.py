"""``/_emulator/...``: the local platform's own endpoints (not part of the v1 API)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from evalkit.emulator.routes.common import PlatformDep

router = APIRouter()


@router.get("/_emulator/health")
async def health() -> JSONResponse:  # async: no thread-pool trip for a constant
    """Unauthenticated liveness probe; says nothing about the state."""
    return JSONResponse({"ok": True})


@router.post("/_emulator/reset")
def reset(platform: PlatformDep) -> JSONResponse:
    """Wipe every agent, execution (workflow ones too), file and remembered answer (tests)."""
    platform.reset()
    return JSONResponse({"ok": True})
