"""Which transport a client of evalkit's gets for its platform: one place for both clients.

The async client (the run's calls) of a plain ``http://`` platform reached without a proxy,
the local one, gets ``PlainHttpTransport``; TLS and proxies go through httpx's own transport,
its connections quickened (``_network``). The sync client (plan, sync, the drift check)
makes few calls and keeps httpx's transport.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence

import httpx

from evalkit.client._network import quicken
from evalkit.client._plain_http import PlainHttpTransport


def async_transport(
    base_url: str, *, limits: httpx.Limits, verify: ssl.SSLContext | bool, proxy: str | None
) -> httpx.AsyncBaseTransport:
    if proxy is None and httpx.URL(base_url).scheme == "http":
        return PlainHttpTransport(limits=limits)
    transport = httpx.AsyncHTTPTransport(limits=limits, verify=verify, proxy=proxy)
    quicken(transport)
    return transport


def sync_transport(
    base_url: str, *, limits: httpx.Limits, verify: ssl.SSLContext | bool, proxy: str | None
) -> httpx.BaseTransport:
    del base_url  # the same for every platform (the async twin's signature, see unasync)
    return httpx.HTTPTransport(limits=limits, verify=verify, proxy=proxy)


async def open_ahead(
    transports: Sequence[httpx.AsyncBaseTransport], base_url: str, *, timeout: float
) -> int:
    """One idle connection to ``base_url`` in each transport that can keep one ahead (evalkit's
    own, ``PlainHttpTransport``), all opened together; how many were. The run does this just
    before its first starts: the platform then accepts the connections together, before the
    starts come, rather than one by one between them. A connection that fails is not retried
    here: the request that needs it tries again and says why."""
    ahead = [
        transport.open_ahead(base_url, timeout)
        for transport in transports
        if isinstance(transport, PlainHttpTransport)
    ]
    opened = await asyncio.gather(*ahead, return_exceptions=True)
    return sum(1 for outcome in opened if outcome is True)
