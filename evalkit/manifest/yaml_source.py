"""Reading one YAML file into plain data plus the line and column of every key and value.

The manifest is parsed with PyYAML's composer (nodes keep their marks) and turned into plain
JSON-like data by hand, so that:

- duplicate keys are errors (PyYAML silently keeps the last one);
- scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans, so ``on``,
  ``yes`` or the country code ``NO`` stay strings, and dates stay strings;
- every key and value keeps a ``SourceMark``, found again later by its path (``Loc``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evalkit.errors import ManifestProblem, SourceMark

#: a place in the data: mapping keys and list indices from the document root
Loc = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _CoreSchemaLoader(yaml.SafeLoader):
    """A loader whose implicit scalar types are the YAML 1.2 core schema's (plus ``<<``)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - filled below, not inherited


for _tag, _pattern, _first in [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (_MERGE, r"^<<$", "<"),
]:
    _CoreSchemaLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def loc_text(loc: Loc) -> str:
    """A readable path such as ``agents[0].compare.rules["/total"]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]".replace("'", '"') if '"' not in part else f"[{part!r}]"
    return text


@dataclass(frozen=True)
class NodeMarks:
    """Where a value starts, and where its key starts when it sits in a mapping."""

    value: SourceMark
    key: SourceMark | None = None


@dataclass
class YamlSource:
    """One parsed YAML file: its data and the marks of everything in it."""

    path: Path
    display: str
    data: Any
    marks: dict[Loc, NodeMarks] = field(default_factory=dict)

    def mark(self, loc: Loc, *, key: bool = False) -> SourceMark:
        """The mark of ``loc`` (its key's when ``key`` and it has one), or its nearest parent's."""
        for end in range(len(loc), -1, -1):
            marks = self.marks.get(loc[:end])
            if marks is not None:
                if key and end == len(loc) and marks.key is not None:
                    return marks.key
                return marks.value
        return SourceMark(self.display, 1, 1)

    def existing(self, loc: Loc) -> Loc:
        """The longest prefix of ``loc`` that is present in the data."""
        end = len(loc)
        while end and loc[:end] not in self.marks:
            end -= 1
        return loc[:end]


def read_yaml(path: Path, display: str) -> tuple[YamlSource | None, list[ManifestProblem]]:
    """Parse ``path``; on failure, return the problems (never raise for bad content)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        byte = data[err.start : err.start + 1].hex()
        message = f"not UTF-8 text: byte 0x{byte} ({err.reason})"
        return None, [_problem(display, line, column, message, "save the file as UTF-8")]
    try:
        root = yaml.compose(text, Loader=_CoreSchemaLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        detail = err.problem or "malformed YAML"
        hint = err.context or ""
        if "'\\t'" in detail:
            hint = "indent with spaces: YAML does not allow tabs for indentation"
        if err.context and err.context_mark and err.context_mark is not mark:
            start = err.context_mark
            hint += f" (it starts at line {start.line + 1}, column {start.column + 1})"
        return None, [_problem(display, line, column, f"malformed YAML: {detail}", hint)]
    except yaml.YAMLError as err:
        return None, [_problem(display, 0, 0, f"malformed YAML: {err}", "")]
    source = YamlSource(path=path, display=display, data=None)
    if root is None:
        return source, []
    builder = _Builder(source)
    source.data = builder.build(root, (), None)
    return source, builder.problems


def _problem(display: str, line: int, column: int, message: str, hint: str) -> ManifestProblem:
    return ManifestProblem(SourceMark(display, line, column), message, hint=hint)


class _Builder:
    """Turns composed nodes into plain data, recording marks and collecting problems."""

    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.problems: list[ManifestProblem] = []
        self._active: set[int] = set()  # node ids on the current path (recursive aliases)

    def _mark(self, node: yaml.Node) -> SourceMark:
        start = node.start_mark
        return SourceMark(self.source.display, start.line + 1, start.column + 1)

    def _fail(self, node: yaml.Node, message: str, key: str = "", hint: str = "") -> None:
        self.problems.append(ManifestProblem(self._mark(node), message, key=key, hint=hint))

    def build(self, node: yaml.Node, loc: Loc, key_node: yaml.Node | None) -> Any:
        key_mark = self._mark(key_node) if key_node is not None else None
        self.source.marks[loc] = NodeMarks(self._mark(node), key_mark)
        if id(node) in self._active:
            self._fail(node, "an alias refers to itself (a recursive structure)")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ:
                    self._fail(node, f"unsupported YAML tag {node.tag!r}")
                return [self.build(item, (*loc, i), None) for i, item in enumerate(node.value)]
            return self._scalar(node)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        if node.tag != _MAP:
            self._fail(node, f"unsupported YAML tag {node.tag!r}")
        result: dict[str, Any] = {}
        explicit: dict[str, yaml.Node] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self._merge_sources(value_node))
                continue
            key = self._key(key_node)
            if key is None:
                continue
            if key in explicit:
                first = self._mark(explicit[key])
                self._fail(
                    key_node,
                    f"duplicate key {key!r} (first defined at line {first.line})",
                    key=key,
                    hint="each key may appear once per mapping; remove or rename one",
                )
                continue
            explicit[key] = key_node
            result[key] = self.build(value_node, (*loc, key), key_node)
        # '<<: *anchor' fills in keys not given explicitly; the first merged mapping wins.
        for key_node, value_node in merged:
            key = self._key(key_node)
            if key is not None and key not in result:
                result[key] = self.build(value_node, (*loc, key), key_node)
        return result

    def _merge_sources(self, node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self._fail(source, "'<<' merges mappings only (e.g. '<<: *defaults')")
                continue
            pairs.extend(source.value)
        return pairs

    def _key(self, node: yaml.Node) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_STR, _INT, _FLOAT, _BOOL):
            return str(node.value)
        self._fail(node, "a mapping key must be a plain string", hint="quote the key")
        return None

    def _scalar(self, node: yaml.Node) -> Any:
        value = str(node.value)
        tag = node.tag
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            return _parse_int(value)
        if tag == _FLOAT:
            number = _parse_float(value)
            if math.isnan(number) or math.isinf(number):
                self._fail(node, f"{value!r} is not a JSON number", hint="use a finite number")
            return number
        self._fail(node, f"unsupported YAML tag {tag!r}", hint="remove the tag or quote the value")
        return value


def _parse_int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def _parse_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)
