"""Writing an inline example's new ``expected:`` into its manifest file, comments and layout
kept (as ``evalkit pull`` edits a manifest: ruamel.yaml's round trip).

ruamel.yaml writes a whole document again. So the file is edited only when ruamel.yaml,
with one of the usual indentation styles, writes the file unchanged as it stands: then only
the ``expected:`` value differs after the edit, and ``git diff`` shows just that. Otherwise
the example is refused with what to do, and the file is not touched. Within ``expected:``,
members keep their place and comments; values that changed are written anew, new keys go
last, keys the output lost are removed.

The edited text is checked before it is written: read again as evalkit reads manifests, it
must hold the same document with the new expected value, and nothing else changed.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from evalkit.errors import SourceMark
from evalkit.manifest.yaml_source import Loc, YamlSource, read_yaml

#: indentation styles tried, (mapping, sequence, offset): the one that writes the file as it
#: stands is kept
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))


class InlineRefused(Exception):
    """The inline example's expected value cannot be edited; the message says why and what
    to do."""


@dataclass(frozen=True)
class InlineEdit:
    """The manifest file's text with the example's new expected value."""

    path: Path
    before: str
    after: str


@dataclass(frozen=True)
class NewExpected:
    """An inline example (its name, and where it is declared) and its new expected value."""

    mark: SourceMark
    name: str
    value: Any


def edit_expected(path: Path, edits: list[NewExpected]) -> InlineEdit:
    """The text of ``path`` with each inline example expecting its new value
    (``InlineRefused`` when the file cannot be edited so; nothing is written here)."""
    before = path.read_text(encoding="utf-8")
    yaml, document = _round_trip(path, before)
    for edit in edits:
        example = _find_example(document, edit.mark, edit.name)
        if example is None or "expected" not in example:
            raise InlineRefused(
                f"{edit.mark}: no inline example {edit.name!r} with 'expected:' found there"
            )
        if "${" in _dump(yaml, example["expected"]):
            raise InlineRefused(
                f"{edit.mark}: the expected value of {edit.name!r} uses ${{VAR}} "
                "interpolation; edit it by hand (accept would write the interpolated values)"
            )
        _sync(example, "expected", edit.value)
    after = _dump(yaml, document)
    _check(path, before, after, edits)
    return InlineEdit(path, before, after)


def _round_trip(path: Path, text: str) -> tuple[YAML, Any]:
    for mapping, sequence, offset in _STYLES:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # long lines stay as they are
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            document = yaml.load(text)
        except YAMLError as err:
            raise InlineRefused(f"{path}: cannot be read for editing: {err}") from None
        if _dump(yaml, document) == text:
            return yaml, document
    raise InlineRefused(
        f"{path}: its layout is not one evalkit can write back unchanged, so its inline "
        "expected values are not edited (the whole file would be rewritten); move the "
        "example into an examples folder, or copy the actual output from the report by hand"
    )


def _dump(yaml: YAML, value: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(value, buffer)
    return buffer.getvalue()


def _find_example(node: Any, mark: SourceMark, name: str) -> CommentedMap | None:
    """The mapping that starts at ``mark`` and is named ``name``."""
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, CommentedMap):
            line, column = current.lc.line + 1, current.lc.col + 1
            if (line, column) == (mark.line, mark.column) and current.get("name") == name:
                return current
            pending.extend(current.values())
        elif isinstance(current, CommentedSeq):
            pending.extend(current)
    return None


def _sync(parent: Any, key: Any, new: Any) -> None:
    """``parent[key]`` made equal to ``new``, changing only what differs."""
    old = parent[key]
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for gone in [k for k in old if k not in new]:
            del old[gone]
        for member, value in new.items():
            if member in old:
                _sync(old, member, value)
            else:
                old[member] = value
    elif isinstance(old, CommentedSeq) and isinstance(new, list):
        for index in range(min(len(old), len(new))):
            _sync(old, index, new[index])
        del old[len(new) :]
        old.extend(new[len(old) :])
    elif not _same(old, new):
        parent[key] = new


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON values (``true`` is no ``1``; ruamel's string and number types count as
    str and numbers)."""
    return _kind(left) == _kind(right) and json.dumps(left, sort_keys=True) == json.dumps(
        right, sort_keys=True
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def _check(path: Path, before: str, after: str, edits: list[NewExpected]) -> None:
    """Read both texts as evalkit reads a manifest: only the examples' expected may differ."""
    old_data, old_source = _read(path, before)
    new_data, new_source = _read(path, after)
    for edit in edits:
        old_loc = _example_loc(old_source, old_data, edit)
        if old_loc is None or _example_loc(new_source, new_data, edit) != old_loc:
            raise InlineRefused(
                f"{edit.mark}: the edited manifest no longer declares {edit.name!r} there"
            )
        _at(old_data, old_loc)["expected"] = edit.value
    if json.dumps(old_data, sort_keys=True) != json.dumps(new_data, sort_keys=True):
        raise InlineRefused(
            f"{path}: writing the new expected values would change the manifest elsewhere; "
            "edit it by hand"
        )


def _read(path: Path, text: str) -> tuple[Any, YamlSource]:
    with tempfile.TemporaryDirectory(prefix="evalkit-accept-") as folder:
        scratch = Path(folder) / path.name
        scratch.write_text(text, encoding="utf-8")
        source, problems = read_yaml(scratch, str(path))
    if source is None or problems:
        raise InlineRefused(f"{path}: the edited manifest would not read back; edit it by hand")
    return source.data, source


def _example_loc(source: YamlSource, data: Any, edit: NewExpected) -> Loc | None:
    for loc, marks in source.marks.items():
        if (marks.value.line, marks.value.column) != (edit.mark.line, edit.mark.column):
            continue
        value = _at(data, loc)
        if isinstance(value, dict) and value.get("name") == edit.name:
            return loc
    return None


def _at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data
