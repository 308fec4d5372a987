"""Sends ``ApiRequest``s with ``httpx.AsyncClient``: retries, error mapping, streamed files."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx

from evalkit.client import _http, _network
from evalkit.client._config import ClientOptions
from evalkit.client._download import atomic_writer
from evalkit.client._request import ApiRequest
from evalkit.client._transports import async_transport
from evalkit.client.errors import EigenpalConfigError
from evalkit.client.retry import Failure
from evalkit.client.silence import NO_WAIT, Silence, Wait

T = TypeVar("T")
R = TypeVar("R")


class AsyncExecutor:
    def __init__(
        self,
        options: ClientOptions,
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if http_client is not None and transport is not None:
            raise EigenpalConfigError(
                "give transport= or http_client=, not both (set the transport on the client)"
            )
        self.options = options
        self._owns_client = http_client is None
        # No proxy or .netrc from httpx's reading of the environment: the proxy is evalkit's
        # choice (``proxy_for``), the same for every client; none around a transport given.
        self._client = http_client or httpx.AsyncClient(
            transport=transport
            or async_transport(
                options.base_url,
                limits=httpx.Limits(),  # httpx's own, as a client it makes would have
                verify=_http.verification(options),
                proxy=_http.proxy_for(options.base_url),
            ),
            follow_redirects=False,
            trust_env=False,
        )
        _network.quiet_cookies(self._client)
        self.sleep = sleep
        self.clock = clock
        self._jitter = jitter
        #: how long the platform has answered none of the calls (with ``patience_seconds``)
        self.silence = Silence(clock) if options.patience_seconds else None

    async def close(self) -> None:
        """Close the HTTP client if this executor made it (an injected one is the caller's)."""
        if self._owns_client:
            await self._client.aclose()

    async def call(self, req: ApiRequest[T]) -> T:
        async def read_and_finish(response: httpx.Response) -> T:
            _http.check_answer_type(req, response)
            intake = _http.Intake.answer(req, response, self.options, self.clock)
            return _http.finish(req, response, await self._read(response, intake))

        return await self._send(req, read_and_finish)

    async def download(self, req: ApiRequest[Any], to: Path | None) -> bytes | Path:
        if to is None:
            content: bytes = await self.call(req)
            return content

        async def stream_to_file(response: httpx.Response) -> Path:
            _http.check_download_type(req, response)
            intake = _http.Intake.download(req, response, self.options, self.clock)
            intake.begin()  # a file announced too large is refused before anything is written
            # Chunks are written as they come; local disk writes are short enough to need no
            # worker thread.
            with atomic_writer(to) as handle:
                async for chunk in response.aiter_bytes():
                    intake.accept(chunk)
                    handle.write(chunk)
            return to

        return await self._send(req, stream_to_file)

    async def _read(self, response: httpx.Response, intake: _http.Intake) -> bytes:
        """The body, as far as ``intake`` lets it come (never more than its limit)."""
        chunks: list[bytes] = []
        if intake.begin():
            async for chunk in response.aiter_bytes():
                if not intake.accept(chunk):
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    async def _send(
        self, req: ApiRequest[Any], consume: Callable[[httpx.Response], Awaitable[R]]
    ) -> R:
        wait = self.silence.call(req) if self.silence else NO_WAIT
        with wait:
            return await self._attempts(req, consume, wait)

    async def _attempts(
        self,
        req: ApiRequest[Any],
        consume: Callable[[httpx.Response], Awaitable[R]],
        wait: Wait,
    ) -> R:
        attempt = _http.Attempt.start(req)
        while True:
            started = time.perf_counter()
            wait.sending()
            try:
                with ExitStack() as stack:
                    request = _http.build_request(self._client, attempt, self.options, stack)
                    response = await self._client.send(request, auth=self.options.auth, stream=True)
                    wait.answered()
                    try:
                        if response.is_success:
                            result = await consume(response)
                            _http.log_answer(attempt, response, started, time.perf_counter())
                            return result
                        intake = _http.Intake.error_body(req, response, self.options, self.clock)
                        error_body = await self._read(response, intake)
                        _http.log_answer(attempt, response, started, time.perf_counter())
                    finally:
                        await response.aclose()
                        _http.let_go(response)
            except httpx.TransportError as exc:
                failure = _http.classify(exc)
                silent_for = self.silence.seconds() if self.silence else 0.0
                delay = _http.retry_delay(
                    attempt, failure, self.options, jitter=self._jitter, silent_for=silent_for
                )
                if delay is None:
                    raise _http.transport_error(req, exc, self.options, silent_for) from exc
            else:
                delay = _http.retry_delay(
                    attempt, Failure.STATUS, self.options, jitter=self._jitter, response=response
                )
                if delay is None:
                    raise _http.error_from_response(req, response, error_body)
            await self.sleep(delay)
