"""HTTP/1.1 over plain TCP, for a platform reached without TLS and without a proxy (the
local one, on loopback), with far less CPU per request than httpx's own transport.

httpx's transport goes through httpcore and anyio: for each request a search of the pool
under locks, cancel scopes, a readability check of idle connections (a system call each),
and stream objects in between. At ``--concurrency 50`` the run's event loop spends most of
its time there, and that loop is what starts the next examples as executions end. Measured
side by side (50 clients, 2,000 small POSTs to one server): 0.82 ms of CPU per request
through httpx's transport (quickened, ``_network``), 0.27 ms through this one.

What it keeps, so that callers see no difference:

- keep-alive connections, reused last-in first-out; one the server closed is known at once
  (an asyncio protocol is told) or, when the close came while the loop was busy, by the
  same readability test httpcore makes, on the one connection about to be reused; one idle
  longer than ``keepalive_expiry`` is dropped, as httpcore drops it;
- httpx's limits (``max_connections`` waits up to the pool timeout, ``PoolTimeout``) and its
  timeouts: connect, write (a body the socket will not take) and read (each wait for data);
- httpx's errors: ``ConnectError``/``ConnectTimeout`` when nothing was sent (the runner then
  starts again safely), ``ReadError``/``WriteError``/``RemoteProtocolError`` when a connection
  failed mid-request, ``LocalProtocolError`` for a request h11 refuses to write;
- h11 reads and writes the messages, as under httpcore; an answer that arrives before the
  request's body is all written (an early 413) is still read;
- an answer's body comes as the reader asks for it: reading pauses once a megabyte waits;
- a connection whose request or answer was cut short (cancelled, failed, not read to the
  end), or with bytes beyond its answer, is closed at once (its unsent bytes dropped), never
  reused;
- a switch of protocols (101) is refused: evalkit never asks for one.

TLS and proxies stay with httpx's transport (``_transports.async_transport`` chooses).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import h11
import httpx
from httpcore._utils import is_socket_readable

#: a request's head and body are written together up to this size, then in pieces as the
#: socket takes them
WRITE_CHUNK_BYTES = 64 * 1024
#: reading from a connection pauses when this much of its answer waits to be read
PAUSE_READING_BYTES = 1024 * 1024
#: the largest answer head h11 accepts (httpcore's figure)
MAX_HEAD_BYTES = 100 * 1024


class PlainHttpTransport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 connections to plain ``http://`` addresses (see the module)."""

    def __init__(self, *, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits()
        self._max_idle = _or_unlimited(limits.max_keepalive_connections)
        self._expiry = limits.keepalive_expiry  # None: never; 0: no reuse
        self._slots = asyncio.Semaphore(limits.max_connections) if limits.max_connections else None
        self._idle: list[_Connection] = []
        self._connections: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        await self._take_slot(timeouts.get("pool"))
        try:
            connection = self._idle_connection() or await self._connect(
                request.url, timeouts.get("connect")
            )
            try:
                head = await _exchange(connection, request, timeouts)
            except BaseException:
                self._drop(connection)
                raise
        except BaseException:
            self._give_slot()
            raise
        body = _AnswerBody(self, connection, timeouts.get("read"))
        return httpx.Response(
            head.status_code,
            headers=head.headers.raw_items(),
            stream=body,
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
        )

    async def open_ahead(self, url: httpx.URL | str, timeout: float | None) -> bool:
        """Open a connection to ``url`` now and keep it idle for the next request, so that its
        cost, and the server's accepting it, come before that request rather than with it;
        whether one was kept. None is opened when no idle connection could be kept; a failure
        raises as a request's connect does (``ConnectError``, ``ConnectTimeout``)."""
        if self._expiry == 0 or len(self._idle) >= self._max_idle:
            return False
        connection = await self._connect(httpx.URL(url), timeout)
        if len(self._idle) >= self._max_idle:  # (others were kept meanwhile)
            self._drop(connection)
            return False
        self._keep_idle(connection)
        return True

    async def aclose(self) -> None:
        for connection in list(self._connections):
            connection.close()
        self._connections.clear()
        self._idle.clear()
        await asyncio.sleep(0)  # the closed sockets are released on the loop's next turn

    async def _take_slot(self, timeout: float | None) -> None:
        if self._slots is None:
            return
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except asyncio.TimeoutError:
            raise httpx.PoolTimeout("no connection came free within the pool timeout") from None

    def _give_slot(self) -> None:
        if self._slots is not None:
            self._slots.release()

    def _idle_connection(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            idle_since = None if self._expiry is None else now - self._expiry
            if connection.usable_after_idle(idle_since):
                connection.in_use = True
                return connection
            self._drop(connection)
        return None

    async def _connect(self, url: httpx.URL, timeout: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        port = url.port or 80
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(_Connection, url.host, port), timeout
            )
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {url.host}:{port} in time") from None
        except OSError as err:
            raise httpx.ConnectError(str(err) or type(err).__name__) from err
        connection.in_use = True
        self._connections.add(connection)
        return connection

    def _answer_done(self, connection: _Connection) -> None:
        """The answer's body was closed: its connection is kept for the next request when
        both sides ended their messages cleanly, else closed; its slot is free either way."""
        if connection.ready_for_next() and len(self._idle) < self._max_idle:
            self._keep_idle(connection)
        else:
            self._drop(connection)
        self._give_slot()

    def _keep_idle(self, connection: _Connection) -> None:
        connection.in_use = False
        connection.idle_since = time.monotonic()
        self._idle.append(connection)

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        self._connections.discard(connection)


async def _exchange(
    connection: _Connection, request: httpx.Request, timeouts: dict[str, float | None]
) -> h11.Response:
    """Write ``request`` on ``connection`` and read the head of its answer."""
    refused: str | None = None
    try:
        pending = [
            connection.h11.send(
                h11.Request(
                    method=request.method,
                    target=request.url.raw_path,
                    headers=request.headers.raw,
                )
            )
        ]
        size = len(pending[0])
        assert isinstance(request.stream, httpx.AsyncByteStream)
        async for chunk in request.stream:
            data = connection.h11.send(h11.Data(data=chunk))
            pending.append(data)
            size += len(data)
            if size >= WRITE_CHUNK_BYTES:
                connection.write(b"".join(pending))
                pending, size = [], 0
                if not await connection.drained(timeouts.get("write")):
                    break  # the server answered early and closed: its answer is read below
        else:
            pending.append(connection.h11.send(h11.EndOfMessage()))
            connection.write(b"".join(pending))
    except h11.LocalProtocolError as err:
        refused = _without_header_values(str(err))
    if refused is not None:  # raised here, h11's own error (which may quote a header) dropped
        raise httpx.LocalProtocolError(refused)
    read_timeout = timeouts.get("read")
    while True:
        event = await connection.next_event(read_timeout)
        if isinstance(event, h11.Response):
            return event
        if isinstance(event, h11.ConnectionClosed):
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if not isinstance(event, h11.InformationalResponse) or event.status_code == 101:
            raise httpx.RemoteProtocolError(f"expected an HTTP/1.1 answer, got {event!r}")
        # an informational answer (100 Continue, 103): the real one follows


class _AnswerBody(httpx.AsyncByteStream):
    def __init__(
        self, transport: PlainHttpTransport, connection: _Connection, timeout: float | None
    ) -> None:
        self._transport = transport
        self._connection = connection
        self._timeout = timeout
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            event = await self._connection.next_event(self._timeout)
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return
            else:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending the whole answer."
                )

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport._answer_done(self._connection)


class _Connection(asyncio.Protocol):
    """One TCP connection and its h11 state; the event loop calls the protocol's methods."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.transport: asyncio.Transport | None = None
        self._socket: Any = None
        self.in_use = False
        self.idle_since = 0.0
        #: the server sent something while no request was out, or closed the connection
        self._spoiled = False
        self._lost: BaseException | None = None
        self._closed = False
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._unread = 0
        self._reading_paused = False

    # the event loop's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._socket = transport.get_extra_info("socket")

    def data_received(self, data: bytes) -> None:
        if not self.in_use:
            self._spoiled = True
        self.h11.receive_data(data)
        self._unread += len(data)
        if self._unread >= PAUSE_READING_BYTES and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._spoiled = True
        self.h11.receive_data(b"")
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._spoiled = True
        self._lost = exc
        self._wake()
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def pause_writing(self) -> None:
        self._drain = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)
        self._drain = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # the request's side

    def write(self, data: bytes) -> None:
        # (a transport whose send failed is closing before the loop tells the protocol)
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    async def drained(self, timeout: float | None) -> bool:
        """Until the socket has taken what was written: True, or False when the server
        stopped reading (it closed the connection, perhaps after answering)."""
        drain = self._drain
        if drain is not None and not drain.done():
            try:
                await asyncio.wait_for(asyncio.shield(drain), timeout)
            except asyncio.TimeoutError:
                raise httpx.WriteTimeout("the server took no more of the request") from None
        closing = self.transport is None or self.transport.is_closing()
        return not (closing or self._closed or self._eof)

    async def next_event(self, timeout: float | None) -> Any:
        """The next h11 event of the answer, waiting up to ``timeout`` for each piece."""
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as err:
                raise httpx.RemoteProtocolError(str(err)) from err
            if event is not h11.NEED_DATA:
                return event
            self._unread = 0
            if self._reading_paused and self.transport is not None:
                self._reading_paused = False
                self.transport.resume_reading()
            if self._lost is not None:
                raise httpx.ReadError(str(self._lost) or type(self._lost).__name__)
            if self._closed or self._eof:
                raise httpx.RemoteProtocolError("Server disconnected mid-answer.")
            await self._data(timeout)

    async def _data(self, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def ready_for_next(self) -> bool:
        """Both messages ended cleanly and the server kept the connection: reset it for the
        next request."""
        if self._spoiled or self.h11.our_state is not h11.DONE:
            return False
        if self.h11.their_state is not h11.DONE or self.h11.trailing_data[0]:
            return False
        self.h11.start_next_cycle()
        if self._reading_paused and self.transport is not None:
            # the answer's end came while reading was paused: idle, it must hear a close
            self._reading_paused = False
            self.transport.resume_reading()
        self._unread = 0
        return True

    def usable_after_idle(self, idle_since_at_least: float | None) -> bool:
        if self._spoiled or self._closed:
            return False
        if idle_since_at_least is not None and self.idle_since < idle_since_at_least:
            return False
        # A close (or stray bytes) the loop has not read yet: a request written now would
        # fail, and a failed start reads as one that may have run.
        return self._socket is None or not is_socket_readable(self._socket)

    def close(self) -> None:
        """Closed now, whatever it had still to send: it is never closed cleanly between
        two messages but dropped (cut short, spoiled, expired, or the transport closing)."""
        if self.transport is not None and not self._closed:
            self.transport.abort()
        self._spoiled = True


def _without_header_values(problem: str) -> str:
    """h11's refusal of a request, without the header it quotes (``Authorization`` holds
    the API key)."""
    if "header" in problem.lower():
        return "a request header HTTP/1.1 does not allow (its value is not shown)"
    return problem


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(httpx.ReadTimeout("no answer within the read timeout"))


def _or_unlimited(value: int | None) -> int:
    return value if value is not None else 1 << 30
