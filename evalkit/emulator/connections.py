"""Which transport carries which request, so a fault can drop a connection without answering.

ASGI gives an app no handle on its socket. The server's protocol class registers each
connection here under (server address, client address), the same pair uvicorn puts in the
request scope, and the fault middleware looks it up to abort the connection.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import MutableMapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

_lock = threading.Lock()
_transports: dict[tuple[Any, Any], asyncio.Transport] = {}


def transport_for(scope: MutableMapping[str, Any]) -> asyncio.Transport | None:
    server, client = scope.get("server"), scope.get("client")
    if server is None or client is None:
        return None
    with _lock:
        return _transports.get((tuple(server), tuple(client)))


class TrackedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus the registry entry above."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._tracking_key = (tuple(self.server or ()), tuple(self.client or ()))
        with _lock:
            _transports[self._tracking_key] = self.transport

    def connection_lost(self, exc: Exception | None) -> None:
        with _lock:
            _transports.pop(getattr(self, "_tracking_key", None), None)  # type: ignore[arg-type]
        super().connection_lost(exc)
