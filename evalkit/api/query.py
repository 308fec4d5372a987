"""Query strings (contract A1): each request's parameters declared once, read both ways.

A request's query parameters are one ``TypedDict``: snake_case keys, whose camelCase spelling is
the wire name, and beside each key the rule a value must meet. The client's methods take them
as typed keyword arguments (``**params: Unpack[...]``, checked by mypy) and send
``QueryShape.render(params)``; the local platform turns an incoming query string into the same
``TypedDict`` with ``QueryShape.parse``.

Only the platform applies the rules: the client sends what it is given, as the official SDK
does, and the server judges (a bad value is a 400 the caller can read, not a local error).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, ConfigDict, TypeAdapter
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

# pydantic reads a TypedDict from typing_extensions only, before Python 3.12.
from typing_extensions import TypedDict

from evalkit.api._base import format_timestamp, parse_timestamp

P = TypeVar("P")

#: the config of every parameter ``TypedDict`` (``@with_config(QUERY_CONFIG)``)
QUERY_CONFIG = ConfigDict(alias_generator=to_camel)

#: how an example timestamp is shown to someone who sent a bad one
TIMESTAMP_EXAMPLE = "2026-01-01T00:00:00.000Z"


def wire_name(name: str) -> str:
    """The query name of a parameter: its camelCase spelling."""
    return to_camel(name)


def query_value(value: Any) -> str:
    """One value in wire form: booleans ``true``/``false``, lists comma-joined, enums by value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(item) for item in value)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def comma_list(value: str | Sequence[str] | None) -> list[str]:
    """The parts of a comma-separated list value (or of a list), trimmed, empty parts dropped."""
    text = "" if value is None else query_value(value)
    return [part.strip() for part in text.split(",") if part.strip()]


def parameter_types(params: type[Any]) -> dict[str, Any]:
    """Each parameter of a ``TypedDict`` with its type (rules stripped), in declared order."""
    return typing.get_type_hints(params)


class QueryShape(Generic[P]):
    """The query parameters of one request, as the ``TypedDict`` ``params`` declares them.

    ``label`` names one parameter in the client's error for an unknown keyword.
    """

    def __init__(self, params: type[P], *, label: str) -> None:
        self.params = params
        self.label = label
        self.names: tuple[str, ...] = tuple(parameter_types(params))

    def render(self, values: Mapping[str, object]) -> dict[str, str]:
        """The query the client sends: wire names in declared order, ``None`` left out."""
        unknown = sorted(set(values) - set(self.names))
        if unknown:
            raise TypeError(f"unknown {self.label}(s): {', '.join(unknown)}")
        return {
            wire_name(name): query_value(values[name])
            for name in self.names
            if values.get(name) is not None
        }

    def parse(self, query: Mapping[str, str]) -> P:
        """The parameters of an incoming query (unknown names ignored), each rule applied.

        Raises ``pydantic.ValidationError`` whose locations are the wire names; an error's
        ``ctx`` may hold a ``hint``.
        """
        return self._adapter.validate_python(dict(query))

    @cached_property
    def _adapter(self) -> TypeAdapter[P]:
        # Built on first use: the client never parses.
        return TypeAdapter(self.params)


# The rules, for ``Annotated[...]`` beside a parameter.


def one_of(choices: Iterable[str | Enum]) -> AfterValidator:
    """The value must be one of ``choices`` (pydantic's wording for an enum)."""
    allowed = [_text(choice) for choice in choices]

    def check(value: Any) -> Any:
        if value is not None and _text(value) not in allowed:
            raise PydanticCustomError("invalid_value", f"Input should be {_either(allowed)}")
        return value

    return AfterValidator(check)


def _either(allowed: Sequence[str]) -> str:
    quoted = [repr(choice) for choice in allowed]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def each_one_of(choices: Iterable[str | Enum], *, what: str) -> AfterValidator:
    """A comma-separated list whose every part is one of ``choices``."""
    known = sorted(_text(choice) for choice in choices)

    def check(value: Any) -> Any:
        if value is None:
            return None
        unknown = [part for part in comma_list(value) if part not in known]
        if unknown:
            raise PydanticCustomError(
                "invalid_value", f"unknown {what} {', '.join(unknown)}; known: {', '.join(known)}"
            )
        return value

    return AfterValidator(check)


def _timestamp(value: str | None) -> str | None:
    """An ISO-8601 bound, normalised to the stored form (UTC, milliseconds)."""
    if value is None:
        return None
    try:
        return format_timestamp(parse_timestamp(value))
    except (ValueError, OverflowError):
        raise PydanticCustomError(
            "invalid_value",
            f"not an ISO-8601 timestamp: {value!r}",
            {"hint": f"e.g. {TIMESTAMP_EXAMPLE}"},
        ) from None


#: an ISO-8601 time bound (inclusive); the platform normalises it
Timestamp = Annotated[str | None, AfterValidator(_timestamp)]

#: ``include``: one comma-separated text, or a list the client joins
Include = str | Sequence[str] | None


class PageParams(TypedDict, total=False):
    """``limit``/``offset`` paging (A1): every list ends with these two."""

    limit: int | None
    offset: int | None
