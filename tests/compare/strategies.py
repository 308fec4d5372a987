"""Hypothesis strategies for JSON documents, edits of them, and rule sets that fit them."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from evalkit.compare.pointers import format_pointer
from evalkit.compare.rules import MERGED, CompareSpec

KEYS = st.sampled_from(["a", "b", "id", "x/y", "n~m", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-10, 10, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "a", "A", " a ", "abc", "ABC-1"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path in a document, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(document: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    result = copy.deepcopy(document)
    parent = result
    for segment in path[:-1]:
        parent = parent[segment]
    parent[path[-1]] = value
    return result


def deleted(document: Any, path: Path) -> Any:
    """Remove an object member (list elements are replaced instead: deleting would shift)."""
    result = copy.deepcopy(document)
    parent = result
    for segment in path[:-1]:
        parent = parent[segment]
    del parent[path[-1]]
    return result


@st.composite
def edited(draw: st.DrawFn, document: Any) -> Any:
    """The document with a few random edits: replacements, deletions, insertions."""
    result = document
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(paths(result)))
        action = draw(st.sampled_from(["replace", "delete", "insert"]))
        target = _get(result, path)
        if action == "delete" and path and isinstance(_get(result, path[:-1]), dict):
            result = deleted(result, path)
        elif action == "insert" and isinstance(target, dict):
            result = replaced(result, (*path, draw(KEYS)), draw(SCALARS))
        elif action == "insert" and isinstance(target, list):
            result = replaced(result, path, [*target, draw(SCALARS)])
        else:
            result = replaced(result, path, draw(JSON))
    return result


def _get(document: Any, path: Path) -> Any:
    for segment in path:
        document = document[segment]
    return document


@st.composite
def pattern_for(draw: st.DrawFn, document: Any) -> str:
    """A pointer pattern that matches some path of the document (wildcards mixed in)."""
    path = draw(st.sampled_from(paths(document)))
    segments: list[str] = []
    for segment in path:
        choice = draw(st.sampled_from(["literal", "literal", "star", "double"]))
        segments.append(str(segment) if choice == "literal" else "*" if choice == "star" else "**")
    if not segments and draw(st.booleans()):
        return "/**"
    return "".join("/" + s if s in ("*", "**") else format_pointer([s]) for s in segments)


@st.composite
def rules_for(draw: st.DrawFn, document: Any, regex: bool = False) -> CompareSpec:
    """A rule set whose patterns hit the document; ``regex`` allows regex rules."""
    fields = {
        "ignore": st.booleans(),
        "tolerance": st.sampled_from([0.0, 0.5, 3.0]),
        "relative_tolerance": st.sampled_from([0.1, 1.0]),
        "text": st.sampled_from(["casefold", "strip", ["whitespace", "casefold"]]),
        "order": st.sampled_from(["strict", "ignore"]),
        "present": st.just(True),
        "weight": st.sampled_from([0.5, 2.0]),
    }
    if regex:
        fields["regex"] = st.sampled_from(["[a-z]*", "ABC-\\d", ".*"])
    rule = st.fixed_dictionaries({}, optional=fields)
    rules = draw(st.dictionaries(pattern_for(document), rule, max_size=3))
    ignore = draw(st.lists(pattern_for(document), max_size=2))
    # Any mix of keys, as merged blocks may hold (one block as written may not: conflicts).
    return CompareSpec.model_validate({"ignore": ignore, "rules": rules}, context=MERGED)
