"""Reading one YAML file into plain data plus the line and column of every key and value.

The manifest is parsed with PyYAML's composer (nodes keep their marks) and turned into plain
JSON-like data by hand, so that:

- duplicate keys are errors (PyYAML silently keeps the last one);
- scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans, so ``on``,
  ``yes`` or the country code ``NO`` stay strings, and dates stay strings;
- every key and value keeps a ``SourceMark``, found again later by its path (``Loc``);
- hostile input is refused with a located problem, never an exception: a file over
  ``MAX_MANIFEST_BYTES``, control characters, nesting past ``MAX_DEPTH`` and aliases that would
  expand past ``MAX_MANIFEST_VALUES`` (measured while composing, before anything is expanded),
  numbers too long to convert, lone surrogates.

Two readers give the same data, marks and problems:

- the event reader (libyaml's events turned straight into plain data, no nodes) reads what
  manifests hold: no anchors or aliases, no tags, no merge keys, nothing refused. It keeps the
  marks of the top ``SHALLOW_DEPTH`` levels (agents, examples and their keys) and finds the rest
  again from the text only when a deeper one is asked for, so a large manifest costs no marks;
- the composer path (PyYAML's composer, nodes with marks) takes over for everything else, so
  limits, aliases and problems keep their exact wording and place. Events come from libyaml
  when PyYAML has it; on a syntax error the text is read again by PyYAML, whose verdict stands.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.reader import Reader
from yaml.resolver import Resolver

from evalkit.errors import ManifestProblem, SourceMark
from evalkit.manifest.json_text import TextProblem, decode_utf8, line_column
from evalkit.manifest.limits import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_VALUES,
    too_large,
)

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


class AliasNode(yaml.Node):
    """One use of an alias (``*name``): where it is written, and the node it names (shared by
    every use, so nothing is copied while composing)."""

    id = "alias"

    def __init__(self, target: yaml.Node, start_mark: yaml.Mark, end_mark: yaml.Mark) -> None:
        super().__init__(target.tag, target.value, start_mark, end_mark)
        self.target = target


class _LimitExceeded(Exception):
    def __init__(self, mark: yaml.Mark, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.hint = hint


class _LimitedComposer(Composer):
    """PyYAML's composer, measuring each node as it completes: how many values it holds and
    how deep it nests once its aliases are expanded. An alias adds its target's measure, so an
    alias bomb is refused at the alias that crosses a limit, in time linear in the text."""

    if TYPE_CHECKING:  # given by the parser each loader combines this composer with

        def peek_event(self) -> Any: ...
        def check_event(self, *choices: Any) -> bool: ...

    def _start_counting(self) -> None:
        self._open = 0  # lists and mappings open around the node being composed
        self._values = 0  # values so far, aliases expanded
        self._measures: dict[int, tuple[int, int]] = {}  # node id -> (values, nesting)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if self.check_event(AliasEvent):
            target = _composed(super().compose_node(parent, index))  # undefined: ComposerError
            # a target still being composed is a recursive alias, reported when it is built
            values, nesting = self._measures.get(id(target), (1, 0))
            self._count(values, event.start_mark, f"alias *{event.anchor}")
            if self._open + nesting > MAX_DEPTH:
                raise _LimitExceeded(
                    event.start_mark,
                    f"alias *{event.anchor} nests lists and mappings more than {MAX_DEPTH} deep",
                    f"evalkit reads at most {MAX_DEPTH} levels; use the alias higher up",
                )
            return AliasNode(target, event.start_mark, event.end_mark)
        self._count(1, event.start_mark, "")
        collection = self.check_event(SequenceStartEvent, MappingStartEvent)
        if collection:
            self._open += 1
            if self._open > MAX_DEPTH:
                raise _LimitExceeded(
                    event.start_mark,
                    f"lists and mappings nested more than {MAX_DEPTH} deep",
                    f"evalkit reads at most {MAX_DEPTH} levels; flatten this value",
                )
        node = _composed(super().compose_node(parent, index))
        self._open -= collection
        self._measures[id(node)] = self._measure(node)
        return node

    def _count(self, values: int, mark: yaml.Mark, alias: str) -> None:
        self._values += values
        if self._values <= MAX_MANIFEST_VALUES:
            return
        limit = f"{MAX_MANIFEST_VALUES:,}"
        if alias:
            message = f"{alias} expands the file past {limit} keys and values"
            hint = "each alias counts as a copy of what it names; use fewer, or split the file"
        else:
            message = f"the file holds more than {limit} keys and values"
            hint = "split it into files named under 'include'"
        raise _LimitExceeded(mark, message, hint)

    def _measure(self, node: yaml.Node) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 1, 0
        children = node.value
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        values, nesting = 1, 0
        for child in children:
            key = id(child.target) if isinstance(child, AliasNode) else id(child)
            child_values, child_nesting = self._measures.get(key, (1, 0))
            values += child_values
            nesting = max(nesting, child_nesting)
        return values, nesting + 1


class _PythonLoader(_LimitedComposer, _CoreSchemaLoader):
    """Pure-Python events; the reference for error messages."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._start_counting()


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    _CParser: type[CParser] | None = CParser

    class _LibyamlLoader(_LimitedComposer, CParser, Resolver):
        """Events from libyaml (five times faster than PyYAML's scanner), composed here."""

        yaml_implicit_resolvers = _CoreSchemaLoader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)
            self._start_counting()

    _FAST_LOADER: type[_LibyamlLoader] | None = _LibyamlLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FAST_LOADER = None
    _CParser = None


