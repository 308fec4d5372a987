"""Every item of a ``limit``/``offset`` list, one page request at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

from evalkit.client._paging import (
    DEFAULT_PAGE_SIZE,
    AsyncPageFetcher,
    PageGuard,
    next_offset,
)

T = TypeVar("T")


async def aiter_items(
    fetch: AsyncPageFetcher[T], *, page_size: int = DEFAULT_PAGE_SIZE
) -> AsyncIterator[T]:
    offset: int | None = 0
    guard = PageGuard()
    while offset is not None:
        items, total = await fetch(page_size, offset)
        guard.check(offset, items)
        for item in items:
            yield item
        offset = next_offset(offset, len(items), total)
