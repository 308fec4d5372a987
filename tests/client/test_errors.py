"""Status -> exception, messages a user can act on, and the tree's shape."""

from __future__ import annotations

import pytest

from evalkit.client import errors
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
    error_for_status,
)
from evalkit.errors import ConfigError, EvalkitError


def env(message: str = "boom", field: str = "input.total") -> dict[str, object]:
    issue = {"field": field, "message": message, "code": "invalid_value", "severity": "error"}
    return {"issues": [issue], "requestId": "req_42"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, EigenpalValidationError),
        (401, EigenpalAuthError),
        (403, EigenpalForbiddenError),
        (404, EigenpalNotFoundError),
        (429, EigenpalRateLimitError),
        (500, EigenpalServerError),
        (502, EigenpalServerError),
        (503, EigenpalServerError),
        (409, EigenpalError),
        (418, EigenpalError),
    ],
)
def test_status_maps_to_exception(status: int, cls: type[EigenpalError]) -> None:
    err = error_for_status(status, env(), method="GET", path="/api/v1/agents")
    assert type(err) is cls
    assert err.status == status
    assert err.request_id == "req_42"
    assert err.envelope == env()
    assert "GET /api/v1/agents" in str(err)
    assert "req_42" in str(err)


def test_validation_message_is_field_and_message_of_first_issue() -> None:
    envelope = env("must be a number")
    envelope["issues"].append({"field": "x", "message": "second", "code": "c"})  # type: ignore[attr-defined]
    err = error_for_status(400, envelope, method="POST", path="/api/v1/agents/a/run")
    assert isinstance(err, EigenpalValidationError)
    assert err.message == "input.total: must be a number"
    assert str(err).startswith("input.total: must be a number (POST /api/v1/agents/a/run")
    assert len(err.issues) == 2


def test_validation_without_issues() -> None:
    err = error_for_status(400, None)
    assert isinstance(err, EigenpalValidationError)
    assert err.issues == []
    assert str(err) == "validation error (HTTP 400)"


def test_request_id_falls_back_to_header() -> None:
    err = error_for_status(404, {"issues": []}, request_id="req_header")
    assert err.request_id == "req_header"
    assert "request id req_header" in str(err)


def test_rate_limit_carries_retry_after() -> None:
    err = error_for_status(429, env("slow down"), retry_after=7)
    assert isinstance(err, EigenpalRateLimitError)
    assert err.retry_after == 7
    assert "retry after 7 s" in str(err)


def test_auth_error_without_envelope_says_how_to_give_a_key() -> None:
    err = error_for_status(401, None)
    assert "EIGENPAL_API_KEY" in str(err)
    assert "api_key=" in str(err)


def test_hint_is_shown() -> None:
    envelope = {**env("api trigger is disabled"), "hint": "enable triggers.api"}
    assert "hint: enable triggers.api" in str(error_for_status(403, envelope))


def test_status_zero_errors() -> None:
    timeout = EigenpalTimeoutError("too slow", method="GET", path="/p")
    assert (timeout.status, str(timeout)) == (0, "too slow (GET /p)")
    assert EigenpalTimeoutError().message == "operation timed out"
    assert EigenpalConnectionError("refused").status == 0


def test_tree() -> None:
    for cls in (
        EigenpalValidationError,
        EigenpalAuthError,
        EigenpalForbiddenError,
        EigenpalNotFoundError,
        EigenpalRateLimitError,
        EigenpalServerError,
        EigenpalTimeoutError,
        EigenpalConnectionError,
        EigenpalResponseError,
    ):
        assert issubclass(cls, EigenpalError)
        assert cls.__name__ in (errors.__doc__ or "")
    assert issubclass(EigenpalError, EvalkitError)  # the CLI prints it without a traceback
    assert issubclass(EigenpalConfigError, ConfigError)
    assert issubclass(EigenpalConfigError, ValueError)  # as the SDK's missing-key error


def test_api_errors_exit_as_infrastructure_trouble() -> None:
    from evalkit.exit_codes import ExitCode, exit_code_for

    assert exit_code_for(error_for_status(503, None)) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(EigenpalTimeoutError()) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(EigenpalResponseError("not JSON", status=200)) == ExitCode.INFRASTRUCTURE
    assert exit_code_for(EigenpalConfigError("no key")) == ExitCode.USAGE


def test_platform_text_is_clipped_in_the_message_only() -> None:
    issue = {"field": "f" * 1000, "message": "m" * 10_000}
    envelope = {"issues": [issue], "hint": "h" * 10_000, "requestId": "r" * 1000}
    err = error_for_status(400, envelope)
    assert len(str(err)) < 1200
    assert "(9500 more characters)" in str(err)
    assert err.envelope == envelope
    assert len(error_for_status(404, envelope).message) < 600
