"""The names ``evalkit harvest`` gives examples: the same execution always gets the same name.

``<YYYYMMDD>-<HHMMSS>-<id tail>``, from the execution's creation time (UTC) and the last
characters of its id: names sort by time, say which execution they came from, and are valid
example names (``evalkit.manifest.models.NAME_PATTERN``) whatever the platform sends.
"""

from __future__ import annotations

import re
from datetime import timezone

from evalkit.api import parse_timestamp

#: how many characters of the execution id (letters and digits only) a name keeps
ID_TAIL = 8
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def harvest_name(execution_id: str, created_at: str) -> str:
    """The example name of an execution created at ``created_at`` (ISO-8601)."""
    tail = _NOT_ALNUM.sub("", execution_id.removeprefix("exec_"))[-ID_TAIL:].lower() or "x"
    try:
        stamp = parse_timestamp(created_at).astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    except (ValueError, OverflowError):
        stamp = "undated"
    return f"{stamp}-{tail}"
