"""JSON of example files read strictly: a key written twice in one object is an error.

``json.loads`` keeps the last of two equal keys; in an expected output that hides a mistake
(the first value is never compared).
"""

from __future__ import annotations

import json
from typing import Any


class DuplicateKeyError(ValueError):
    """A key appears twice in one object; ``line``/``column`` (1-based) of its second use."""

    def __init__(self, key: str, line: int, column: int) -> None:
        super().__init__(f"the key {key!r} appears twice in one object")
        self.key = key
        self.line = line
        self.column = column


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen.add(key)
    return dict(pairs)


def loads_strict(text: str) -> Any:
    """``json.loads`` that raises ``DuplicateKeyError`` for a repeated key."""
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _Duplicate as err:
        line, column = _second_use(text, err.key)
        raise DuplicateKeyError(err.key, line, column) from None


def _second_use(text: str, key: str) -> tuple[int, int]:
    """Where the quoted key is written the second time (0, 0 when escapes hide it)."""
    quoted = json.dumps(key, ensure_ascii=False)
    first = text.find(quoted)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    if second < 0:
        return 0, 0
    line = text.count("\n", 0, second) + 1
    return line, second - (text.rfind("\n", 0, second) + 1) + 1
