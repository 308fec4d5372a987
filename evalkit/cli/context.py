"""Options shared by every command, parsed once by the group and handed down."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evalkit.api.urls import redact_url


@dataclass(frozen=True)
class GlobalOptions:
    manifest: Path
    base_url: str | None
    api_key: str | None
    local: bool
    verbose: int
    json_output: bool

    def __repr__(self) -> str:  # the key must never show up in a repr or a traceback
        key = "'***'" if self.api_key else "None"
        url = redact_url(self.base_url) if self.base_url else None
        return (
            f"GlobalOptions(manifest={str(self.manifest)!r}, base_url={url!r}, "
            f"api_key={key}, local={self.local}, verbose={self.verbose}, "
            f"json_output={self.json_output})"
        )