def _compose(text: str) -> yaml.Node | None:
    """The document's root node. libyaml and PyYAML word errors differently (and disagree on a
    few edge cases): on any error the text is read again by PyYAML, whose verdict stands."""
    if _FAST_LOADER is not None:
        fast = _FAST_LOADER(text)
        try:
            return fast.get_single_node()
        except yaml.YAMLError:
            pass
        finally:
            fast.dispose()
    loader = _PythonLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Unusual(Exception):
    """Something the event reader leaves to the composer path: an anchor, an alias, a tag, a
    merge key, a limit crossed, or a value the builder would refuse."""


class _EventReader:
    """Plain data straight from libyaml's events, for documents that need nothing of the
    composer path (``_Unusual`` otherwise): the same data as ``_Builder`` gives, and the packed
    marks of every place at most ``depth`` levels down (every place when ``None``)."""

    def __init__(self, text: str, depth: int | None) -> None:
        assert _CParser is not None, "only used when PyYAML has libyaml"
        self._get: Callable[[], Any] = _CParser(text).get_event
        self._depth = depth
        self._values = 0
        self._keys: dict[str, str] = {}
        self.marks: dict[Loc, int] = {}

    def read(self) -> Any:
        get = self._get
        get()  # the stream starts
        start = get()
        if isinstance(start, StreamEndEvent):
            return None
        event = get()
        self.marks[()] = _pack(event.start_mark, None)
        data = self._value(event, (), 0)
        get()  # the document ends
        if not isinstance(get(), StreamEndEvent):
            raise _Unusual("more than one document")
        if self._values > MAX_MANIFEST_VALUES:
            raise _Unusual("too many values")
        return data

    def _value(self, event: Any, loc: Loc | None, depth: int) -> Any:
        """The value ``event`` starts, ``depth`` lists and mappings down; its children's marks
        are kept when ``loc`` is given and they are at most ``self._depth`` levels down."""
        self._values += 1
        if event.anchor is not None or event.tag is not None:
            raise _Unusual("anchor or tag")
        kind = type(event)
        if kind is ScalarEvent:
            value: str = event.value
            if not event.implicit[0]:  # quoted, literal or folded: a string
                if event.style == '"' and _SURROGATE.search(value):  # only escapes make them
                    raise _Unusual("a surrogate")
                return value
            if value and value[0] not in _RESOLVED_FIRST:
                return value  # plain text that no implicit type starts with
            return _typed(value)
        if kind is not MappingStartEvent and kind is not SequenceStartEvent:
            raise _Unusual("alias")
        if depth >= MAX_DEPTH:
            raise _Unusual("too deep")
        if self._values > MAX_MANIFEST_VALUES:
            raise _Unusual("too many values")
        keep = loc is not None and (self._depth is None or depth < self._depth)
        get, marks, read = self._get, self.marks, self._value
        if kind is SequenceStartEvent:
            items: list[Any] = []
            event = get()
            while type(event) is not SequenceEndEvent:
                if keep:
                    here = (*loc, len(items))  # type: ignore[misc]
                    marks[here] = _pack(event.start_mark, None)
                    items.append(read(event, here, depth + 1))
                else:
                    items.append(read(event, None, depth + 1))
                event = get()
            return items
        result: dict[str, Any] = {}
        event = get()
        while type(event) is not MappingEndEvent:
            key = self._key(event)
            if key in result:
                raise _Unusual("duplicate key")
            value_event = get()
            if keep:
                here = (*loc, key)  # type: ignore[misc]
                marks[here] = _pack(value_event.start_mark, event.start_mark)
                result[key] = read(value_event, here, depth + 1)
            else:
                result[key] = read(value_event, None, depth + 1)
            event = get()
        return result

    def _key(self, event: Any) -> str:
        """A mapping key: a plain string, or a scalar the core schema reads as a number or a
        boolean (kept as written); not null, not '<<'."""
        self._values += 1
        if type(event) is not ScalarEvent or event.anchor is not None or event.tag is not None:
            raise _Unusual("a key that is not a scalar")
        value: str = event.value
        if event.implicit[0]:
            if value in _NOT_KEYS:
                raise _Unusual("a null or merge key")
        elif event.style == '"' and _SURROGATE.search(value):
            raise _Unusual("a surrogate")
        return self._keys.setdefault(value, value)  # one string for the many uses of a key


