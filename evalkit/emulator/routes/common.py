"""Helpers every route module shares: the platform and workflow dependencies, JSON bodies,
includes, errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from evalkit.api import ApiIssue, ErrorCode, format_timestamp, parse_timestamp
from evalkit.emulator.platform import Platform
from evalkit.emulator.problems import ApiProblem, invalid
from evalkit.emulator.runtime.bounded_json import BoundedJsonError, load_bounded_json
from evalkit.emulator.workflows import WorkflowService

API = "/api/v1"
T = TypeVar("T")


def platform_in(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


# The dependencies are ``async`` so that FastAPI calls them on the event loop: a plain
# function would be sent to the thread pool, a thread hop per request for one attribute read.
async def platform_of(request: Request) -> Platform:
    return platform_in(request)


PlatformDep = Annotated[Platform, Depends(platform_of)]


async def workflows_of(request: Request) -> WorkflowService:
    """The workflow service; the app sets it only when it mounts the workflow routes."""
    workflows: WorkflowService = request.app.state.workflows
    return workflows


WorkflowsDep = Annotated[WorkflowService, Depends(workflows_of)]


def query_param(request: Request, name: str, rule: TypeAdapter[T]) -> T:
    """A query parameter checked by ``rule`` as FastAPI checks a declared one: its last value
    (None when absent), a bad one the same 400 (``query.<name>``, pydantic's message)."""
    try:
        return rule.validate_python(request.query_params.get(name))
    except ValidationError as err:
        errors = [
            {**error, "loc": ("query", name, *error["loc"])}
            for error in err.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from None


def field_path(loc: Sequence[int | str]) -> str:
    """``("body", "files", 0, "path")`` -> ``body.files[0].path``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "<root>"


def issues_from_errors(errors: Sequence[Any], prefix: Sequence[str] = ()) -> list[ApiIssue]:
    issues = []
    for error in errors:
        loc = [*prefix, *error.get("loc", ())]
        message = str(error.get("msg", "invalid value"))
        issues.append(ApiIssue(field=field_path(loc), message=message, code="invalid_value"))
    return issues


def validation_problem(err: ValidationError, prefix: str) -> ApiProblem:
    issues = issues_from_errors(err.errors(include_url=False), (prefix,))
    first = issues[0]
    return ApiProblem(400, ErrorCode.INVALID_VALUE, first.message, field=first.field, issues=issues)


def parse_json_object(raw: bytes | str, field: str, *, empty_ok: bool = True) -> dict[str, Any]:
    """A JSON object from text; an empty text is ``{}`` when ``empty_ok``."""
    if isinstance(raw, bytes):
        try:  # the bytes as they came: no copy of a large body as text first
            value = load_bounded_json(raw, field)
        except BoundedJsonError:
            return _json_object_of_text(_utf8_text(raw, field), field, empty_ok=empty_ok)
        return _json_object(value, field)
    return _json_object_of_text(raw, field, empty_ok=empty_ok)


def _utf8_text(raw: bytes, field: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise invalid(field, f"the body is not UTF-8 text: {err}") from err


def _json_object_of_text(raw: str, field: str, *, empty_ok: bool) -> dict[str, Any]:
    if not raw.strip():
        if empty_ok:
            return {}
        raise invalid(field, "expected a JSON object, got nothing")
    try:
        value = load_bounded_json(raw.encode("utf-8", "surrogatepass"), field)
    except BoundedJsonError as err:
        raise invalid(field, str(err)) from err
    return _json_object(value, field)


def _json_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(field, f"expected a JSON object, got {type(value).__name__}")
    return value


def parse_include(raw: str | None, allowed: frozenset[str]) -> frozenset[str]:
    if not raw:
        return frozenset()
    asked = frozenset(part.strip() for part in raw.split(",") if part.strip())
    unknown = sorted(asked - allowed)
    if unknown:
        raise invalid(
            "query.include",
            f"unknown include value(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}",
        )
    return asked


def timestamp_param(raw: str | None, name: str) -> str | None:
    """An ISO-8601 bound, normalised to the stored format (UTC, milliseconds)."""
    if raw is None:
        return None
    try:
        return format_timestamp(parse_timestamp(raw))
    except ValueError as err:
        raise invalid(
            f"query.{name}",
            f"not an ISO-8601 timestamp: {raw!r}",
            hint="e.g. 2026-01-01T00:00:00.000Z",
        ) from err
