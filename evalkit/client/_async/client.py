"""The client object: its options, its HTTP client, and the resources hung on it."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING

import anyio
import httpx

from evalkit.client._async.agents import AgentsResource
from evalkit.client._async.workflows import WorkflowsResource
from evalkit.client._async_executor import AsyncExecutor
from evalkit.client._config import (
    DEFAULT_TIMEOUT_SECONDS,
    MAX_ANSWER_BYTES,
    MAX_DOWNLOAD_BYTES,
    resolve_options,
)
from evalkit.client.retry import DEFAULT_MAX_RETRIES
from evalkit.client.silence import Silence

if TYPE_CHECKING:  # annotations only: no runtime need for typing_extensions
    from typing_extensions import Self


class AsyncEigenpalClient:
    """The EigenPal v1 API, with the official SDK's call tree (``client.agents.run``, ...).

    >>> client = AsyncEigenpalClient()  # EIGENPAL_API_KEY from the environment
    >>> client = AsyncEigenpalClient(api_key="eg_...")  # an argument always wins

    ``max_answer_bytes`` bounds an answer read into memory (128 MiB) and
    ``max_download_bytes`` a file downloaded with ``to=`` (1 GiB): a platform that sends more
    gets ``EigenpalResponseError``. ``patience_seconds`` (default 0: ``max_retries`` alone
    decides) is how long a call waits out a platform that does not serve it: 429 answers are
    waited out (``Retry-After``, jittered) for up to that long in all, beyond ``max_retries``,
    and a request without an answer is not tried again once the platform has answered
    nothing for that long (``silence``). ``transport`` or ``http_client`` replace the network
    (tests); an injected ``http_client`` is left open on ``close()``, being its owner's.
    ``sleep``, ``clock`` and ``jitter`` drive retries and waits, so tests need not sleep.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        verify_ssl: bool = True,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
        patience_seconds: float = 0.0,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        options = resolve_options(
            api_key=api_key,
            base_url=base_url,
            timeout_seconds=timeout_seconds,
            verify_ssl=verify_ssl,
            max_retries=max_retries,
            max_answer_bytes=max_answer_bytes,
            max_download_bytes=max_download_bytes,
            patience_seconds=patience_seconds,
        )
        del api_key  # held only by options.auth from here on
        self._executor = AsyncExecutor(
            options,
            http_client=http_client,
            transport=transport,
            sleep=sleep,
            clock=clock,
            jitter=jitter,
        )
        self.agents = AgentsResource(self._executor)
        self.workflows = WorkflowsResource(self._executor)

    @property
    def base_url(self) -> str:
        return self._executor.options.base_url

    @property
    def silence(self) -> Silence | None:
        """How long the platform has answered none of the calls (with ``patience_seconds``)."""
        return self._executor.silence

    async def close(self) -> None:
        await self._executor.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncEigenpalClient(base_url={self.base_url!r}, api_key='***')"
