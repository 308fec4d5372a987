"""Editing a JSON file in place: a new value written into the old text, so that ``git diff``
shows the values that changed and nothing else.

``parse`` reads the text into a value and the span of every part of it; ``edited`` writes a
new value over that text: every part whose value is unchanged keeps its text as written (its
layout, ``38.50`` rather than ``38.5``, its escapes), a container whose members all stay in
their order keeps its separators, and new values are laid out like their neighbours (one
line in a one-line container, indented otherwise). List elements are recognised by identity
(``accept_json`` returns the old objects where nothing changed), so a reordered list moves
its lines. What ``edited`` returns always reads back as the new value: should it not (a bug),
the whole value is written again, indented.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.DOTALL)
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass
class Node:
    """One value of the text: where it starts and ends, and its members (containers)."""

    start: int
    end: int
    value: Any
    members: list[Member] = field(default_factory=list)


@dataclass
class Member:
    """A member of an object (``key`` set) or an element of a list; ``start`` is where its
    key (or the element) starts."""

    start: int
    node: Node
    key: str | None = None


class JsonSyntax(ValueError):
    pass


def parse(text: str) -> Node:
    """The value of ``text`` with its spans (``JsonSyntax`` when it is not JSON)."""
    parser = _Parser(text)
    node = parser.value(parser.skip(0))
    if parser.skip(node.end) != len(text):
        raise JsonSyntax(f"text after the JSON value at {node.end}")
    return node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, at: int) -> int:
        found = _WHITESPACE.match(self.text, at)
        return found.end() if found else at

    def value(self, at: int) -> Node:
        text = self.text
        if at >= len(text):
            raise JsonSyntax("the text ends before a value")
        char = text[at]
        if char == "{":
            return self._container(at, "}", keyed=True)
        if char == "[":
            return self._container(at, "]", keyed=False)
        if char == '"':
            found = _STRING.match(text, at)
            if not found:
                raise JsonSyntax(f"an unterminated string at {at}")
            return Node(at, found.end(), json.loads(found.group()))
        for word, literal in _LITERALS.items():
            if text.startswith(word, at):
                return Node(at, at + len(word), literal)
        found = _NUMBER.match(text, at)
        if not found:
            raise JsonSyntax(f"not a JSON value at {at}")
        return Node(at, found.end(), json.loads(found.group()))

    def _container(self, start: int, close: str, *, keyed: bool) -> Node:
        text = self.text
        members: list[Member] = []
        at = self.skip(start + 1)
        if text.startswith(close, at):
            return Node(start, at + 1, {} if keyed else [], members)
        while True:
            key = None
            member_start = at
            if keyed:
                key_node = self.value(at)
                if not isinstance(key_node.value, str):
                    raise JsonSyntax(f"an object key is not a string at {at}")
                key = key_node.value
                at = self.skip(key_node.end)
                if not text.startswith(":", at):
                    raise JsonSyntax(f"':' expected at {at}")
                at = self.skip(at + 1)
            node = self.value(at)
            members.append(Member(member_start, node, key))
            at = self.skip(node.end)
            if text.startswith(",", at):
                at = self.skip(at + 1)
                continue
            if text.startswith(close, at):
                break
            raise JsonSyntax(f"',' or {close!r} expected at {at}")
        value: Any = (
            {m.key: m.node.value for m in members} if keyed else [m.node.value for m in members]
        )
        return Node(start, at + 1, value, members)


def edited(text: str, new: Any) -> str:
    """``text`` (a JSON document) holding ``new`` instead of its value, changed only where the
    values differ. List elements are recognised by identity only with ``edited_node`` and the
    root whose values ``new`` reuses."""
    return edited_node(text, parse(text), new)


def edited_node(text: str, root: Node, new: Any) -> str:
    """``edited`` for a text parsed already (``root``)."""
    writer = _Writer(text)
    result = text[: root.start] + writer.render(root, new) + text[root.end :]
    if not _same(_loaded(result), new):
        return dumped(new, writer.unit, writer.ascii, text.endswith("\n"))
    return result


def dumped(value: Any, indent: int = 2, ascii_only: bool = False, newline: bool = True) -> str:
    """``value`` as a whole JSON document, indented."""
    return json.dumps(value, indent=indent, ensure_ascii=ascii_only) + ("\n" if newline else "")


def _loaded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _Unreadable


class _Unreadable:
    pass


def _same(left: Any, right: Any) -> bool:
    return json.dumps(left, sort_keys=True, default=repr) == json.dumps(
        right, sort_keys=True, default=repr
    )


class _Writer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.unit = _indent_unit(text)
        self.ascii = "\\u" in text and text.isascii()

    def render(self, node: Node, new: Any) -> str:
        old = node.value
        if old is new or (type(old) is type(new) and _same(old, new)):
            return self.text[node.start : node.end]
        if isinstance(old, dict) and isinstance(new, dict):
            return self._object(node, new)
        if isinstance(old, list) and isinstance(new, list):
            return self._list(node, new)
        return self.fresh(new, node.start, one_line=self._one_line(node.start))

    def _object(self, node: Node, new: dict[str, Any]) -> str:
        kept = [m for m in node.members if m.key in new]
        added = [key for key in new if key not in {m.key for m in node.members}]
        in_place = (
            len(kept) == len(node.members) and not added and list(new) == [m.key for m in kept]
        )
        if in_place:
            return self._in_place(node, [(m, new[m.key or ""]) for m in kept])
        order = {key: index for index, key in enumerate(new)}
        kept.sort(key=lambda m: order[m.key or ""])
        texts = [self._member_text(m, new[m.key or ""]) for m in kept]
        one_line = self._container_one_line(node)
        for key in added:
            key_text = json.dumps(key, ensure_ascii=self.ascii)
            at = self._member_column(node)
            texts.append(f"{key_text}: {self.fresh(new[key], at, one_line=one_line)}")
        return self._rebuilt(node, texts)

    def _list(self, node: Node, new: list[Any]) -> str:
        old = node.members
        source: list[Member | None] = [None] * len(new)
        used: set[int] = set()
        for k, item in enumerate(new):  # the same objects: elements kept, maybe moved
            for i, member in enumerate(old):
                if i not in used and member.node.value is item and _is_container(item):
                    source[k] = member
                    used.add(i)
                    break
        unused = [member for i, member in enumerate(old) if i not in used]
        for k in range(len(new)):  # the others take the old elements left, in order
            if source[k] is None and unused:
                source[k] = unused.pop(0)
        if len(new) == len(old) and all(source[k] is old[k] for k in range(len(new))):
            return self._in_place(node, list(zip(old, new, strict=True)))
        one_line = self._container_one_line(node)
        at = self._member_column(node)
        texts = [
            self.render(member.node, item)
            if member is not None
            else self.fresh(item, at, one_line=one_line)
            for member, item in zip(source, new, strict=True)
        ]
        return self._rebuilt(node, texts)

    def _in_place(self, node: Node, pairs: list[tuple[Member, Any]]) -> str:
        text, parts, at = self.text, [], node.start
        for member, value in pairs:
            parts.append(text[at : member.node.start])
            parts.append(self.render(member.node, value))
            at = member.node.end
        parts.append(text[at : node.end])
        return "".join(parts)

    def _member_text(self, member: Member, value: Any) -> str:
        return self.text[member.start : member.node.start] + self.render(member.node, value)

    def _rebuilt(self, node: Node, texts: list[str]) -> str:
        """The container with these member texts, between its own brackets and spacing."""
        text, members = self.text, node.members
        opening, closing = text[node.start], text[node.end - 1]
        if not texts:
            return opening + closing
        if members:
            head = text[node.start : members[0].start]
            tail = text[members[-1].node.end : node.end]
            if len(members) > 1:
                separator = text[members[0].node.end : members[1].start]
            else:
                separator = "," + head[1:] if "\n" in head else ", "
        elif self._one_line(node.start) and not self._nested_layout(texts):
            head, tail, separator = opening, closing, ", "
        else:
            indent = self._line_indent(node.start)
            head = opening + "\n" + indent + " " * self.unit
            tail = "\n" + indent + closing
            separator = ",\n" + indent + " " * self.unit
        return head + separator.join(texts) + tail

    def fresh(self, value: Any, at: int, *, one_line: bool) -> str:
        """A new value written at ``at``: on one line, or indented from ``at``'s line."""
        if one_line or not _is_container(value) or not value:
            return json.dumps(value, ensure_ascii=self.ascii, separators=(", ", ": "))
        indent = self._line_indent(at)
        lines = json.dumps(value, indent=self.unit, ensure_ascii=self.ascii).split("\n")
        return "\n".join([lines[0], *(indent + line for line in lines[1:])])

    def _member_column(self, node: Node) -> int:
        return node.members[0].start if node.members else node.start

    def _container_one_line(self, node: Node) -> bool:
        return "\n" not in self.text[node.start : node.end] and bool(node.members)

    def _one_line(self, at: int) -> bool:
        """Whether ``at`` sits in a container written on one line (after its opening)."""
        line_start = self.text.rfind("\n", 0, at) + 1
        before = self.text[line_start:at]
        return before.count("{") + before.count("[") > before.count("}") + before.count("]")

    def _nested_layout(self, texts: list[str]) -> bool:
        return any("\n" in text for text in texts)

    def _line_indent(self, at: int) -> str:
        line_start = self.text.rfind("\n", 0, at) + 1
        found = _WHITESPACE.match(self.text, line_start)
        spaces = self.text[line_start : found.end() if found else line_start]
        return spaces.replace("\n", "").replace("\r", "")


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _indent_unit(text: str) -> int:
    """The indentation step of the text (the smallest indent of a line), 2 by default."""
    indents = [
        len(line) - len(line.lstrip(" "))
        for line in text.split("\n")
        if line.strip() and line.startswith(" ")
    ]
    return min(indents) if indents else 2
