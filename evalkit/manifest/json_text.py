"""Text files read strictly: JSON that ``json.loads`` would read loosely or not at all, and the
UTF-8 check shared with the YAML reader.

``loads_strict`` refuses, each with its line and column:

- a key written twice in one object (``json.loads`` keeps the last; in an expected output that
  hides a mistake: the first value is never compared);
- nesting past ``MAX_DEPTH`` (Python's parser would crash past about 1,000 levels, and what
  reads the value later, comparison included, recurses too);
- a number with more digits than Python converts, ``NaN``/``Infinity`` and numbers too large to
  be finite (none of them survives a round trip through JSON);
- a ``\\ud800``-style escape that is half of a surrogate pair (it cannot be encoded again).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evalkit.manifest.limits import MAX_DEPTH, MAX_INT_DIGITS

#: a string, a bracket, or a bare word or number: enough to find a place in JSON known to parse
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[-+.0-9A-Za-z_]+')
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LEADING_INTEGER = re.compile(r"-?([0-9]+)(?![0-9.eE])")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)


class TextProblem(ValueError):
    """Text evalkit will not read: what, where (1-based; 0 when unknown), and what to do."""

    def __init__(self, message: str, line: int, column: int, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.hint = hint


class DuplicateKeyError(TextProblem):
    """A key appears twice in one object; ``line``/``column`` of its second use."""

    def __init__(self, key: str, line: int, column: int) -> None:
        message = f"invalid JSON: the key {key!r} appears twice in one object"
        hint = "keep one of them (JSON readers silently keep only the last)"
        super().__init__(message, line, column, hint)
        self.key = key


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


class _NotFinite(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Called for every object: the dict's size tells whether a key repeats (a C call), and
    # only then is the key looked for.
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return value


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _NotFinite
    return number


def _refuse_constant(text: str) -> Any:
    raise _NotFinite


def _nested_deeper(text: str, limit: int) -> bool:
    """Whether lists and objects nest more than ``limit`` deep in ``text`` (outside strings).

    Done with C-speed passes, not token by token (``_refuse_first`` took 15 ms for a 370 KB
    document; this takes 5): its brackets alone, then each pass removes the innermost pairs,
    the empty ones, all at once (one pass for both kinds: a ``[]`` removed must not make a
    ``{}`` in the same pass). A depth of d takes d passes."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        inner_removed = _EMPTY_PAIR.sub("", brackets)
        if inner_removed == brackets:  # none left, or not pairs: the parser says what
            return False
        brackets = inner_removed
    return bool(brackets)


def line_column(text: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of ``index`` (for bytes, the column counts bytes)."""
    newline: Any = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, index) + 1
    return line, index - (text.rfind(newline, 0, index) + 1) + 1


def decode_utf8(data: bytes) -> str:
    """``data`` as text; ``TextProblem`` at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = line_column(data, err.start)
        byte = data[err.start : err.start + 1].hex()
        message = f"not UTF-8 text: byte 0x{byte} ({err.reason})"
        raise TextProblem(message, line, column, "save the file as UTF-8") from None


def loads_strict(text: str) -> Any:
    """``json.loads`` that raises ``TextProblem`` (``DuplicateKeyError`` for a repeated key)
    for anything it would not read, or would read into a value evalkit cannot use."""
    if _nested_deeper(text, MAX_DEPTH):
        _refuse_first(text, _TOO_DEEP)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_refuse_duplicates,
            parse_float=_finite,
            parse_constant=_refuse_constant,
        )
    except _Duplicate as err:
        line, column = _second_use(text, err.key)
        raise DuplicateKeyError(err.key, line, column) from None
    except _NotFinite:
        _refuse_first(text, _NOT_FINITE)
        raise TextProblem("a number is not finite", 0, 0, _NOT_FINITE.hint) from None
    except json.JSONDecodeError as err:
        raise TextProblem(
            f"invalid JSON: {err.msg}", err.lineno, err.colno, "fix the JSON syntax"
        ) from None
    except ValueError:  # a number with more digits than Python converts to int
        _refuse_first(text, _TOO_LONG)
        raise TextProblem("a number has too many digits", 0, 0, _TOO_LONG.hint) from None
    except RecursionError:  # a safety net: nesting is refused above
        raise TextProblem("nested too deeply to read", 0, 0, _TOO_DEEP.hint) from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_first(text, _LONE_SURROGATE)
    return value


@dataclass(frozen=True)
class _Check:
    #: whether a token (a string with its quotes, a bracket, a number or word) is refused;
    #: ``depth`` counts the brackets open, the token's own included
    refuses: Callable[[str, int], bool]
    message: Callable[[str], str]
    hint: str


def _digits(token: str) -> int:
    """The digits of the integer a token starts with (a token may run on into letters that
    the JSON parser stops at, after it failed to convert the number)."""
    leading = _LEADING_INTEGER.match(token)
    return len(leading.group(1)) if leading else 0


def _not_finite(token: str) -> bool:
    if token in ("NaN", "Infinity", "-Infinity"):
        return True
    try:
        return not token.startswith('"') and math.isinf(float(token))
    except ValueError:
        return False


def _lone_surrogate(token: str) -> str:
    """The first lone surrogate in a string token, as its escape (``""`` when none)."""
    if not token.startswith('"') or "\\u" not in token:
        return ""
    lone = _SURROGATE.search(json.loads(token))
    return f"\\u{ord(lone.group()):04x}" if lone else ""


_TOO_DEEP = _Check(
    lambda token, depth: depth > MAX_DEPTH,
    lambda token: f"lists and objects nested more than {MAX_DEPTH} deep",
    f"evalkit reads at most {MAX_DEPTH} levels; flatten this value",
)
_TOO_LONG = _Check(
    lambda token, depth: _digits(token) > MAX_INT_DIGITS,
    lambda token: f"a number of {_digits(token):,} digits (at most {MAX_INT_DIGITS:,} are read)",
    "write it as a string if it is an id",
)
_NOT_FINITE = _Check(
    lambda token, depth: _not_finite(token),
    lambda token: f"{token[:40]} is not a finite JSON number",
    "write null, or the number as a string",
)
_LONE_SURROGATE = _Check(
    lambda token, depth: bool(_lone_surrogate(token)),
    lambda token: f"{_lone_surrogate(token)} is half of a surrogate pair, not a character",
    "write the character itself, or both halves of the pair",
)


def _refuse_first(text: str, check: _Check) -> None:
    """Raise ``TextProblem`` at the first token ``check`` refuses (if any)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
        elif token in ("]", "}"):
            depth -= 1
        if check.refuses(token, depth):
            line, column = line_column(text, match.start())
            raise TextProblem(check.message(token), line, column, check.hint)


def _second_use(text: str, key: str) -> tuple[int, int]:
    """Where the quoted key is written the second time (0, 0 when escapes hide it)."""
    quoted = json.dumps(key, ensure_ascii=False)
    first = text.find(quoted)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    if second < 0:
        return 0, 0
    return line_column(text, second)
