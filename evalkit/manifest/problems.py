"""Turning pydantic's validation errors into problems a person can act on.

Each error's ``loc`` is walked through the data to find the key or value it concerns (the
union tags pydantic inserts, such as ``'<list>'`` or ``'<inline>'``, are skipped), and through
the model types to know which keys were allowed there, for "did you mean".
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from pydantic_core import ErrorDetails

from evalkit.errors import ManifestProblem, SourceMark
from evalkit.manifest.models import NAME_PATTERN, SLUG_PATTERN, VERSION_PATTERN, WORKFLOW_PATTERN
from evalkit.manifest.pass_if import MANIFEST_PROBLEM
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text

_TYPE_NAMES = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}

_TYPE_HINTS = {
    "a list": "write one '- item' per line, or [a, b]",
    "a mapping": "write 'key: value' lines, indented under this key, or {key: value}",
}

_MISSING_HINTS = {
    "version": "put 'version: 1' at the top of the file (included files need it too)",
}
_POINTER_HINT = (
    "write paths as JSON pointers: /total, /lineItems/0/amount, /lineItems/*/amount "
    "('*' one segment, '**' any); '~0' stands for '~' and '~1' for '/'"
)

_PATTERN_HELP = {
    SLUG_PATTERN: "lowercase letters, digits and single hyphens, e.g. 'invoice-extractor'",
    NAME_PATTERN: "letters, digits, '.', '_' and '-', starting with a letter or digit",
    WORKFLOW_PATTERN: "the workflow's name (a slug such as 'invoice-pipeline') or its id (wf_...)",
    VERSION_PATTERN: "'latest', a version id (wfh_...), or a version label such as 'v1'",
}


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def problems_from_validation(
    err: ValidationError, source: YamlSource, model: type[BaseModel]
) -> list[ManifestProblem]:
    """One problem per pydantic error, marked at the key or value it is about."""
    return [_problem(detail, source, model) for detail in err.errors(include_url=False)]


def _problem(detail: ErrorDetails, source: YamlSource, model: type[BaseModel]) -> ManifestProblem:
    loc, kind = _data_loc(detail["loc"], source.data), detail["type"]
    value = _get(source.data, loc)
    where = loc_text(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, detail["loc"][:-1])
        hint = suggest(key, allowed)
        if allowed:
            listing = f"allowed here: {', '.join(sorted(allowed))}"
            hint = f"{hint} {listing}" if hint else listing
        place = f" in {loc_text(loc[:-1])}" if loc[:-1] else ""
        message = f"unknown key {key!r}{place}"
        return ManifestProblem(source.mark(loc, key=True), message, where, hint)
    if kind == "missing":
        key = str(detail["loc"][-1])
        parent = loc[:-1] if loc and loc[-1] == detail["loc"][-1] else loc
        mark = source.mark(source.existing(parent))
        place = f" in {loc_text(parent)}" if parent else ""
        hint = _MISSING_HINTS.get(key, f"add '{key}: ...' here")
        message = f"missing required key {key!r}{place}"
        return ManifestProblem(mark, message, loc_text(parent), hint)
    if kind == MANIFEST_PROBLEM:
        return _own_problem(detail, source, loc)
    mark = source.mark(source.existing(loc))
    if kind == "value_error":
        mark = _mark_of_quoted(detail, source, source.existing(loc)) or mark
    return ManifestProblem(mark, *_message(detail, value, where))


def _own_problem(detail: ErrorDetails, source: YamlSource, loc: Loc) -> ManifestProblem:
    """An error of our own validators (``pass_if.problem``): its message and hint as made,
    marked at the key, or the value of the key, that it names below its place."""
    ctx = detail.get("ctx") or {}
    where = loc_text(loc)
    mark = source.mark(source.existing(loc))
    if ctx.get("key") and source.has((*loc, ctx["key"])):
        mark = source.mark((*loc, ctx["key"]), key=True)
    elif ctx.get("value_of") and source.has((*loc, ctx["value_of"])):
        mark = source.mark((*loc, ctx["value_of"]))
    label = f"{where}: " if where else ""
    return ManifestProblem(mark, f"{label}{ctx['message']}", where, str(ctx.get("hint", "")))


def _mark_of_quoted(detail: ErrorDetails, source: YamlSource, loc: Loc) -> SourceMark | None:
    """A check on a whole block (e.g. every pointer of a compare block) names the value it
    rejects in quotes: find that key or value below ``loc`` and point at it."""
    quoted = re.search(r"'([^']+)'", str((detail.get("ctx") or {}).get("error", "")))
    if quoted is None:
        return None
    text = quoted.group(1)
    for place in source.marks:
        if place[: len(loc)] != loc or len(place) == len(loc):
            continue
        if place[-1] == text:
            return source.mark(place, key=True)
        if _get(source.data, place) == text:
            return source.mark(place)
    return None


def _message(detail: ErrorDetails, value: Any, where: str) -> tuple[str, str, str]:
    """(message, key, hint) for a value error."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    label = f"{where}: " if where else ""
    if kind in _TYPE_NAMES:
        message = f"{label}expected {_TYPE_NAMES[kind]}, got {describe(value)}"
        return message, where, _TYPE_HINTS.get(_TYPE_NAMES[kind], "")
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(str(value), choices) if isinstance(value, str) else ""
        expected = ctx.get("expected", "")
        return f"{label}{describe(value)} is not one of {expected}", where, hint
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        help_text = _PATTERN_HELP.get(pattern, f"must match {pattern}")
        return f"{label}invalid value {value!r}", where, f"use {help_text}"
    if kind == "value_error":
        message = str(ctx.get("error", detail["msg"]))
        hint = _POINTER_HINT if "JSON pointer" in message else ""
        return f"{label}{message}", where, hint
    return f"{label}{detail['msg'][:1].lower()}{detail['msg'][1:]}", where, ""


