"""The EigenPal v1 API client: ``EigenpalClient`` and its async twin ``AsyncEigenpalClient``.

Same call tree as the official SDK 0.5.12 (``client.agents.executions.update_feedback``, ...),
answers as ``evalkit.api`` models, plus retries with idempotency keys, hold-then-poll waits
(``agents.run_and_wait``, ``agents.executions.wait``), ``iter_*`` pagination helpers and
streaming downloads. The exception tree is drawn in ``evalkit.client.errors``.
"""

from __future__ import annotations

from evalkit.client._clients import AsyncEigenpalClient, EigenpalClient
from evalkit.client._config import DEFAULT_BASE_URL
from evalkit.client.endpoints.executions import UNSET
from evalkit.client.errors import (
    EigenpalAuthError,
    EigenpalConfigError,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalForbiddenError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
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
    "EigenpalServerError",
    "EigenpalTimeoutError",
    "EigenpalValidationError",
]
