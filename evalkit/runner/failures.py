"""Turning what went wrong into data: API errors and execution endings as ``ExampleError``."""

from __future__ import annotations

import httpx

from evalkit.client.errors import (
    EigenpalAuthError,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalForbiddenError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
    EigenpalResponseError,
    EigenpalServerError,
    EigenpalTimeoutError,
)
from evalkit.runner.health import PlatformDown
from evalkit.runner.results import ErrorKind, ExampleError

_TERMINAL_ERRORS = {
    "failed": ErrorKind.FAILED,
    "rejected": ErrorKind.REJECTED,
    "cancelled": ErrorKind.CANCELLED,
}


def error_from_api(err: EigenpalError, doing: str) -> ExampleError:
    """An API failure while ``doing`` something (e.g. "starting the run"); a platform taken
    for down (``PlatformDown``) is said the same way whatever the example was doing. An
    answer that is not what the API speaks (``EigenpalResponseError``: a proxy's page, broken
    or wrongly shaped JSON) is the platform failing, like a 5xx, not a refused request."""
    kind = ErrorKind.PLATFORM
    advice = ""
    code = _envelope_code(err)
    if isinstance(err, EigenpalAuthError) or (
        isinstance(err, EigenpalForbiddenError) and code != "api_trigger_disabled"
    ):
        kind = ErrorKind.AUTH
    elif isinstance(err, EigenpalForbiddenError):
        kind = ErrorKind.START
        advice = "enable the API trigger in the agent's config: triggers.api.enabled"
    elif never_sent(err) or isinstance(err, PlatformDown):
        kind = ErrorKind.UNREACHABLE
    elif isinstance(err, EigenpalNotFoundError):
        kind = ErrorKind.START
        advice = "is the agent on the platform? run 'evalkit sync' or pass --sync"
    elif not isinstance(
        err,
        (
            EigenpalServerError,
            EigenpalConnectionError,
            EigenpalTimeoutError,
            EigenpalRateLimitError,
            EigenpalResponseError,
        ),
    ):
        kind = ErrorKind.START  # 400 and other 4xx: the platform refused this request
    # Once the platform is down, what this example was doing no longer matters.
    message = (
        err.describe() if isinstance(err, PlatformDown) else f"{doing}: {err.describe(advice)}"
    )
    return ExampleError(
        kind=kind, message=message, status=err.status or None, request_id=err.request_id
    )


def error_from_status(status: str, platform_error: str | None) -> ExampleError | None:
    """None for ``completed``; the error for a failed, rejected or cancelled execution."""
    kind = _TERMINAL_ERRORS.get(status)
    if kind is None:
        return None
    detail = platform_error or "no error message from the platform"
    return ExampleError(kind=kind, message=f"execution {status}: {detail}")


def never_sent(err: EigenpalError) -> bool:
    """No connection could be made (the client has already retried that)."""
    return isinstance(err, EigenpalConnectionError) and isinstance(
        err.__cause__, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
    )


def is_ambiguous_start_failure(err: EigenpalError) -> bool:
    """The run request may have reached the platform and started an execution anyway: its
    answer was lost, came too late, was garbled on the way (``EigenpalResponseError``), or
    was a 5xx other than 503."""
    if never_sent(err):
        return False
    lost = (EigenpalConnectionError, EigenpalTimeoutError, EigenpalResponseError)
    return isinstance(err, lost) or (isinstance(err, EigenpalServerError) and err.status != 503)


def is_retryable_start_failure(err: EigenpalError) -> bool:
    """Worth starting again at the runner's level: the client does not retry a start whose
    answer was lost or garbled, and a 5xx burst may pass. A refused connection too, but only
    once the platform has answered this run (``agent_run``): one that never did is
    unreachable."""
    retryable = (
        EigenpalRateLimitError,
        EigenpalServerError,
        EigenpalConnectionError,
        EigenpalTimeoutError,
        EigenpalResponseError,
    )
    return isinstance(err, retryable) and not isinstance(err, PlatformDown)


def _envelope_code(err: EigenpalError) -> str | None:
    issues = (err.envelope or {}).get("issues")
    if isinstance(issues, list) and issues and isinstance(issues[0], dict):
        code = issues[0].get("code")
        return code if isinstance(code, str) else None
    return None
