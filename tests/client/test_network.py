"""The quickened network backend: the same connections, checked without anyio's attribute table."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from httpcore._backends.anyio import AnyIOStream

from evalkit.client._network import QuickBackend, quicken

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


async def _serve(
    close_after_answer: bool, connections: list[asyncio.Task[object]]
) -> tuple[asyncio.Server, str]:
    """A keep-alive HTTP/1.1 server on loopback; with ``close_after_answer`` it drops each
    connection after its first answer, without saying so (as a server's idle timeout does)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                writer.write(ANSWER)
                await writer.drain()
                if close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def _run(
    close_after_answer: bool, send: Callable[[httpx.AsyncClient, str], Awaitable[None]]
) -> int:
    """``send`` through a quickened transport; the number of connections the server saw."""

    async def go() -> int:
        connections: list[asyncio.Task[object]] = []
        server, url = await _serve(close_after_answer, connections)
        async with server:
            transport = httpx.AsyncHTTPTransport()
            assert quicken(transport)
            async with httpx.AsyncClient(transport=transport) as http:
                await send(http, url)
            await asyncio.gather(*connections)  # each ended as the client closed its side
        return len(connections)

    return asyncio.run(go())


def test_a_quickened_transport_keeps_reusing_a_live_connection() -> None:
    async def send(http: httpx.AsyncClient, url: str) -> None:
        for _ in range(3):
            assert (await http.post(url, json={"a": 1})).json() == {}
            await asyncio.sleep(0.01)  # (idle on the pool, as between an example's calls)

    assert _run(False, send) == 1


def test_a_connection_the_server_closed_is_seen_and_not_used_again() -> None:
    async def send(http: httpx.AsyncClient, url: str) -> None:
        for _ in range(3):
            assert (await http.get(url)).json() == {}
            await asyncio.sleep(0.05)  # the server's close reaches this side

    # Each request found its idle connection readable (closed) and opened a new one; a
    # readability test that missed the close would fail with "Server disconnected".
    assert _run(True, send) == 3


def test_idle_connections_are_checked_without_anyio_s_attribute_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    original = AnyIOStream.get_extra_info

    def counting(self: AnyIOStream, info: str) -> object:
        asked.append(info)
        return original(self, info)

    monkeypatch.setattr(AnyIOStream, "get_extra_info", counting)

    async def send(http: httpx.AsyncClient, url: str) -> None:
        for _ in range(5):
            await http.get(url)

    assert _run(False, send) == 1
    assert "is_readable" not in asked  # (asked once for the socket, when the stream was made)
    assert asked.count("socket") == 1


def test_a_transport_that_is_not_httpx_s_own_is_left_as_it_is() -> None:
    mock = httpx.MockTransport(lambda request: httpx.Response(204))
    assert not quicken(mock)
    transport = httpx.AsyncHTTPTransport()
    assert quicken(transport)
    assert quicken(transport)  # twice is harmless: still one wrapper
    backend = transport._pool._network_backend
    assert isinstance(backend, QuickBackend)
    assert not isinstance(backend._inner, QuickBackend)
