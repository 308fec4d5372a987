"""What evalkit knows about an agent as it is live on the platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from evalkit.sync.record import LastApplied

#: text files up to this size have their live bytes read for a unified diff when they change
TEXT_DIFF_LIMIT = 64 * 1024


@dataclass(frozen=True)
class LiveFile:
    """A live file whose content evalkit knows: from a download, or from the record."""

    sha256: str
    #: None when known from the record only
    size: int | None = None
    #: the decoded content, for small text files that were downloaded
    text: str | None = None


@dataclass(frozen=True)
class LiveAgent:
    slug: str
    name: str
    description: str | None
    #: the live config without evalkit's reserved key
    config: Mapping[str, Any]
    record: LastApplied | None
    latest_commit: str | None
    updated_at: str | None
    #: every workspace path the platform lists
    listed: tuple[str, ...] = ()
    #: what is known of listed paths (all the desired ones, after a read)
    known: Mapping[str, LiveFile] = field(default_factory=dict)
    compared_by: Literal["record", "full"] = "full"

    @property
    def record_is_current(self) -> bool:
        """True when no workspace write happened since evalkit's own last one (contract B1).

        A platform that sends no ``latestCommit`` cannot vouch for its files: only an agent
        without files is then taken as unchanged.
        """
        if self.record is None or self.record.latest_commit != self.latest_commit:
            return False
        return self.latest_commit is not None or not self.listed


def decode_text(data: bytes) -> str | None:
    """The text of a small UTF-8 file, or ``None`` for binaries and large files."""
    if len(data) > TEXT_DIFF_LIMIT or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
