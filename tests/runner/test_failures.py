"""API failures and execution endings as the errors recorded for an example."""

from __future__ import annotations

import httpx
import pytest

from evalkit.client.errors import (
    EigenpalConnectionError,
    EigenpalError,
    EigenpalResponseError,
    EigenpalTimeoutError,
    error_for_status,
)
from evalkit.runner.failures import (
    error_from_api,
    error_from_status,
    is_ambiguous_start_failure,
    is_retryable_start_failure,
)
from evalkit.runner.health import PlatformDown
from evalkit.runner.results import ErrorKind


def envelope(code: str, message: str = "nope") -> dict[str, object]:
    return {"issues": [{"field": "<root>", "message": message, "code": code}], "requestId": "r1"}


def garbled() -> EigenpalResponseError:
    """What the client raises for a proxy's login page instead of the API's answer."""
    return EigenpalResponseError(
        "the answer is not JSON: it looks like an HTML page",
        status=200,
        method="POST",
        path="/api/v1/agents/a/run",
    )


def refused() -> EigenpalConnectionError:
    try:
        raise httpx.ConnectError("refused")
    except httpx.ConnectError as cause:
        try:
            raise EigenpalConnectionError("cannot reach the EigenPal API") from cause
        except EigenpalConnectionError as err:
            return err


@pytest.mark.parametrize(
    ("err", "kind", "hint"),
    [
        (error_for_status(401, envelope("unauthorized")), ErrorKind.AUTH, None),
        (error_for_status(403, envelope("forbidden")), ErrorKind.AUTH, None),
        (
            error_for_status(403, envelope("api_trigger_disabled")),
            ErrorKind.START,
            "triggers.api.enabled",
        ),
        (error_for_status(404, envelope("not_found")), ErrorKind.START, "evalkit sync"),
        (error_for_status(400, envelope("invalid_value")), ErrorKind.START, None),
        (error_for_status(500, envelope("internal")), ErrorKind.PLATFORM, None),
        (error_for_status(429, envelope("rate_limited"), retry_after=3), ErrorKind.PLATFORM, None),
        (EigenpalTimeoutError(), ErrorKind.PLATFORM, None),
        # the platform (or a proxy) failing, not refusing this request: it counts towards
        # "platform errors on most examples" (exit 3), not as the agent's failure (exit 1)
        (garbled(), ErrorKind.PLATFORM, None),
        (refused(), ErrorKind.UNREACHABLE, None),
    ],
)
def test_api_errors_are_classified(err: EigenpalError, kind: ErrorKind, hint: str | None) -> None:
    error = error_from_api(err, "starting the run")
    assert error.kind is kind
    assert error.message.startswith("starting the run: ")
    if hint:
        # before the request details, so that a line cut short still shows what to do
        assert error.message.index(hint) < error.message.index("HTTP ")
    assert error.request_id == err.request_id


def test_which_start_failures_are_retried_and_which_may_have_started_something() -> None:
    dropped = EigenpalConnectionError("the connection failed mid-request")
    unavailable = error_for_status(503, envelope("internal"))
    broken = error_for_status(502, envelope("internal"))
    bad = error_for_status(400, envelope("invalid_value"))
    assert is_ambiguous_start_failure(dropped)
    assert is_ambiguous_start_failure(broken)
    assert not is_ambiguous_start_failure(unavailable)  # 503: the server did not act
    assert not is_ambiguous_start_failure(refused())
    # The run request got there; its answer was spoilt on the way back: look before restarting.
    assert is_ambiguous_start_failure(garbled())
    assert is_retryable_start_failure(garbled())
    assert is_retryable_start_failure(unavailable)
    assert not is_retryable_start_failure(bad)
    # Nothing was sent: safe to start again (once the platform answered this run: agent_run).
    assert is_retryable_start_failure(refused())
    assert not is_retryable_start_failure(PlatformDown("down"))


def test_a_platform_taken_for_down_is_unreachable() -> None:
    error = error_from_api(PlatformDown("nothing was answered for 60 s"), "waiting")
    assert error.kind is ErrorKind.UNREACHABLE
    assert error.message == "nothing was answered for 60 s"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("failed", ErrorKind.FAILED),
        ("rejected", ErrorKind.REJECTED),
        ("cancelled", ErrorKind.CANCELLED),
    ],
)
def test_bad_endings_carry_the_platform_message(status: str, kind: ErrorKind) -> None:
    error = error_from_status(status, "schema mismatch")
    assert error is not None
    assert error.kind is kind
    assert error.message == f"execution {status}: schema mismatch"


def test_completed_is_no_error_and_a_missing_message_is_said() -> None:
    assert error_from_status("completed", None) is None
    error = error_from_status("failed", None)
    assert error is not None
    assert "no error message from the platform" in error.message
