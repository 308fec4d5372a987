"""The error envelope every non-2xx response carries."""

from __future__ import annotations

from pydantic import Field

from evalkit.api._base import WireModel
from evalkit.api.enums import IssueSeverity


class ApiIssue(WireModel):
    field: str = "<root>"
    message: str
    code: str
    severity: IssueSeverity = IssueSeverity.ERROR


class ErrorEnvelope(WireModel):
    issues: list[ApiIssue] = Field(default_factory=list)
    request_id: str
    hint: str | None = None
    docs_url: str | None = None
