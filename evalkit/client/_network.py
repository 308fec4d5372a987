"""The runner's connections, made cheaper where httpcore's use of anyio costs the most.

Before it places a request, and again when an answer is closed, httpcore's pool asks each of
its idle connections whether the server has closed it (``get_extra_info("is_readable")``).
Over anyio, each asking builds the stream's whole table of attributes, a ``getpeername``
system call among them, only to take the socket out of it: at ``--concurrency 50`` that was
a tenth of the runner's CPU on the HTTP stack. ``quicken`` wraps the network backend of an
``httpx.AsyncHTTPTransport`` so that each stream keeps its socket and answers with the same
test httpcore makes (``is_socket_readable``). A small request goes out in one write, its
head and body together (``QuickStream``). Everything else is passed through unchanged.

``quiet_cookies`` spares an HTTP client the cookie jar's work on answers that set no cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpcore._backends.anyio import AnyIOStream
from httpcore._backends.base import SOCKET_OPTION
from httpcore._utils import is_socket_readable

log = logging.getLogger(__name__)

#: a request body up to this size is sent in one write with the request's head
HOLD_BODY_BYTES = 64 * 1024


def quicken(transport: httpx.AsyncBaseTransport) -> bool:
    """Give ``transport``'s connections the cheaper readability test, before it makes any.
    True when it did; False, changing nothing, for a transport that is not httpx's own or
    an httpx/httpcore whose pool looks different (the test then stays httpcore's)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.AsyncNetworkBackend):
        log.debug("transport %r left as it is: no httpcore network backend found", transport)
        return False
    if not isinstance(backend, QuickBackend):
        pool._network_backend = QuickBackend(backend)  # type: ignore[union-attr]
    return True


def quiet_cookies(client: httpx.AsyncClient | httpx.Client) -> None:
    """Let ``client`` hand an answer to its cookie jar only when the answer sets a cookie.

    httpx gives every answer to the jar, wrapping the answer and its request in urllib
    stand-ins for it first (a few percent of the runner's CPU); the jar would find no
    ``Set-Cookie`` and do nothing. The jar stays the same object and gets every answer
    that sets a cookie, so cookies behave as before. A client whose cookies are not httpx's
    own class is left as it is."""
    cookies = getattr(client, "_cookies", None)
    if type(cookies) is httpx.Cookies:
        quiet = QuietCookies()
        quiet.jar = cookies.jar
        client._cookies = quiet


class QuietCookies(httpx.Cookies):
    """``httpx.Cookies`` that skips the jar for an answer setting no cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class QuickBackend(httpcore.AsyncNetworkBackend):
    """``inner``'s connections, each wrapped in a ``QuickStream``."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return QuickStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return QuickStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class QuickStream(httpcore.AsyncNetworkStream):
    """``inner`` as it is, except:

    - an anyio stream's socket is looked up once, when the stream is made (any other stream,
      trio's say, answers for itself);
    - a request's head is sent together with its body when the body is small and its length
      known (``HOLD_BODY_BYTES``): httpcore writes them one after the other, and each write
      is a system call, a turn of the event loop and, with TCP_NODELAY, a packet of its own
      that the server reads by itself. The head waits only for the body's first chunk, which
      httpcore writes next.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket") if isinstance(inner, AnyIOStream) else None
        #: httpcore writes a request only after reading the answer to the one before (no
        #: pipelining): the first write after a read (or on a new stream) is a request's head
        self._head_next = True
        self._held = b""
        self.aclose = inner.aclose  # type: ignore[method-assign]

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._held:
            buffer, self._held = self._held + buffer, b""
        elif self._head_next:
            self._head_next = False
            if _small_body_follows(buffer):
                self._held = buffer
                return
        await self._inner.write(buffer, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._held:  # (httpcore reads only once the body is written: never so far)
            await self.write(b"", timeout)
        self._head_next = True
        return await self._inner.read(max_bytes, timeout)

    async def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        wrapped = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return QuickStream(wrapped)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            # (a closed socket has no file number: httpcore's test then says readable)
            return is_socket_readable(self._socket)
        return self._inner.get_extra_info(info)


def _small_body_follows(head: bytes) -> bool:
    """Whether the request ``head`` (as h11 wrote it) announces a body of 1 to
    ``HOLD_BODY_BYTES`` bytes: a GET's head, or a streamed upload's, goes out at once."""
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        return False
    value = head[at + 17 : head.find(b"\r\n", at + 17)].strip()
    return value.isdigit() and 0 < int(value) <= HOLD_BODY_BYTES
