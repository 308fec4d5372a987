"""Which transport carries which request, so a fault can drop a connection without answering.

ASGI gives an app no handle on its socket. The server's protocol class registers each
connection here under (server address, client address), the same pair uvicorn puts in the
request scope, and the fault middleware looks it up to abort the connection.

The platform is served with uvicorn's httptools protocol (its C parser, about 0.1 ms less CPU
a request than h11's) when ``httptools`` can be imported, else with h11's, as uvicorn's own
``http="auto"`` chooses: ``serving_protocol()`` says which. h11's protocol is imported only
when it is the one served (``TrackedH11Protocol`` is made on first use): its import cost the
platform's every start ~6 ms.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import MutableMapping
from typing import Any

from uvicorn.protocols.utils import get_local_addr, get_remote_addr

#: a request's head (request line and headers) still incomplete past this many bytes is
#: answered with a 400: h11's default, given to both protocols
MAX_INCOMPLETE_HEAD_BYTES = 16 * 1024

_lock = threading.Lock()
_transports: dict[tuple[Any, Any], asyncio.Transport] = {}


def transport_for(scope: MutableMapping[str, Any]) -> asyncio.Transport | None:
    server, client = scope.get("server"), scope.get("client")
    if server is None or client is None:
        return None
    with _lock:
        return _transports.get((tuple(server), tuple(client)))


class _Tracked(asyncio.Protocol):
    """Mixed in before one of uvicorn's HTTP protocols: the registry entry above, under the
    addresses uvicorn gives the request scope (from the same helpers)."""

    _tracking_key: tuple[Any, Any] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        key = (tuple(get_local_addr(transport) or ()), tuple(get_remote_addr(transport) or ()))
        self._tracking_key = key
        with _lock:
            _transports[key] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self._tracking_key is not None:
            with _lock:
                _transports.pop(self._tracking_key, None)
        super().connection_lost(exc)


@functools.cache
def _tracked_h11() -> type[asyncio.Protocol]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TrackedH11Protocol(_Tracked, H11Protocol):
        """uvicorn's h11 protocol (pure Python), tracked."""

    TrackedH11Protocol.__qualname__ = TrackedH11Protocol.__name__  # as if made at the top
    return TrackedH11Protocol


def __getattr__(name: str) -> type[asyncio.Protocol]:
    """``TrackedH11Protocol``, made (h11 imported) when it is first asked for."""
    if name == "TrackedH11Protocol":
        return _tracked_h11()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # a dependency, but an install may lack it: h11 serves then
    _httptools: type[asyncio.Protocol] | None = None
else:

    class TrackedHttpToolsProtocol(_Tracked, HttpToolsProtocol):
        """uvicorn's httptools protocol (llhttp, in C), tracked, with h11's bound on a request's
        head: httptools buffers a header line of any length, h11 answers a head still incomplete
        after ``MAX_INCOMPLETE_HEAD_BYTES`` with its 400, and so does this."""

        _reading_head = False
        _head_bytes = 0

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._reading_head or self.transport.is_closing():
                return
            # The read left the head incomplete: all of it was head (but for a pipelined
            # request's body before it, which at most answers such a request early).
            self._head_bytes += len(data)
            if self._head_bytes > MAX_INCOMPLETE_HEAD_BYTES:
                self._reading_head = False
                message = "Invalid HTTP request received."  # what both protocols answer
                self.logger.warning("%s (its head is over %d bytes)", message, self._head_bytes)
                self.send_400_response(message)

        def on_message_begin(self) -> None:
            self._reading_head, self._head_bytes = True, 0
            super().on_message_begin()

        def on_headers_complete(self) -> None:
            self._reading_head = False
            super().on_headers_complete()

    _httptools = TrackedHttpToolsProtocol


def serving_protocol() -> type[asyncio.Protocol]:
    """The tracked protocol the platform is served with: httptools's if installed, else h11's."""
    return _httptools or _tracked_h11()
