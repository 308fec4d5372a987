"""``--shard K/N``: split the examples among N jobs of a CI matrix by a stable hash.

An example's shard depends only on its label (``agent/example``, with the manifest's agent
slug or the workflow suite's name), never on its position in the manifest, the other examples
or the process: adding an example moves no other, and every job of a matrix agrees on the
split without talking to the others. sha256 rather than ``hash()``, whose value changes
with each Python process.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from evalkit.errors import ConfigError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 1000


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count <= MAX_SHARDS:
            raise ConfigError(
                f"--shard {self.index}/{self.count}: K/N needs 1 <= K <= N <= {MAX_SHARDS}"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, label: str) -> bool:
        return shard_of(label, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """``"2/5"`` -> ``Shard(2, 5)``; anything else is a clear error."""
    found = _SHARD.match(text)
    if found is None:
        raise ConfigError(
            f"--shard {text!r}: write K/N, e.g. --shard 2/5 for the second of five shards"
        )
    return Shard(int(found.group(1)), int(found.group(2)))


def shard_of(label: str, count: int) -> int:
    """The 1-based shard of ``count`` that the example ``label`` falls in."""
    digest = hashlib.sha256(label.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1
