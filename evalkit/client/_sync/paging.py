# generated from _async/paging.py by scripts/unasync.py; do not edit
"""Every item of a ``limit``/``offset`` list, one page request at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from evalkit.client._paging import (
    DEFAULT_PAGE_SIZE,
    PageFetcher,
    PageGuard,
    next_offset,
)

T = TypeVar("T")


def iter_items(fetch: PageFetcher[T], *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[T]:
    offset: int | None = 0
    guard = PageGuard()
    while offset is not None:
        items, total = fetch(page_size, offset)
        guard.check(offset, items)
        yield from items
        offset = next_offset(offset, len(items), total)
