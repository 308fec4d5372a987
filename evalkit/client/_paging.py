"""The pure part of paging: the page size and where the next page starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

#: the API's maximum page size
DEFAULT_PAGE_SIZE = 100

#: fetch(limit, offset) -> (items of the page, total)
PageFetcher = Callable[[int, int], tuple[Sequence[T], int]]
AsyncPageFetcher = Callable[[int, int], Awaitable[tuple[Sequence[T], int]]]


def next_offset(offset: int, page_length: int, total: int) -> int | None:
    """Where the next page starts, or None when this page was the last."""
    if page_length == 0:
        return None
    following = offset + page_length
    return following if following < total else None
