"""A request described as data, built by pure functions and sent by either executor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from evalkit.api.query import query_value
from evalkit.client._files import FilePart
from evalkit.client.retry import RetryPolicy

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

API_PREFIX = "/api/v1"

#: what the executor must do with a 2xx answer
Expect = Literal["json", "empty", "bytes"]


@dataclass(frozen=True)
class Multipart:
    """Text fields first, then file fields, as the official SDK (via httpx) orders them."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[FilePart] = field(default_factory=list)


@dataclass(frozen=True)
class ApiRequest(Generic[T]):
    """One call: where it goes, what it carries, how to read the answer, whether to retry."""

    method: str
    path: str  # already percent-encoded, starting with /api/v1
    parse: Callable[[Any], T]
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    has_json: bool = False  # distinguishes "no body" from a JSON ``null``
    multipart: Multipart | None = None
    retry: RetryPolicy = RetryPolicy.SAFE
    expect: Expect = "json"
    #: seconds the server may hold the answer (``wait_for_completion``): the read timeout
    #: must outlast it whatever the client's own timeout
    hold_seconds: float = 0.0


def api_path(*segments: str | Enum) -> str:
    """``/api/v1/...`` from literal and caller-supplied segments.

    Segments are percent-encoded with nothing kept safe, so a ``/`` inside an id or a
    filename travels as ``%2F`` and cannot reach another route; a segment that is ``.`` or
    ``..`` travels as ``%2E`` or ``%2E%2E``, which no URL parser removes as a dot segment.
    """
    return API_PREFIX + "".join("/" + _segment(_text(segment)) for segment in segments)


def _segment(text: str) -> str:
    if text in (".", ".."):
        return "%2E" * len(text)
    return quote(text, safe="")


def query(**pairs: Any) -> dict[str, str]:
    """Query parameters in wire form (``query_value``), ``None`` dropped. Keyword names are
    the wire names; a request with many parameters declares them in ``evalkit.api`` instead."""
    return {name: query_value(value) for name, value in pairs.items() if value is not None}


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


@dataclass(frozen=True)
class ModelParser(Generic[M]):
    """Validates an answer into ``cls``: decoded JSON when called, or straight from the
    answer's bytes (``from_json``: pydantic reads them once, twice as fast as ``json.loads``
    and then validating what it built)."""

    cls: type[M]

    def __call__(self, value: Any) -> M:
        return self.cls.model_validate(value)

    def from_json(self, body: bytes) -> M:
        return self.cls.model_validate_json(body)


def model(cls: type[M]) -> ModelParser[M]:
    """A parser that validates the JSON answer into ``cls``."""
    return ModelParser(cls)


def nothing(_: Any) -> None:
    return None


def raw(body: Any) -> Any:
    return body


def json_body(payload: Any) -> dict[str, Any]:
    """Keyword arguments for ``ApiRequest`` that send ``payload`` as a JSON body."""
    return {"json": payload, "has_json": True}


def drop_none(**values: Any) -> dict[str, Any]:
    """A JSON object holding only the values that were given (SDK style: None = absent)."""
    return {key: value for key, value in values.items() if value is not None}
