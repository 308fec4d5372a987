"""Errors raised by the EigenPal client (contract A2).

    EvalkitError                       (evalkit.errors: the CLI prints these, no traceback)
    ├── ConfigError
    │   └── EigenpalConfigError        no API key, or a bad option (also a ValueError)
    └── PlatformTrouble                (evalkit.errors: exit code 3)
        └── EigenpalError              any failed API call: status, request_id, envelope
            ├── EigenpalValidationError    400; ``issues``; message "<field>: <message>" of issue 1
            ├── EigenpalAuthError          401: missing or bad API key
            ├── EigenpalForbiddenError     403: the key has no access (or the API trigger is off)
            ├── EigenpalNotFoundError      404
            ├── EigenpalRateLimitError     429; ``retry_after`` in whole seconds, when sent
            ├── EigenpalServerError        5xx
            ├── EigenpalTimeoutError       status 0: read timeout, an answer that came too slowly,
            │                              or a wait ran past its deadline
            ├── EigenpalConnectionError    status 0: server unreachable or connection dropped
            └── EigenpalResponseError      an answer that is not what the API speaks: not JSON (a
                                           web page, a proxy's login page), broken or too deeply
                                           nested JSON, the wrong shape, the wrong content type for
                                           a download, or larger than the client reads

A plain ``EigenpalError`` covers the rest: another status, or an error status whose body is
not the API's error envelope (usually a ``base_url`` pointing at a web page instead of the API).

No error here ever holds the API key: messages carry method, path and request id only. Text the
platform sent is clipped in messages (an issue's message to ``MAX_SHOWN_CHARS``, a hint, a field
name and a request id shorter); the envelope itself is kept whole.
"""

from __future__ import annotations

from typing import Any

from evalkit.errors import ConfigError, PlatformTrouble

#: the most characters of one text from the platform that a message shows
MAX_SHOWN_CHARS = 500


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


class EigenpalConfigError(ConfigError, ValueError):
    """The client cannot be built from the options and environment it was given.

    A ``ValueError`` like the official SDK's missing-key error, and an evalkit ``ConfigError``
    so that the CLI reports it as a usage problem with no traceback.
    """


class EigenpalError(PlatformTrouble):
    """A failed API call. ``status`` is 0 when no HTTP answer was received."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        envelope: dict[str, Any] | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.envelope = envelope
        body_id = (envelope or {}).get("requestId")
        found = body_id if isinstance(body_id, str) else request_id
        self.request_id: str | None = clip(found, 100) if found else None
        self.method = method
        self.path = path
        super().__init__(self.describe())

    def describe(self, advice: str = "") -> str:
        """The message, the platform's hint, ``advice`` from the caller, then where it
        happened: what to do comes before the request details that a short line may cut."""
        where = [f"{self.method} {self.path}"] if self.method and self.path else []
        if self.status:
            where.append(f"HTTP {self.status}")
        if self.request_id:
            where.append(f"request id {self.request_id}")
        text = self.message
        hint = (self.envelope or {}).get("hint")
        if isinstance(hint, str) and hint:
            text += f"; hint: {clip(hint, 300)}"
        if advice:
            text += f" ({advice})"
        return f"{text} ({', '.join(where)})" if where else text


class EigenpalValidationError(EigenpalError):
    """400: the request was invalid; ``issues`` lists every problem the server found."""

    def __init__(self, *, envelope: dict[str, Any] | None = None, **where: Any) -> None:
        raw_issues = (envelope or {}).get("issues")
        self.issues: list[dict[str, Any]] = [
            issue for issue in (raw_issues or []) if isinstance(issue, dict)
        ]
        if self.issues:
            first = self.issues[0]
            field = clip(str(first.get("field", "<root>")), 100)
            message = f"{field}: {clip(str(first.get('message', 'invalid')))}"
        else:
            message = "validation error"
        super().__init__(message, status=400, envelope=envelope, **where)


class EigenpalAuthError(EigenpalError):
    """401: the API key is missing, malformed or revoked."""


class EigenpalForbiddenError(EigenpalError):
    """403: the key is valid but may not do this."""


class EigenpalNotFoundError(EigenpalError):
    """404: no such agent, execution, workflow or file."""


class EigenpalRateLimitError(EigenpalError):
    """429: too many requests; ``retry_after`` is the server's advice in seconds, if any."""

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class EigenpalServerError(EigenpalError):
    """5xx: the platform failed."""


class EigenpalTimeoutError(EigenpalError):
    """No answer in time: a read timeout, or a wait that passed its deadline."""

    def __init__(self, message: str = "operation timed out", **kwargs: Any) -> None:
        kwargs.setdefault("status", 0)
        super().__init__(message, **kwargs)


class EigenpalConnectionError(EigenpalError):
    """The server could not be reached, or dropped the connection mid-answer."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("status", 0)
        super().__init__(message, **kwargs)


class EigenpalResponseError(EigenpalError):
    """The platform answered, but not as the API does: not JSON, broken or too deeply nested
    JSON, JSON of the wrong shape, a download of the wrong content type, or an answer larger
    than the client reads. ``status`` is the answer's HTTP status (usually 200)."""


_AUTH_ADVICE = (
    "the API key was refused; pass a valid key with api_key=... (or --api-key) "
    "or set EIGENPAL_API_KEY"
)


def error_for_status(
    status: int,
    envelope: dict[str, Any] | None,
    *,
    retry_after: int | None = None,
    request_id: str | None = None,
    method: str | None = None,
    path: str | None = None,
) -> EigenpalError:
    """The exception for a non-2xx answer, by status (contract A2)."""
    where: dict[str, Any] = {
        "envelope": envelope,
        "request_id": request_id,
        "method": method,
        "path": path,
    }
    first = _first_issue_message(envelope)
    if status == 400:
        return EigenpalValidationError(**where)
    if status == 401:
        return EigenpalAuthError(first or _AUTH_ADVICE, status=401, **where)
    if status == 403:
        return EigenpalForbiddenError(first or "forbidden", status=403, **where)
    if status == 404:
        return EigenpalNotFoundError(first or "not found", status=404, **where)
    if status == 429:
        message = first or "rate limit exceeded"
        if retry_after is not None:
            message += f"; retry after {retry_after} s"
        return EigenpalRateLimitError(message, retry_after=retry_after, status=429, **where)
    if status >= 500:
        return EigenpalServerError(first or "server error", status=status, **where)
    return EigenpalError(first or f"unexpected status {status}", status=status, **where)


def _first_issue_message(envelope: dict[str, Any] | None) -> str | None:
    issues = (envelope or {}).get("issues")
    if isinstance(issues, list) and issues and isinstance(issues[0], dict):
        message = issues[0].get("message")
        return clip(message) if isinstance(message, str) and message else None
    return None
