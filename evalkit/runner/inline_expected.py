"""Writing an inline example's new ``expected:`` into its manifest file, comments and layout
kept (as ``evalkit pull`` edits a manifest: ruamel.yaml's round trip).

ruamel.yaml writes a whole document again, with the indentation style (of the usual ones) that
writes the file closest to how it stands. Only the lines its edit changes are carried over to
the file's own text (``carried_edit``): every other line stays byte for byte, so an escape, an
anchor or odd spacing elsewhere in the file is no obstacle. An edit is refused, naming the
file's line and what on it blocks, when it touches a line ruamel.yaml writes back differently,
or would change a line outside the examples' ``expected:`` values (a value an alias or merge
key shares with another place). Within ``expected:``, members keep their place and comments;
values that changed are written anew, new keys go last, keys the output lost are removed.

The edited text is checked before it is written: read again as evalkit reads manifests, it
must hold the same document with the new expected value, and nothing else changed.
"""

from __future__ import annotations

import difflib
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from evalkit.errors import SourceMark
from evalkit.manifest.yaml_source import Loc, YamlSource, read_yaml
from evalkit.runner.carried_edit import Unreproduced, carried_over

#: indentation styles tried, (mapping, sequence, offset): the one that writes the file closest
#: to how it stands is kept
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
    yaml, document, base = _round_trip(path, before)
    spans = []
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
        spans.append(_expected_lines(before, edit))
        _sync(example, "expected", edit.value)
    try:
        carried = carried_over(before, base, _dump(yaml, document))
    except Unreproduced as err:
        raise InlineRefused(
            f"{path}:{err}: evalkit's YAML writer does not write this back as it stands, and "
            "the new expected value changes this line or one next to it; write it plainly, move "
            "the example into an examples folder, or copy the actual output from the report by "
            "hand"
        ) from None
    _only_expected_values(path, carried.replaced, spans)
    _check(path, before, carried.text, edits)
    return InlineEdit(path, before, carried.text)


def _round_trip(path: Path, text: str) -> tuple[YAML, Any, str]:
    """The document of ``text`` and its text as ruamel.yaml writes it back, in the style of
    ``_STYLES`` that writes the most lines as they stand."""
    best: tuple[int, YAML, Any, str] | None = None
    for mapping, sequence, offset in _STYLES:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # long lines stay as they are
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            document = yaml.load(text)
        except YAMLError as err:
            raise InlineRefused(f"{path}: cannot be read for editing: {err}") from None
        written = _dump(yaml, document)
        if written == text:
            return yaml, document, written
        kept = _lines_kept(text, written)
        if best is None or kept > best[0]:
            best = (kept, yaml, document, written)
    assert best is not None
    return best[1], best[2], best[3]


def _lines_kept(text: str, written: str) -> int:
    old, new = text.splitlines(), written.splitlines()
    blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks)


def _expected_lines(text: str, edit: NewExpected) -> range:
    """The lines (0-based) of the example's ``expected:``, from its key to its value's end."""
    events = iter(pyyaml.parse(text, Loader=pyyaml.SafeLoader))
    for event in events:
        line, column = _start(event)
        if isinstance(event, pyyaml.MappingStartEvent) and (line + 1, column + 1) == (
            edit.mark.line,
            edit.mark.column,
        ):
            break
    for key in events:
        if isinstance(key, pyyaml.MappingEndEvent):
            break
        _node_end(key, events)
        last = _node_end(next(events), events)
        if isinstance(key, pyyaml.ScalarEvent) and key.value == "expected":
            return range(_start(key)[0], last + 1)
    raise InlineRefused(
        f"{edit.mark}: the expected value of {edit.name!r} is not written in the example (a "
        "merge key '<<' brings it from elsewhere); edit it by hand"
    )


def _node_end(first: pyyaml.Event, events: Iterator[pyyaml.Event]) -> int:
    """The last line (0-based) of the node whose first event is ``first``, its other events
    read from ``events``."""
    flows: list[bool] = []
    event, last = first, _start(first)[0]
    while True:
        end_line, end_column = _end(event)
        if isinstance(event, pyyaml.CollectionStartEvent):
            flows.append(bool(event.flow_style))
        elif isinstance(event, pyyaml.CollectionEndEvent):
            if flows.pop():  # a block collection ends where the next node starts
                last = end_line
        elif end_column == 0 and end_line > _start(event)[0]:
            last = end_line - 1  # a block scalar ends at the start of the next line
        else:
            last = end_line
        if not flows:
            return last
        event = next(events)


def _start(event: pyyaml.Event) -> tuple[int, int]:
    assert event.start_mark is not None
    return event.start_mark.line, event.start_mark.column


def _end(event: pyyaml.Event) -> tuple[int, int]:
    assert event.end_mark is not None
    return event.end_mark.line, event.end_mark.column


def _only_expected_values(path: Path, replaced: list[tuple[int, int]], spans: list[range]) -> None:
    """Refused when the edit changes a line outside the examples' expected values."""
    for start, end in replaced:
        if start == end:  # lines inserted: after a key's line, at most right after its value
            outside = [start] if not any(s.start < start <= s.stop for s in spans) else []
        else:
            outside = [line for line in range(start, end) if not any(line in s for s in spans)]
        if outside:
            raise InlineRefused(
                f"{path}:{outside[0] + 1}: the new expected value would change this line too, "
                "outside the expected values accepted (a value an anchor and alias or a merge "
                "key share changes in both places); edit it by hand"
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
    new_data, _ = _read(path, after)
    for edit in edits:
        # found by its place in the data: the lines of the examples after it may have moved
        old_loc = _example_loc(old_source, old_data, edit)
        if old_loc is None:
            raise InlineRefused(f"{edit.mark}: no inline example {edit.name!r} found there")
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
