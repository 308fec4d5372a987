"""Which transport a client of evalkit's gets for its platform: one place for both clients.

The async client (the run's calls) of a plain ``http://`` platform reached without a proxy,
the local one, gets ``PlainHttpTransport``; TLS and proxies go through httpx's own transport,
its connections quickened (``_network``). The sync client (plan, sync, the drift check)
makes few calls and keeps httpx's transport.
"""

from __future__ import annotations

import ssl

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
