"""A relative path from a manifest or the API becomes a path on disk only inside its folder.

The one home of that rule: every place that turns such a path into a file to read or write
goes through this module, catches :class:`UnsafePath` and says it in its own words (a manifest
problem at its line, a plan error, a refused output file). It imports nothing from evalkit but
the contract's pure rules on the text of a path (:mod:`evalkit.api.paths`).

Which rule applies to what:

- :func:`join_inside` — a **name from the API or the platform** (workspace files written by
  ``pull`` and ``sync``, an execution's output files, the local platform's scratch files). The
  strict rule, contract A7: ``/``-separated, relative, no ``.`` or ``..`` segment at all, no
  backslash, no control character, no disguised traversal (percent-encoded, Unicode
  look-alikes). The path is joined below ``root`` segment by segment.
- :func:`resolve_manifest_path` — a **path a person wrote in a manifest** (includes,
  workspaces, examples, the folders ``pull`` writes into). Relative to the manifest's folder,
  ``..`` may be used while the result stays in the project folder (``../shared/`` from a
  manifest in a subfolder); no backslash, not absolute.
- :func:`file_field_reason` — a **file input's field name** (an input_files key, the name of
  a file in an example's ``input/``): the contract's rule, re-exported here for the manifest,
  which may not import ``evalkit.api``. The runtime writes the file as
  ``input/<field><extension>``: one name, no ``/``, a safe relative path.
- :func:`is_inside` — the check both end with, for a path reached another way (a walk of a
  folder, a glob, the mark of a results file): the path, symbolic links followed, is the root
  or below it.

Both rules follow symbolic links: a link that leads out of the root is refused however
harmless its name.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

from evalkit.api.paths import file_field_reason as file_field_reason  # (re-exported)
from evalkit.api.paths import unsafe_path_reason

#: the most characters of a path that a message shows (names from the API reach 1,024 and
#: more: a hostile one would land whole in results.jsonl and every report)
MAX_NAME_SHOWN = 200

#: which rule a refused path broke: ``not plain`` (not a contract-A7 relative path, said in
#: ``reason``), ``backslash`` and ``absolute`` (a manifest path), ``outside`` (it would land
#: outside its root, through ``..`` or a symbolic link)
Refusal = Literal["not plain", "backslash", "absolute", "outside"]


class UnsafePath(ValueError):
    """A path that would leave its folder, or is not a relative path of the kind asked.

    ``path`` is the path as given, ``why`` the rule it broke and ``reason`` why in words
    (without the path); the message names the path, clipped to ``MAX_NAME_SHOWN`` characters,
    and says why.
    """

    def __init__(self, path: str, why: Refusal, reason: str) -> None:
        super().__init__(f"{shown(path)} {reason}")
        self.path = path
        self.why: Refusal = why
        self.reason = reason


def check_relative(path: str) -> tuple[str, ...]:
    """The segments of ``path`` when it is a safe relative path (contract A7), else
    :class:`UnsafePath`."""
    reason = unsafe_path_reason(path)
    if reason is not None:
        raise UnsafePath(path, "not plain", f"is not a safe relative path: {reason}")
    return tuple(path.split("/"))


def join_inside(root: Path, path: str, *more: str) -> Path:
    """``root`` joined with ``path`` (and each of ``more``), each a name from the API (may
    hold ``/``, see :func:`check_relative`); :class:`UnsafePath` if one is not a safe relative
    path or the result, symbolic links followed, would not be inside ``root``. The result is
    not resolved: it is where the file is named, below ``root`` as given."""
    names = (path, *more)
    target = root
    for name in names:
        target = target.joinpath(*check_relative(name))
    if not is_inside(target, root):  # e.g. through a symbolic link already in the folder
        raise UnsafePath("/".join(names), "outside", f"leaves {root}")
    return target


def resolve_manifest_path(root: Path, path: str, *, start: Path | None = None) -> Path:
    """``start / path`` resolved (``start`` defaults to ``root``), for a path a person wrote
    in a manifest: :class:`UnsafePath` if it holds a backslash, is absolute, or leads (through
    ``..`` or a symbolic link) outside ``root``."""
    if "\\" in path:
        raise UnsafePath(path, "backslash", "contains '\\'")
    if path.startswith("/") or PurePosixPath(path).is_absolute() or ":" in path[:3]:
        raise UnsafePath(path, "absolute", "is absolute")
    target = ((root if start is None else start) / path).resolve()
    if not is_inside(target, root):
        raise UnsafePath(path, "outside", f"leads outside {root}")
    return target


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, symbolic links followed, is ``root`` (links followed too) or below
    it. ``RuntimeError`` on a loop of symbolic links, as ``Path.resolve``."""
    return path.resolve().is_relative_to(root.resolve())


def shown(path: str) -> str:
    """``path`` quoted for a message, clipped to ``MAX_NAME_SHOWN`` characters (the clipping
    is worded as ``evalkit.client.errors.clip``, which this module may not import)."""
    if len(path) > MAX_NAME_SHOWN:
        path = f"{path[:MAX_NAME_SHOWN]}... ({len(path) - MAX_NAME_SHOWN} more characters)"
    return repr(path)