#: the first characters (``""``: the empty scalar) of plain scalars an implicit type may read
_RESOLVED_FIRST = frozenset(_CoreSchemaLoader.yaml_implicit_resolvers)
#: the plain scalars the core schema reads as null or a merge key (``_NULL``, ``_MERGE``)
_NOT_KEYS = frozenset({"~", "null", "Null", "NULL", "", "<<"})


def _typed(value: str) -> Any:
    """A plain scalar as the core schema reads it (``_Builder._scalar`` without problems)."""
    tag = _STR
    for resolved, pattern in _CoreSchemaLoader.yaml_implicit_resolvers.get(value[:1], ()):
        if pattern.match(value):
            tag = resolved
            break
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        try:
            whole = _parse_int(value)
        except ValueError:
            raise _Unusual("too long to convert") from None
        if _decimal_digits(whole) > MAX_INT_DIGITS:
            raise _Unusual("too many digits")
        return whole
    if tag == _FLOAT:
        number = _parse_float(value)
        if math.isnan(number) or math.isinf(number):
            raise _Unusual("not a JSON number")
        return number
    raise _Unusual("unsupported tag")


_SURROGATE = re.compile("[\ud800-\udfff]")
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


#: marks kept as one int each: value line, value column, key line, key column (1-based,
#: 0 = no key), 32 bits apiece; a table of them costs a fraction of SourceMark objects
_FIELD = 32
_LOW = (1 << _FIELD) - 1


def _pack(value: Any, key: Any) -> int:
    """``value`` and ``key`` (or ``None``): PyYAML's or libyaml's marks, 0-based."""
    packed: int = ((value.line + 1) << _FIELD | (value.column + 1)) << (2 * _FIELD)
    if key is not None:
        packed |= (key.line + 1) << _FIELD | (key.column + 1)
    return packed


#: how many levels of marks the event reader keeps while reading: a manifest's agents,
#: workflows, their examples and each example's keys (``agents[0].examples[3].input``)
SHALLOW_DEPTH = 5


