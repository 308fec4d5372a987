"""Walking every page of a ``limit``/``offset`` list (contract A1: no cursor, no hasMore).

``iter_items`` is generated from ``aiter_items`` (``_async/paging.py``) by scripts/unasync.py.
"""

from __future__ import annotations

from evalkit.client._async.paging import aiter_items
from evalkit.client._paging import DEFAULT_PAGE_SIZE, AsyncPageFetcher, PageFetcher, next_offset
from evalkit.client._sync.paging import iter_items

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "AsyncPageFetcher",
    "PageFetcher",
    "aiter_items",
    "iter_items",
    "next_offset",
]
