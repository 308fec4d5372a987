"""The quickened network backend: the same connections, checked without anyio's attribute table."""

from __future__ import annotations

import asyncio
import http.cookiejar
from collections.abc import Awaitable, Callable

import httpcore
import httpx
import pytest
from httpcore._backends.anyio import AnyIOStream

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client._network import (
    HOLD_BODY_BYTES,
    QuickBackend,
    QuickStream,
    QuietCookies,
    quicken,
    quiet_cookies,
)
from tests.client.loopback import read_request

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
                await read_request(reader)
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


class RecordingStream(httpcore.AsyncNetworkStream):
    """Stands in for a connection: what was written, one item per write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:  # (as httpcore's streams do: an empty write sends nothing)
            self.writes.append(buffer)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return ANSWER


def _writes(*requests: tuple[bytes, list[bytes]]) -> list[bytes]:
    """Each request's head and body chunks written as httpcore does (then the answer read)."""

    async def go() -> list[bytes]:
        inner = RecordingStream()
        stream = QuickStream(inner)
        for head, chunks in requests:
            await stream.write(head)
            for chunk in chunks:
                await stream.write(chunk)
            await stream.write(b"")  # the end of the message: nothing to send
            await stream.read(65536)
        return inner.writes

    return asyncio.run(go())


def _head(method: bytes, length: int | None = None) -> bytes:
    lines = [method + b" /api/v1/x HTTP/1.1", b"Host: platform.test"]
    if length is not None:
        lines.append(b"Content-Length: " + str(length).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


def test_a_small_request_is_written_once_with_its_head_and_body_together() -> None:
    post, body = _head(b"POST", 11), b'{"input":1}'
    get = _head(b"GET")
    assert _writes((post, [body]), (get, []), (post, [body])) == [post + body, get, post + body]


def test_a_large_or_unannounced_body_does_not_hold_its_head_back() -> None:
    big = b"x" * (HOLD_BODY_BYTES + 1)
    chunked = _head(b"POST") + b""  # (no Content-Length: streamed in chunks)
    assert _writes((_head(b"POST", len(big)), [big])) == [_head(b"POST", len(big)), big]
    assert _writes((chunked, [b"5\r\nhello\r\n"])) == [chunked, b"5\r\nhello\r\n"]


def test_a_body_in_several_chunks_goes_with_the_head_from_its_first() -> None:
    head = _head(b"POST", 6)
    assert _writes((head, [b"abc", b"def"])) == [head + b"abc", b"def"]


def test_a_held_head_is_never_left_unsent_before_a_read() -> None:
    async def go() -> list[bytes]:
        inner = RecordingStream()
        stream = QuickStream(inner)
        await stream.write(_head(b"PATCH", 2))
        await stream.read(65536)  # (httpcore never does this; if it did, the head goes first)
        return inner.writes

    assert asyncio.run(go()) == [_head(b"PATCH", 2)]


def test_cookies_an_answer_sets_are_kept_and_sent_back_as_before() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        if request.url.path == "/login":
            return httpx.Response(200, headers={"Set-Cookie": "lb=node-2; Path=/"})
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(answer)) as web:
        quiet_cookies(web)
        jar = web.cookies.jar
        web.get("http://platform.test/a")
        web.get("http://platform.test/login")
        web.get("http://platform.test/b")
        assert web.cookies.jar is jar  # the client's own jar, kept
        assert web.cookies["lb"] == "node-2"
    assert seen == [None, None, "lb=node-2"]


def test_an_answer_that_sets_no_cookie_is_not_handed_to_the_jar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[int] = []
    monkeypatch.setattr(
        http.cookiejar.CookieJar,
        "extract_cookies",
        lambda self, response, request: handed.append(1),
    )

    async def go() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
        async with httpx.AsyncClient(transport=transport) as client:
            quiet_cookies(client)
            for _ in range(3):
                await client.get("http://platform.test/x")

    asyncio.run(go())
    assert handed == []


def test_the_client_s_executor_quiets_its_cookies(
    aclient: AsyncEigenpalClient, client: EigenpalClient
) -> None:
    for web in (aclient._executor._client, client._executor._client):
        assert isinstance(web.cookies, QuietCookies)
