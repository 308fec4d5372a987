"""The one exception every emulator layer raises to answer with the error envelope.

The app's exception handler turns an ``ApiProblem`` into the contract's envelope
(``{issues: [{field, message, code, severity}], requestId, hint?}``) with the same
request id in the ``x-request-id`` header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evalkit.api import ApiIssue, ErrorCode


class ApiProblem(Exception):
    """An error answer: HTTP status, envelope code, message, and the field it concerns."""

    def __init__(
        self,
        status: int,
        code: ErrorCode | str,
        message: str,
        *,
        field: str = "<root>",
        hint: str | None = None,
        headers: Mapping[str, str] | None = None,
        issues: Sequence[ApiIssue] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code.value if isinstance(code, ErrorCode) else code
        self.message = message
        self.field = field
        self.hint = hint
        self.headers = dict(headers or {})
        #: every issue when there are several (e.g. validation); else built from the above
        self.issues = (
            list(issues) if issues else [ApiIssue(field=field, message=message, code=self.code)]
        )


def not_found(what: str, ident: str) -> ApiProblem:
    return ApiProblem(404, ErrorCode.NOT_FOUND, f"{what} {ident!r} not found")


def invalid(field: str, message: str, *, hint: str | None = None) -> ApiProblem:
    return ApiProblem(400, ErrorCode.INVALID_VALUE, message, field=field, hint=hint)
