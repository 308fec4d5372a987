"""The EigenPal v1 API client: ``EigenpalClient`` and its async twin ``AsyncEigenpalClient``.

Same call tree as the official SDK 0.5.12 (``client.agents.executions.update_feedback``, ...),
answers as ``evalkit.api`` models, plus retries with idempotency keys, hold-then-poll waits
(``agents.run_and_wait``, ``agents.executions.wait``), ``iter_*`` pagination helpers and
streaming downloads. The exception tree is drawn in ``evalkit.client.errors``.

``AsyncEigenpalClient`` is the source of truth: ``EigenpalClient`` and everything under
``_sync`` are generated from ``_async`` by ``scripts/unasync.py`` (edit the async code, then
rerun it). In the async client every call is awaited and the ``iter_*`` helpers are async
iterators (``async for agent in client.agents.iter_list()``).
"""

from __future__ import annotations

from evalkit.client._async.client import AsyncEigenpalClient
from evalkit.client._config import DEFAULT_BASE_URL, check_base_url
from evalkit.client._sync.client import EigenpalClient
from evalkit.client.endpoints.executions import UNSET
from evalkit.client.errors import (
    EigenpalAuthError,
    EigenpalConfigError,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalForbiddenError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
    EigenpalResponseError,
    EigenpalServerError,
    EigenpalTimeoutError,
    EigenpalValidationError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "UNSET",
    "AsyncEigenpalClient",
    "EigenpalAuthError",
    "EigenpalClient",
    "EigenpalConfigError",
    "EigenpalConnectionError",
    "EigenpalError",
    "EigenpalForbiddenError",
    "EigenpalNotFoundError",
    "EigenpalRateLimitError",
    "EigenpalResponseError",
    "EigenpalServerError",
    "EigenpalTimeoutError",
    "EigenpalValidationError",
    "check_base_url",
]
