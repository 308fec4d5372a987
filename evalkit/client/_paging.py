"""The pure part of paging: the page size and where the next page starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from evalkit.client.errors import EigenpalResponseError

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


#: this many equal pages in a row means the platform ignores ``offset``
SAME_PAGES_LIMIT = 3


@dataclass
class PageGuard:
    """Stops a listing whose pages repeat: a platform (or a cache in between) that ignores
    ``offset`` would otherwise be asked for ever, ``total`` never being reached.

    One repeat can be honest (page size 1, and an item added in front between two requests),
    so it takes ``SAME_PAGES_LIMIT`` equal pages in a row.
    """

    previous: Sequence[Any] = ()
    first_offset: int = 0
    same: int = 1

    def check(self, offset: int, page: Sequence[Any]) -> None:
        if page and list(page) == list(self.previous):
            self.same += 1
        else:
            self.previous, self.first_offset, self.same = page, offset, 1
        if self.same >= SAME_PAGES_LIMIT:
            raise EigenpalResponseError(
                f"the platform answered offsets {self.first_offset} to {offset} with the same "
                "items: it does not seem to honour offset, so listing stopped here; check "
                "base_url, and that no cache in between ignores the query string",
                status=200,
            )
