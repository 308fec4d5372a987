"""``${VAR}`` and ``${VAR:-default}`` in the manifest's string values; ``$${`` is a literal ``${``.

An undefined variable with no default is an error, never an empty string: a CI job that forgot
to set ``PR_NUMBER`` must fail at validation, not evaluate the production agent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from evalkit.conventions import PROTECTED_VARIABLES
from evalkit.errors import ManifestProblem
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY = re.compile(rf"^(?P<name>{_NAME})(?::-(?P<default>.*))?$", re.DOTALL)


class InterpolationError(ValueError):
    """One bad reference in one string; the message says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def interpolate_text(text: str, env: Mapping[str, str]) -> str:
    """Replace every reference in ``text``; raise ``InterpolationError`` for the first bad one."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        body = match.group("body")
        if body is None:
            raise InterpolationError(
                f"unclosed '${{' in {text!r}",
                "close it with '}', or write '$${' for a literal '${'",
            )
        parsed = _BODY.match(body)
        if parsed is None:
            raise InterpolationError(
                f"bad variable reference '${{{body}}}'",
                "write ${NAME} or ${NAME:-default} (letters, digits, '_'); '$${' is a literal '${'",
            )
        name, default = parsed.group("name"), parsed.group("default")
        if name in PROTECTED_VARIABLES:
            raise InterpolationError(
                f"variable '{name}' may not be used in a manifest",
                "the API key goes to evalkit through --api-key or the environment, never into "
                "an agent's settings",
            )
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise InterpolationError(
            f"undefined variable '{name}'",
            f"set {name} in the environment, or give a default: ${{{name}:-value}}",
        )

    return _TOKEN.sub(replace, text)


def interpolate_source(source: YamlSource, env: Mapping[str, str]) -> list[ManifestProblem]:
    """Interpolate every string value of ``source.data`` in place; return the problems."""
    problems: list[ManifestProblem] = []
    source.data = _walk(source.data, (), source, env, problems)
    return problems


def _walk(
    value: Any, loc: Loc, source: YamlSource, env: Mapping[str, str], out: list[ManifestProblem]
) -> Any:
    if isinstance(value, str):
        try:
            return interpolate_text(value, env)
        except InterpolationError as err:
            out.append(ManifestProblem(source.mark(loc), str(err), loc_text(loc), err.hint))
            return value
    # A mapping or list is copied only when a value in it changed: a large manifest is mostly
    # left alone, and a copy of every example held a second manifest's worth of memory.
    if isinstance(value, dict):
        changed: dict[Any, Any] | None = None
        for k, v in value.items():
            if _as_is(v):
                continue
            new = _walk(v, (*loc, k), source, env, out)
            if new is not v:
                changed = changed if changed is not None else dict(value)
                changed[k] = new
        return value if changed is None else changed
    if isinstance(value, list):
        items: list[Any] | None = None
        for i, v in enumerate(value):
            if _as_is(v):
                continue
            new = _walk(v, (*loc, i), source, env, out)
            if new is not v:
                items = items if items is not None else list(value)
                items[i] = new
        return value if items is None else items
    return value


def _as_is(value: Any) -> bool:
    """A value interpolation leaves alone (most of a large manifest): no walk, no place."""
    kind = type(value)
    return (kind is str and "$" not in value) or kind in _LEAVES


_LEAVES = frozenset({int, float, bool, type(None)})
