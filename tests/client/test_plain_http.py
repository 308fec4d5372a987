"""The plain-HTTP transport against real servers on loopback: answers, keep-alive, limits,
timeouts and every way a connection can fail, each seen as httpx's transport shows it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest

from evalkit.client import AsyncEigenpalClient
from evalkit.client._plain_http import PAUSE_READING_BYTES, PlainHttpTransport
from evalkit.client._transports import async_transport, open_ahead
from evalkit.client.errors import EigenpalConnectionError
from evalkit.runner.failures import is_ambiguous_start_failure, never_sent
from tests.client.loopback import read_request

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Server"], Awaitable[None]]


@dataclass
class Server:
    """A loopback server running ``handler`` on each connection; counts what it saw."""

    handler: Handler
    connections: int = 0
    requests: list[tuple[bytes, bytes]] = field(default_factory=list)  # (head, body)
    closed_by_client: int = 0
    #: connections whose handler ended and whose socket the server closed
    finished: int = 0
    url: str = ""

    async def read_request(self, reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
        request = await read_request(reader)
        self.requests.append(request)
        return request


def answer(body: bytes = b"{}", status: str = "200 OK", extra: bytes = b"") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
    """Answers every request on the connection with its own body, echoed as JSON."""
    while True:
        head, body = await s.read_request(reader)
        method, target = head.split(b" ")[:2]
        echoed = {"method": method.decode(), "target": target.decode(), "size": len(body)}
        writer.write(answer(json.dumps(echoed).encode(), extra=b"X-Mixed-Case: yes\r\n"))
        await writer.drain()


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[Server]:
    server_state = Server(handler)

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server_state.connections += 1
        try:
            await handler(reader, writer, server_state)
        except asyncio.IncompleteReadError as err:
            if not err.partial:
                server_state.closed_by_client += 1
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            server_state.finished += 1

    server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    server_state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield server_state


async def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Until ``condition()`` holds (the loop turning meanwhile): what a server or a client
    does on its own time, waited for by what happened, not for a fixed time that a loaded
    machine may overrun."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the condition never held"
        await asyncio.sleep(0.005)


def finished(server: Server, connections: int) -> Callable[[], bool]:
    return lambda: server.finished == connections


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())  # type: ignore[arg-type]


def client(transport: PlainHttpTransport, **options: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, **options)  # type: ignore[arg-type]


def test_requests_on_one_connection_are_answered_in_turn_with_their_headers() -> None:
    async def go() -> None:
        async with serving(keep_alive) as s, client(PlainHttpTransport()) as http:
            first = await http.post(s.url + "/agents/a/run?wait_for_completion=3", json={"x": 1})
            second = await http.get(s.url + "/agents/a")
            assert first.status_code == 200
            assert first.http_version == "HTTP/1.1"
            assert first.json() == {
                "method": "POST",
                "target": "/agents/a/run?wait_for_completion=3",
                "size": 7,
            }
            assert second.json()["method"] == "GET"
            assert first.headers["x-mixed-case"] == "yes"
            assert (b"X-Mixed-Case", b"yes") in first.headers.raw  # the server's spelling
            assert s.connections == 1

    run(go)


def test_the_connections_in_flight_are_at_most_the_limit_and_a_request_waits_for_one() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        while True:
            await s.read_request(reader)
            await asyncio.sleep(0.05)
            writer.write(answer())
            await writer.drain()

    async def go() -> None:
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with serving(slow) as s, client(PlainHttpTransport(limits=limits)) as http:
            answers = await asyncio.gather(*(http.get(s.url + f"/{i}") for i in range(6)))
            assert [a.status_code for a in answers] == [200] * 6
            assert s.connections == 2

    run(go)


def test_a_request_waiting_past_the_pool_timeout_gets_a_pool_timeout() -> None:
    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        await s.read_request(reader)
        await asyncio.sleep(10)

    async def go() -> None:
        limits = httpx.Limits(max_connections=1)
        timeout = httpx.Timeout(5.0, pool=0.1)
        async with (
            serving(never) as s,
            client(PlainHttpTransport(limits=limits), timeout=timeout) as http,
        ):
            first = asyncio.create_task(http.get(s.url + "/held"))
            await asyncio.sleep(0.05)
            with pytest.raises(httpx.PoolTimeout):
                await http.get(s.url + "/waiting")
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first

    run(go)


def test_a_connection_the_server_closed_while_idle_is_not_used_again() -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        await s.read_request(reader)
        writer.write(answer())  # keep-alive by the headers, then closed (an idle timeout)
        await writer.drain()

    async def go() -> None:
        async with serving(once) as s, client(PlainHttpTransport()) as http:
            for done in range(1, 4):
                assert (await http.get(s.url + "/")).status_code == 200
                await eventually(finished(s, done))  # the server closed it
            assert s.connections == 3

    run(go)


def test_a_connection_idle_past_the_keepalive_expiry_is_replaced() -> None:
    async def go() -> None:
        limits = httpx.Limits(keepalive_expiry=0.05)
        async with serving(keep_alive) as s, client(PlainHttpTransport(limits=limits)) as http:
            await http.get(s.url + "/")
            await http.get(s.url + "/")
            assert s.connections == 1
            await asyncio.sleep(0.1)
            await http.get(s.url + "/")
            assert s.connections == 2
            await eventually(lambda: s.closed_by_client == 1)  # the expired one was closed

    run(go)


def test_an_answer_with_connection_close_ends_its_connection() -> None:
    async def closing(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)
        writer.write(answer(extra=b"Connection: close\r\n"))
        await writer.drain()
        await reader.read()  # until the client closes its side

    async def go() -> None:
        async with serving(closing) as s, client(PlainHttpTransport()) as http:
            assert (await http.get(s.url + "/")).status_code == 200
            assert (await http.get(s.url + "/")).status_code == 200
            assert s.connections == 2

    run(go)


def test_a_connection_opened_ahead_carries_the_next_request() -> None:
    async def go() -> None:
        transport = PlainHttpTransport()
        async with serving(keep_alive) as s, client(transport) as http:
            assert await transport.open_ahead(s.url, timeout=5) is True
            await eventually(lambda: s.connections == 1)  # accepted before any request
            assert not s.requests
            answer = await http.post(s.url + "/run", content=b"abc")
            assert answer.json() == {"method": "POST", "target": "/run", "size": 3}
            assert s.connections == 1  # the one opened ahead, not a new one

    run(go)


def test_no_connection_is_opened_ahead_where_none_could_be_kept_idle() -> None:
    async def go() -> None:
        no_reuse = PlainHttpTransport(limits=httpx.Limits(keepalive_expiry=0))
        one_idle = PlainHttpTransport(limits=httpx.Limits(max_keepalive_connections=1))
        async with serving(keep_alive) as s:
            assert await no_reuse.open_ahead(s.url, timeout=5) is False
            assert await one_idle.open_ahead(s.url, timeout=5) is True
            assert await one_idle.open_ahead(s.url, timeout=5) is False  # one waits already
            await eventually(lambda: s.connections == 1)
            await one_idle.aclose()
            await no_reuse.aclose()

    run(go)


def test_opening_ahead_counts_what_opened_and_leaves_failures_to_the_requests() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once closed

    async def go() -> None:
        plain = [PlainHttpTransport(), PlainHttpTransport()]
        httpx_own = httpx.AsyncHTTPTransport()  # opens nothing ahead: not counted
        async with serving(keep_alive) as s:
            assert await open_ahead([*plain, httpx_own], s.url, timeout=5) == 2
            await eventually(lambda: s.connections == 2)
        assert await open_ahead([PlainHttpTransport()], refused, timeout=5) == 0
        with pytest.raises(httpx.ConnectError):  # the transport itself says why
            await PlainHttpTransport().open_ahead(refused, timeout=5)
        for transport in [*plain, httpx_own]:
            await transport.aclose()

    run(go)


def test_a_refused_connection_is_a_connect_error_the_runner_may_start_again_after() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it once closed

    async def go() -> None:
        async with client(PlainHttpTransport()) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://127.0.0.1:{port}/")
        eigenpal = AsyncEigenpalClient(
            api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0
        )
        async with eigenpal:
            with pytest.raises(EigenpalConnectionError) as caught:
                await eigenpal.agents.get("a")
        assert never_sent(caught.value)
        assert not is_ambiguous_start_failure(caught.value)

    run(go)


def test_a_server_that_closes_without_answering_is_a_lost_answer_not_a_refusal() -> None:
    async def hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)

    async def go() -> None:
        async with serving(hang_up) as s:
            async with client(PlainHttpTransport()) as http:
                with pytest.raises(httpx.RemoteProtocolError):
                    await http.post(s.url + "/agents/a/run", json={})
            eigenpal = AsyncEigenpalClient(api_key="k", base_url=s.url, max_retries=0)
            async with eigenpal:
                with pytest.raises(EigenpalConnectionError) as caught:
                    await eigenpal.agents.run("a", {"q": 1})
            # the run may have started: the runner looks for it before starting again
            assert is_ambiguous_start_failure(caught.value)

    run(go)


def test_an_answer_cut_short_is_an_error_and_its_connection_is_not_kept() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        await s.read_request(reader)
        if s.connections == 1:
            writer.write(answer(b"x" * 100)[:-60])
            await writer.drain()
            writer.transport.abort()  # a reset, not a clean close
            return
        writer.write(answer())
        await writer.drain()

    async def go() -> None:
        async with serving(cut) as s, client(PlainHttpTransport()) as http:
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await http.get(s.url + "/")
            assert (await http.get(s.url + "/")).status_code == 200
            assert s.connections == 2

    run(go)


def test_silence_past_the_read_timeout_is_a_read_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        await s.read_request(reader)
        await asyncio.sleep(10)

    async def go() -> None:
        loop = asyncio.get_running_loop()
        async with serving(silent) as s, client(PlainHttpTransport(), timeout=0.2) as http:
            began = loop.time()
            with pytest.raises(httpx.ReadTimeout):
                await http.get(s.url + "/")
            assert 0.15 < loop.time() - began < 5

    run(go)


def test_a_chunked_answer_of_many_megabytes_arrives_whole_and_in_pieces() -> None:
    size = 3 * PAUSE_READING_BYTES + 12345
    payload = bytes(range(256)) * (size // 256) + b"z" * (size % 256)

    async def chunked(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for at in range(0, size, 100_000):
            piece = payload[at : at + 100_000]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    async def go() -> None:
        async with serving(chunked) as s, client(PlainHttpTransport()) as http:
            async with http.stream("GET", s.url + "/file") as response:
                pieces = [piece async for piece in response.aiter_raw()]
                await asyncio.sleep(0)
            assert b"".join(pieces) == payload
            assert len(pieces) > 1

    run(go)


def test_an_upload_of_megabytes_arrives_intact() -> None:
    content = bytes(range(256)) * 20_000  # 5 MB, written as the socket takes it

    async def go() -> None:
        async with serving(keep_alive) as s, client(PlainHttpTransport()) as http:
            response = await http.post(s.url + "/upload", files={"file": ("a.bin", content)})
            assert response.json()["size"] > len(content)
            _, body = s.requests[-1]
            assert content in body

    run(go)


def test_an_answer_sent_before_the_upload_is_read_is_still_read() -> None:
    async def early(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            answer(b'{"error": "too large"}', "413 Content Too Large", b"Connection: close\r\n")
        )
        await writer.drain()
        writer.transport.abort()  # reads nothing more

    async def go() -> None:
        async with serving(early) as s, client(PlainHttpTransport()) as http:
            try:
                response = await http.post(s.url + "/upload", content=b"x" * 20_000_000)
            except (httpx.WriteError, httpx.ReadError):
                pytest.skip("the reset reached the client before the answer did")
            assert response.status_code == 413
            assert response.json() == {"error": "too large"}

    run(go)


def test_a_cancelled_request_frees_its_connection_slot_and_its_connection_is_closed() -> None:
    async def slow_first(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        while True:
            await s.read_request(reader)
            if len(s.requests) == 1:
                await asyncio.sleep(10)
            writer.write(answer())
            await writer.drain()

    async def go() -> None:
        limits = httpx.Limits(max_connections=1)
        async with serving(slow_first) as s, client(PlainHttpTransport(limits=limits)) as http:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(http.get(s.url + "/slow"), 0.1)
            assert (await http.get(s.url + "/next")).status_code == 200
            assert s.connections == 2  # the cut-short one was not used again

    run(go)


def test_an_answer_closed_before_its_end_does_not_leave_its_connection_for_reuse() -> None:
    async def go() -> None:
        big = answer(b"y" * 500_000)

        async def large(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
        ) -> None:
            while True:
                await s.read_request(reader)
                writer.write(big)
                await writer.drain()

        async with serving(large) as s, client(PlainHttpTransport()) as http:
            async with http.stream("GET", s.url + "/") as response:
                async for _ in response.aiter_raw():
                    break
            assert (await http.get(s.url + "/")).status_code == 200
            assert s.connections == 2

    run(go)


def test_informational_answers_are_skipped_for_the_real_one() -> None:
    async def early_hints(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + answer(b'{"ok": 1}'))
        await writer.drain()
        await reader.read()

    async def go() -> None:
        async with serving(early_hints) as s, client(PlainHttpTransport()) as http:
            response = await http.get(s.url + "/")
            assert response.status_code == 200
            assert response.json() == {"ok": 1}

    run(go)


def test_a_connection_the_server_wrote_to_while_idle_is_not_used_again() -> None:
    garbage_sent = asyncio.Event()

    async def chatty(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server) -> None:
        while True:
            await s.read_request(reader)
            writer.write(answer())
            await writer.drain()
            await asyncio.sleep(0.01)
            writer.write(b"garbage")  # no request is out: the connection is spoiled
            await writer.drain()
            garbage_sent.set()

    async def go() -> None:
        async with serving(chatty) as s, client(PlainHttpTransport()) as http:
            await http.get(s.url + "/")
            await garbage_sent.wait()
            assert (await http.get(s.url + "/")).status_code == 200
            assert s.connections == 2

    run(go)


def test_closing_the_transport_closes_its_connections() -> None:
    async def go() -> None:
        async with serving(keep_alive) as s:
            transport = PlainHttpTransport()
            async with client(transport) as http:
                await asyncio.gather(*(http.get(s.url + f"/{i}") for i in range(3)))
            await eventually(lambda: s.closed_by_client == 3)
            assert s.connections == 3

    run(go)


def test_a_close_that_came_while_the_loop_was_busy_is_seen_before_reuse() -> None:
    """The server (in a thread of its own) closes an idle connection while the client's loop
    runs no turn: the close is unread when the next request comes, and must still be seen."""
    accepted: list[socket.socket] = []
    first_closed = threading.Event()

    def serve_two(listener: socket.socket) -> None:
        for _ in range(2):
            connection, _ = listener.accept()
            accepted.append(connection)
            with connection:
                connection.recv(65536)
                connection.sendall(answer())
                time.sleep(0.05)  # the server's idle timeout, then it closes
            first_closed.set()

    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        server = threading.Thread(target=serve_two, args=(listener,), daemon=True)
        server.start()

        async def go() -> None:
            async with client(PlainHttpTransport()) as http:
                await http.get(url + "/")
                # no turn of the loop meanwhile: the close is not read
                assert first_closed.wait(10)
                assert (await http.get(url + "/")).status_code == 200

        run(go)
        server.join(5)
    assert len(accepted) == 2


def test_an_idle_connection_after_a_paused_answer_still_hears_the_server_close() -> None:
    size = PAUSE_READING_BYTES  # all of it, its end too, arrives before it is read

    async def big_once(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)
        writer.write(answer(b"b" * size))
        await writer.drain()
        await asyncio.sleep(0.2)  # then the server's idle timeout closes the connection

    async def go() -> None:
        async with serving(big_once) as s, client(PlainHttpTransport()) as http:
            async with http.stream("GET", s.url + "/big") as response:
                await asyncio.sleep(0.1)  # reading pauses, the answer's end already in
                assert len(await response.aread()) == size
            await eventually(finished(s, 1))  # the server closed it, idle
            assert (await http.get(s.url + "/")).status_code == 200
            assert s.connections == 2

    run(go)


def test_a_server_that_stops_reading_an_upload_gets_a_write_timeout_and_a_closed_socket() -> None:
    upload = 50_000_000
    received: list[int] = []

    async def deaf_then_reading(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(0.5)  # deaf past the client's write timeout
        total = 0
        while chunk := await reader.read(1 << 20):
            total += len(chunk)
        received.append(total)

    async def go() -> None:
        transport = PlainHttpTransport()
        timeout = httpx.Timeout(5.0, write=0.2)
        async with serving(deaf_then_reading) as s:
            async with client(transport, timeout=timeout) as http:
                with pytest.raises(httpx.WriteTimeout):
                    await http.post(s.url + "/upload", content=b"x" * upload)
                assert not transport._connections
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.05)

    run(go)
    # the socket was closed with the rest unsent, not left open to flush the whole body
    assert received
    assert received[0] < upload // 2


def test_a_reset_during_an_upload_stops_the_writes_without_a_flood_of_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def resetting(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()

    async def go() -> None:
        async with serving(resetting) as s, client(PlainHttpTransport()) as http:
            with pytest.raises((httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
                await http.post(s.url + "/upload", content=_chunks(b"x" * 65536, 300))

    with caplog.at_level("WARNING", logger="asyncio"):
        run(go)
    assert not [r for r in caplog.records if "socket.send() raised" in r.getMessage()]


async def _chunks(chunk: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield chunk


def test_a_switch_of_protocols_is_refused_not_waited_on() -> None:
    async def upgrade(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, s: Server
    ) -> None:
        await s.read_request(reader)
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n"
        )
        await writer.drain()
        await asyncio.sleep(10)

    async def go() -> None:
        async with serving(upgrade) as s, client(PlainHttpTransport(), timeout=5) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await asyncio.wait_for(
                    http.get(s.url + "/", headers={"Upgrade": "x", "Connection": "Upgrade"}), 3
                )

    run(go)


def test_a_keepalive_expiry_of_zero_means_no_reuse() -> None:
    async def go() -> None:
        limits = httpx.Limits(keepalive_expiry=0)
        async with serving(keep_alive) as s, client(PlainHttpTransport(limits=limits)) as http:
            await http.get(s.url + "/")
            await http.get(s.url + "/")
            assert s.connections == 2

    run(go)


def test_a_header_http_refuses_is_a_local_error_that_does_not_quote_it() -> None:
    async def go() -> None:
        async with serving(keep_alive) as s, client(PlainHttpTransport()) as http:
            with pytest.raises(httpx.LocalProtocolError) as caught:
                await http.get(s.url + "/", headers={"Authorization": "Bearer eg_secret\nX: 1"})
            assert "eg_secret" not in str(caught.value)
            assert caught.value.__cause__ is None  # nor h11's error, which quotes it
            assert caught.value.__context__ is None
            assert not s.requests  # nothing was sent

    run(go)


@pytest.mark.parametrize(
    ("base_url", "proxy", "plain"),
    [
        ("http://127.0.0.1:8000", None, True),
        ("http://platform.internal", None, True),
        ("https://app.eigenpal.com", None, False),
        ("http://platform.internal", "http://proxy:3128", False),
    ],
)
def test_only_a_plain_http_platform_reached_directly_gets_the_plain_transport(
    base_url: str, proxy: str | None, plain: bool
) -> None:
    transport = async_transport(base_url, limits=httpx.Limits(), verify=True, proxy=proxy)
    assert isinstance(transport, PlainHttpTransport) is plain
    assert plain or isinstance(transport, httpx.AsyncHTTPTransport)
