"""The small, safe templating of workflow steps: ``${input.x}`` and ``${steps.id.output.y}``.

An expression is a dotted path looked up in ``{"input": ..., "steps": {id: {"output": ...}}}``;
there is no code, no call, no filter. A string that is exactly one expression takes the value
with its JSON type; inside longer text the value is written in (strings as they are, other
values as JSON). ``$${`` writes a literal ``${``. List items are reached by number:
``${steps.extract.output.lines.0.amount}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from evalkit.emulator.runtime.job import InputFile

_EXPRESSION = re.compile(r"\$(\$?)\{([^{}]*)\}")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
ROOTS = ("input", "steps")


class TemplateError(ValueError):
    """An expression is malformed or names something that is not there."""


def expressions(template: Any) -> Iterator[str]:
    """Every expression (the text between ``${`` and ``}``) in a template, escapes left out."""
    if isinstance(template, str):
        for match in _EXPRESSION.finditer(template):
            if not match.group(1):
                yield match.group(2)
    elif isinstance(template, Mapping):
        for value in template.values():
            yield from expressions(value)
    elif isinstance(template, list):
        for item in template:
            yield from expressions(item)


def parse_path(expression: str) -> list[str]:
    """The segments of ``expression``; raises ``TemplateError`` unless it is a valid path."""
    segments = expression.strip().split(".")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise TemplateError(
            f"${{{expression}}} is not a dotted path of names and numbers (e.g. ${{input.total}})"
        )
    if segments[0] not in ROOTS:
        raise TemplateError(f"${{{expression}}} must start with 'input.' or 'steps.'")
    if segments[0] == "steps" and (len(segments) < 3 or segments[2] != "output"):
        raise TemplateError(f"${{{expression}}} must look like ${{steps.<id>.output...}}")
    return segments


def render(template: Any, context: Mapping[str, Any]) -> Any:
    """``template`` with every expression replaced from ``context`` (keys are not templated)."""
    if isinstance(template, str):
        return _render_text(template, context)
    if isinstance(template, Mapping):
        return {key: render(value, context) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, context) for item in template]
    return template


def describe_file(item: InputFile) -> dict[str, Any]:
    """How a file input appears where a JSON value is needed."""
    return {"filename": item.filename, "contentType": item.content_type, "size": len(item.content)}


def _render_text(text: str, context: Mapping[str, Any]) -> Any:
    whole = _EXPRESSION.fullmatch(text)
    if whole and not whole.group(1):
        return lookup(whole.group(2), context)

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        value = lookup(match.group(2), context)
        if isinstance(value, str):
            return value
        if isinstance(value, InputFile):
            return value.filename
        return json.dumps(value, ensure_ascii=False)

    return _EXPRESSION.sub(substitute, text)


def lookup(expression: str, context: Mapping[str, Any]) -> Any:
    segments = parse_path(expression)
    value: Any = context
    for depth, segment in enumerate(segments):
        if isinstance(value, InputFile):
            value = describe_file(value)
        if isinstance(value, Mapping) and segment in value:
            value = value[segment]
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            where = ".".join(segments[:depth]) or "the context"
            raise TemplateError(f"${{{expression}}}: {where} has no {segment!r}")
    return value
