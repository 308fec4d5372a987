"""Pure, canonical comparison of JSON documents (agent config).

Two documents are compared leaf by leaf: objects are walked key by key, anything else (lists,
strings, numbers, booleans, null) is one value. Key order never matters, ``1`` equals ``1.0``
(JSON has one number type) but ``true`` never equals ``1``.

Server-added fields are handled by :func:`managed_view`, which keeps only the keys of the live
document that evalkit manages (present in the manifest or in the last-applied record), the way
``kubectl apply`` does its three-way merge.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

JsonPath = tuple[str, ...]
ChangeKind = Literal["add", "change", "remove"]


@dataclass(frozen=True)
class ValueChange:
    """One leaf that differs: ``before`` is unset for an add, ``after`` for a remove."""

    path: JsonPath
    kind: ChangeKind
    before: Any = None
    after: Any = None


def canonical_json(value: Any) -> str:
    """A byte-stable text form: sorted keys, no spaces, integral floats written as ints."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    """sha256 of the canonical form."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _normalise(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    return value


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON sees it (no ``True == 1``, but ``1 == 1.0``)."""
    return canonical_json(left) == canonical_json(right)


def diff_values(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ValueChange]:
    """Every leaf change that turns ``before`` into ``after``, ordered by path."""
    changes: list[ValueChange] = []
    _walk(before, after, (), changes)
    return changes


def _walk(
    before: Mapping[str, Any], after: Mapping[str, Any], at: JsonPath, out: list[ValueChange]
) -> None:
    for key in sorted(set(before) | set(after)):
        path = (*at, key)
        if key not in after:
            out.append(ValueChange(path, "remove", before=before[key]))
        elif key not in before:
            out.append(ValueChange(path, "add", after=after[key]))
        elif isinstance(before[key], Mapping) and isinstance(after[key], Mapping):
            _walk(before[key], after[key], path, out)
        elif not json_equal(before[key], after[key]):
            out.append(ValueChange(path, "change", before=before[key], after=after[key]))


def patch_values(document: Mapping[str, Any], changes: Iterable[ValueChange]) -> dict[str, Any]:
    """A copy of ``document`` with ``changes`` applied (the inverse of :func:`diff_values`)."""
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for change in changes:
        parent = result
        for key in change.path[:-1]:
            parent = parent.setdefault(key, {})
        if change.kind == "remove":
            parent.pop(change.path[-1], None)
        else:
            parent[change.path[-1]] = copy.deepcopy(change.after)
    return result


def value_at(document: Mapping[str, Any], path: JsonPath) -> tuple[bool, Any]:
    """``(True, value)`` when ``path`` exists in ``document``, else ``(False, None)``."""
    current: Any = document
    for key in path:
        if not isinstance(current, Mapping) or key not in current:
            return False, None
        current = current[key]
    return True, current


def managed_view(
    live: Mapping[str, Any], desired: Mapping[str, Any], recorded: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The part of ``live`` evalkit manages: keys present in ``desired`` or ``recorded``.

    A key the platform added (or someone added by hand) that the manifest never set is not
    evalkit's to judge, so it never shows up as a diff and survives every write.
    """
    recorded = recorded or {}
    view: dict[str, Any] = {}
    for key, value in live.items():
        if key not in desired and key not in recorded:
            continue
        wanted, known = desired.get(key), recorded.get(key)
        nested = isinstance(wanted, Mapping) or isinstance(known, Mapping)
        if isinstance(value, Mapping) and nested:
            view[key] = managed_view(
                value,
                wanted if isinstance(wanted, Mapping) else {},
                known if isinstance(known, Mapping) else {},
            )
        else:
            view[key] = value
    return view


def merge_unmanaged(
    desired: Mapping[str, Any], live: Mapping[str, Any], recorded: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What to write so the managed part becomes ``desired`` and the rest of ``live`` stays."""
    recorded = recorded or {}
    merged: dict[str, Any] = copy.deepcopy(dict(desired))
    for key, value in live.items():
        wanted, known = desired.get(key), recorded.get(key)
        if key not in desired:
            if key not in recorded:
                merged[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping) and isinstance(wanted, Mapping):
            merged[key] = merge_unmanaged(
                wanted, value, known if isinstance(known, Mapping) else {}
            )
    return merged


def pointer(path: JsonPath) -> str:
    """The RFC 6901 JSON pointer of ``path``."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in path)