def describe(value: Any) -> str:
    """A YAML value as a person names it: ``string 'x'``, ``number 3``, ``a list``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    return "a list" if isinstance(value, list) else "a mapping"


def _data_loc(loc: tuple[int | str, ...], data: Any) -> Loc:
    """The parts of ``loc`` that exist as keys or indices in ``data`` (others are union tags),
    plus a final missing or unknown key."""
    out: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            out.append(part)
            current = current[part]
        elif index == len(loc) - 1 and isinstance(current, dict):
            out.append(part)  # a missing or unknown key
    return tuple(out)


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> set[str]:
    """The field names of the model(s) at pydantic's ``loc`` from ``model``; a union tag in
    ``loc`` (e.g. ``'<inline>'``) narrows a union to the member that was validated."""
    current: list[Any] = [model]
    for part in loc:
        tagged = [member for a in current for member, tag in _tagged(a) if tag == part]
        if tagged:
            current = tagged
            continue
        following: list[Any] = []
        for annotation in current:
            following.extend(_step(annotation, part))
        current = following
    return {name for cls in _models(current) for name in cls.model_fields}


def _step(annotation: Any, part: str | int) -> list[Any]:
    found: list[Any] = []
    for option in _flatten(annotation):
        origin = get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(part, str):
            field = option.model_fields.get(part)
            if field is not None:
                found.append(field.annotation)
        elif origin is list and isinstance(part, int):
            found.append(get_args(option)[0])
        elif origin is dict and isinstance(part, str):
            found.append(get_args(option)[1])
    return found


def _tagged(annotation: Any) -> list[tuple[Any, str]]:
    """Every ``Annotated[member, Tag(...)]`` inside ``annotation``, as (member, tag)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        own = [(inner, m.tag) for m in metadata if isinstance(m, Tag)]
        return own + _tagged(inner)
    if origin is Union or origin is types.UnionType:
        return [pair for arg in get_args(annotation) for pair in _tagged(arg)]
    return []


def _flatten(annotation: Any) -> list[Any]:
    """Unwrap Annotated and unions into their member types."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [member for arg in get_args(annotation) for member in _flatten(arg)]
    return [annotation]


def _models(annotations: list[Any]) -> list[type[BaseModel]]:
    return [
        option
        for annotation in annotations
        for option in _flatten(annotation)
        if isinstance(option, type) and issubclass(option, BaseModel)
    ]
