"""Names from the API become paths on disk only inside the folder they belong to."""

from __future__ import annotations

from pathlib import Path

from evalkit.api.paths import unsafe_path_reason
from evalkit.client.errors import clip

#: the most characters of a name from the API that a message shows (names reach 1,024 and
#: more: a hostile one would land whole in results.jsonl and every report)
MAX_NAME_SHOWN = 200


class UnsafePath(ValueError):
    """A name that would leave its folder, or is not a plain relative path."""


def check_relative(name: str) -> tuple[str, ...]:
    """The segments of a safe relative path (contract A7: ``/``-separated, no empty, ``.`` or
    ``..`` segment, no backslash, no control character, not absolute)."""
    reason = unsafe_path_reason(name)
    if reason is not None:
        raise UnsafePath(f"{shown(name)} is not a safe relative path: {reason}")
    return tuple(name.split("/"))


def safe_join(root: Path, *names: str) -> Path:
    """``root`` joined with each name (each may hold ``/``); raises ``UnsafePath`` if any
    name is unsafe or the result would not be inside ``root``."""
    target = root
    for name in names:
        target = target.joinpath(*check_relative(name))
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise UnsafePath(f"{shown('/'.join(names))} leaves {root}")  # e.g. through a symlink
    return target


def shown(name: str) -> str:
    """``name`` quoted for a message, clipped to ``MAX_NAME_SHOWN`` characters."""
    return repr(clip(name, MAX_NAME_SHOWN))