class YamlSource:
    """One parsed YAML file: its data and the marks of everything in it.

    Marks deeper than ``SHALLOW_DEPTH`` may not be kept (``_depth``): the first question about
    one reads the text again for all of them."""

    def __init__(
        self,
        path: Path,
        display: str,
        data: Any = None,
        *,
        packed: dict[Loc, int] | None = None,
        depth: int | None = None,
        text: str | None = None,
    ) -> None:
        self.path = path
        self.display = display
        self.data = data
        self._packed: dict[Loc, int] = {} if packed is None else packed
        self._depth = depth  # None: every mark is in _packed
        self._text = text  # to find the deeper marks again

    def __repr__(self) -> str:
        return f"YamlSource({self.display!r})"

    @property
    def marks(self) -> dict[Loc, NodeMarks]:
        """Every place in the data and its marks, in reading order."""
        self._complete()
        return {loc: self._unpack(packed) for loc, packed in self._packed.items()}

    def mark(self, loc: Loc, *, key: bool = False) -> SourceMark:
        """The mark of ``loc`` (its key's when ``key`` and it has one), or its nearest parent's."""
        table = self._table(loc)
        for end in range(len(loc), -1, -1):
            packed = table.get(loc[:end])
            if packed is not None:
                marks = self._unpack(packed)
                if key and end == len(loc) and marks.key is not None:
                    return marks.key
                return marks.value
        return SourceMark(self.display, 1, 1)

    def has(self, loc: Loc) -> bool:
        """Whether ``loc`` is present in the data (as read, before interpolation)."""
        return loc in self._table(loc)

    def existing(self, loc: Loc) -> Loc:
        """The longest prefix of ``loc`` that is present in the data."""
        table = self._table(loc)
        end = len(loc)
        while end and loc[:end] not in table:
            end -= 1
        return loc[:end]

    def _table(self, loc: Loc) -> dict[Loc, int]:
        if self._depth is not None and len(loc) > self._depth:
            self._complete()
        return self._packed

    def _complete(self) -> None:
        if self._depth is None:
            return
        assert self._text is not None, "a source with partial marks keeps its text"
        reader = _EventReader(self._text, depth=None)
        reader.read()  # read once already: it cannot fail now
        self._packed, self._depth, self._text = reader.marks, None, None

    def _unpack(self, packed: int) -> NodeMarks:
        value, key = packed >> (2 * _FIELD), packed & ((1 << (2 * _FIELD)) - 1)
        value_mark = SourceMark(self.display, value >> _FIELD, value & _LOW)
        if not key:
            return NodeMarks(value_mark)
        return NodeMarks(value_mark, SourceMark(self.display, key >> _FIELD, key & _LOW))


def read_yaml(path: Path, display: str) -> tuple[YamlSource | None, list[ManifestProblem]]:
    """Parse ``path``; on failure, return the problems (never raise for bad content)."""
    text, problem = _read_text(path, display)
    if problem is not None:
        return None, [problem]
    if _FAST_LOADER is not None:
        reader = _EventReader(text, depth=SHALLOW_DEPTH)
        try:
            data = reader.read()
        except (_Unusual, yaml.YAMLError):
            pass  # the composer path reads it, and words what is wrong
        else:
            source = YamlSource(path, display, data, packed=reader.marks, depth=SHALLOW_DEPTH)
            source._text = text
            return source, []
    source = YamlSource(path, display)
    try:
        root = _compose(text)
        if root is None:
            return source, []
        builder = _Builder(source)
        source.data = builder.build(root, (), None)
    except _LimitExceeded as err:
        mark = err.mark
        return None, [_problem(display, mark.line + 1, mark.column + 1, str(err), err.hint)]
    except yaml.MarkedYAMLError as err:
        return None, [_syntax_problem(display, err, text)]
    except yaml.YAMLError as err:
        return None, [_problem(display, 0, 0, f"malformed YAML: {err}", "")]
    except RecursionError:  # a safety net: MAX_DEPTH keeps composing and building shallow
        message = "nested too deeply to read"
        return None, [_problem(display, 0, 0, message, f"nest at most {MAX_DEPTH} levels")]
    return source, builder.problems


def _read_text(path: Path, display: str) -> tuple[str, ManifestProblem | None]:
    """The file's text, or the problem that keeps it from being parsed as YAML at all."""
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            message = too_large(size, MAX_MANIFEST_BYTES, "a manifest file")
            hint = "split it into files named under 'include', or move examples into folders"
            return "", _problem(display, 0, 0, message, hint)
        data = path.read_bytes()
    except OSError as err:
        message = f"cannot read the file: {err.strerror or err}"
        return "", _problem(display, 0, 0, message, "check that it is a readable file")
    try:
        text = decode_utf8(data)
    except TextProblem as err:
        return "", _problem(display, err.line, err.column, str(err), err.hint)
    bad = Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        line, column = line_column(text, bad.start())
        code = ord(bad.group())
        escape = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        message = f"the character U+{code:04X} is not allowed in YAML"
        hint = f'remove it, or write it as "{escape}" inside a double-quoted string'
        return "", _problem(display, line, column, message, hint)
    return text, None


