"""Walking every page of a ``limit``/``offset`` list (contract A1: no cursor, no hasMore)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
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


def iter_items(fetch: PageFetcher[T], *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[T]:
    offset: int | None = 0
    while offset is not None:
        items, total = fetch(page_size, offset)
        yield from items
        offset = next_offset(offset, len(items), total)


async def aiter_items(
    fetch: AsyncPageFetcher[T], *, page_size: int = DEFAULT_PAGE_SIZE
) -> AsyncIterator[T]:
    offset: int | None = 0
    while offset is not None:
        items, total = await fetch(page_size, offset)
        for item in items:
            yield item
        offset = next_offset(offset, len(items), total)
