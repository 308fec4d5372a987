"""Query strings in: an incoming query parsed into its request's parameters (``evalkit.api``).

The parameters and their rules are declared once, in ``evalkit.api``; a value that breaks a rule
answers 400 with the envelope naming the wire parameter (``query.scanLimit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import ValidationError

from evalkit.api import ApiIssue, ErrorCode, Include, QueryShape, query_value
from evalkit.emulator.problems import ApiProblem

P = TypeVar("P")


def parse_query(shape: QueryShape[P], query: Mapping[str, str], *, prefix: str = "query") -> P:
    """``query`` read as ``shape``'s parameters; every bad value is an issue of one 400, the
    first one's ``hint`` (if its rule gives one) on the envelope. ``prefix=""`` names the
    parameters bare (``limit``), as the workflow routes do."""
    try:
        return shape.parse(query)
    except ValidationError as err:
        errors = err.errors(include_url=False)
        issues = [
            ApiIssue(field=_field(prefix, error["loc"]), message=error["msg"], code="invalid_value")
            for error in errors
        ]
        hint = errors[0].get("ctx", {}).get("hint")
        first = issues[0]
        raise ApiProblem(
            400,
            ErrorCode.INVALID_VALUE,
            first.message,
            field=first.field,
            hint=hint,
            issues=issues,
        ) from None


def _field(prefix: str, loc: tuple[int | str, ...]) -> str:
    # A parameter is one flat value: its location is its wire name alone.
    return ".".join(str(part) for part in (prefix, *loc) if part != "")


def include_text(include: Include) -> str | None:
    """An ``include`` parameter as it was on the wire (comma-separated)."""
    return None if include is None else query_value(include)