def _syntax_problem(display: str, err: yaml.MarkedYAMLError, text: str) -> ManifestProblem:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    detail = err.problem or "malformed YAML"
    hint = err.context or ""
    if "'\\t'" in detail:
        hint = "indent with spaces: YAML does not allow tabs for indentation"
    elif mark is not None and text[max(0, mark.index - 1) : mark.index + 1] == "${":
        # ``{MODE: ${AGENT_MODE}}``: the reference's brace opens a mapping inside the mapping
        reference = _REFERENCE.match(text, mark.index - 1)
        written = reference.group() if reference else "${VAR}"
        hint = f'inside {{...}} or [...] a reference needs quotes: write "{written}"'
        return _problem(display, line, column - 1, f"malformed YAML: {detail}", hint)
    if err.context and err.context_mark and err.context_mark is not mark:
        start = err.context_mark
        hint += f" (it starts at line {start.line + 1}, column {start.column + 1})"
    return _problem(display, line, column, f"malformed YAML: {detail}", hint)


#: a ``${VAR}`` reference as written, up to its closing brace or the line's end
_REFERENCE = re.compile(r"\$\{[^}\n]*\}?")


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
        key_mark = key_node.start_mark if key_node is not None else None
        # an alias's value is marked where the alias is written; what it holds, at the anchor
        self.source._packed[loc] = _pack(node.start_mark, key_mark)
        written, node = node, _target(node)
        if id(node) in self._active:
            self._fail(written, "an alias refers to itself (a recursive structure)")
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
                    f"duplicate key {_short(key)} (first defined at line {first.line})",
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
        node = _target(node)
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in map(_target, sources):
            if not isinstance(source, yaml.MappingNode):
                self._fail(source, "'<<' merges mappings only (e.g. '<<: *defaults')")
                continue
            pairs.extend(source.value)
        return pairs

    def _key(self, node: yaml.Node) -> str | None:
        node = _target(node)
        if isinstance(node, yaml.ScalarNode) and node.tag in (_STR, _INT, _FLOAT, _BOOL):
            return self._text(node)
        self._fail(node, "a mapping key must be a plain string", hint="quote the key")
        return None

    def _text(self, node: yaml.Node) -> str:
        """The scalar's text. A surrogate (from an escape such as "\\ud800", which PyYAML
        reads and libyaml refuses) is not a character: it could be neither hashed nor sent, so
        it becomes U+FFFD, with a problem."""
        value = str(node.value)
        lone = _SURROGATE.search(value)
        if lone is None:
            return value
        code = f"\\u{ord(lone.group()):04x}"
        hint = 'YAML has no surrogate pairs: write the character itself, or "\\U0001f600"'
        self._fail(node, f"{code} is a UTF-16 surrogate, not a character", hint=hint)
        return _SURROGATE.sub("\ufffd", value)

    def _scalar(self, node: yaml.Node) -> Any:
        value = self._text(node)
        tag = node.tag
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            # decimal text longer than Python converts raises; a long 0x... converts, but could
            # never be written out again in decimal (JSON, the digest): both are refused
            try:
                whole = _parse_int(value)
                digits = _decimal_digits(whole)
            except ValueError:
                digits = len(value.lstrip("+-"))
            if digits <= MAX_INT_DIGITS:
                return whole
            message = f"a number of {digits:,} digits (at most {MAX_INT_DIGITS:,} are read)"
            self._fail(node, message, hint="quote it if it is text, such as an id")
            return None
        if tag == _FLOAT:
            number = _parse_float(value)
            if math.isnan(number) or math.isinf(number):
                self._fail(
                    node, f"{_short(value)} is not a JSON number", hint="use a finite number"
                )
            return number
        self._fail(node, f"unsupported YAML tag {tag!r}", hint="remove the tag or quote the value")
        return value


def _short(text: str) -> str:
    """``text`` quoted for a message, its middle left out when it is long."""
    if len(text) <= 60:
        return repr(text)
    return f"{text[:40]!r}...{text[-12:]!r} ({len(text):,} characters)"


def _composed(node: yaml.Node | None) -> yaml.Node:
    assert node is not None, "PyYAML composes a node for every event"
    return node


def _target(node: yaml.Node) -> yaml.Node:
    return node.target if isinstance(node, AliasNode) else node


def _decimal_digits(number: int) -> int:
    """How many decimal digits ``number`` has (without writing it out, which may fail)."""
    if number.bit_length() <= 3 * MAX_INT_DIGITS:  # well within: str() is safe
        return len(str(abs(number)))
    return int(number.bit_length() * math.log10(2)) + 1


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
