"""``limit``/``offset`` rules shared by every list endpoint (contract A1, Part B6)."""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.emulator.problems import invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_from_query(limit: int | None, offset: int | None) -> Page:
    """Validate ``limit`` (1..100, default 50) and ``offset`` (>= 0, default 0)."""
    chosen_limit = DEFAULT_LIMIT if limit is None else limit
    chosen_offset = 0 if offset is None else offset
    if not 1 <= chosen_limit <= MAX_LIMIT:
        raise invalid("limit", f"limit must be between 1 and {MAX_LIMIT}, got {chosen_limit}")
    if chosen_offset < 0:
        raise invalid("offset", f"offset must be 0 or more, got {chosen_offset}")
    return Page(chosen_limit, chosen_offset)
