# generated from _async_executor.py by scripts/unasync.py; do not edit
"""Sends ``ApiRequest``s with ``httpx.Client``: retries, error mapping, streamed files."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx

from evalkit.client import _http, _network
from evalkit.client._config import ClientOptions
from evalkit.client._download import atomic_writer
from evalkit.client._request import ApiRequest
from evalkit.client._transports import sync_transport
from evalkit.client.errors import EigenpalConfigError
from evalkit.client.retry import Failure
from evalkit.client.silence import NO_WAIT, Silence, Wait

T = TypeVar("T")
R = TypeVar("R")


class SyncExecutor:
    def __init__(
        self,
        options: ClientOptions,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
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
        self._client = http_client or httpx.Client(
            transport=transport
            or sync_transport(
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

    def close(self) -> None:
        """Close the HTTP client if this executor made it (an injected one is the caller's)."""
        if self._owns_client:
            self._client.close()

    def call(self, req: ApiRequest[T]) -> T:
        def read_and_finish(response: httpx.Response) -> T:
            _http.check_answer_type(req, response)
            intake = _http.Intake.answer(req, response, self.options, self.clock)
            return _http.finish(req, response, self._read(response, intake))

        return self._send(req, read_and_finish)

    def download(self, req: ApiRequest[Any], to: Path | None) -> bytes | Path:
        if to is None:
            content: bytes = self.call(req)
            return content

        def stream_to_file(response: httpx.Response) -> Path:
            _http.check_download_type(req, response)
            intake = _http.Intake.download(req, response, self.options, self.clock)
            intake.begin()  # a file announced too large is refused before anything is written
            # Chunks are written as they come; local disk writes are short enough to need no
            # worker thread.
            with atomic_writer(to) as handle:
                for chunk in response.iter_bytes():
                    intake.accept(chunk)
                    handle.write(chunk)
            return to

        return self._send(req, stream_to_file)

    def _read(self, response: httpx.Response, intake: _http.Intake) -> bytes:
        """The body, as far as ``intake`` lets it come (never more than its limit)."""
        chunks: list[bytes] = []
        if intake.begin():
            for chunk in response.iter_bytes():
                if not intake.accept(chunk):
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def _send(self, req: ApiRequest[Any], consume: Callable[[httpx.Response], R]) -> R:
        wait = self.silence.call(req) if self.silence else NO_WAIT
        with wait:
            return self._attempts(req, consume, wait)

    def _attempts(
        self,
        req: ApiRequest[Any],
        consume: Callable[[httpx.Response], R],
        wait: Wait,
    ) -> R:
        attempt = _http.Attempt.start(req)
        while True:
            started = time.perf_counter()
            wait.sending()
            try:
                with ExitStack() as stack:
                    request = _http.build_request(self._client, attempt, self.options, stack)
                    response = self._client.send(request, auth=self.options.auth, stream=True)
                    wait.answered()
                    try:
                        if response.is_success:
                            result = consume(response)
                            _http.log_answer(attempt, response, started, time.perf_counter())
                            return result
                        intake = _http.Intake.error_body(req, response, self.options, self.clock)
                        error_body = self._read(response, intake)
                        _http.log_answer(attempt, response, started, time.perf_counter())
                    finally:
                        response.close()
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
            self.sleep(delay)
