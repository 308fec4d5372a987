"""JSON from outside (an agent program's output, a request body), read with limits.

Python's parser recurses once per nesting level and raises ``RecursionError`` at about 1,000
(so does everything that walks the value afterwards: storing it, validating it, diffing it);
it converts at most 4,300 digits of a whole number; it accepts ``NaN`` and ``Infinity``, which
no other JSON reader does; and it keeps a lone surrogate (``"\\ud800"``) that cannot be encoded
as UTF-8 again. Each of these is refused here with a message naming the source, so a hostile
or broken program fails its run, and a bad request gets a 400, instead of crashing the runtime
or an API answer later.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, NoReturn

#: lists and objects nested in one another, counted from the outermost value (the same limit
#: evalkit applies to a project's JSON files, so anything deeper could never be compared)
MAX_DEPTH = 64
#: digits of a whole number: Python's limit on converting text to a number
MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


class BoundedJsonError(ValueError):
    """The document cannot be taken; the message names its source and what is wrong."""


def load_bounded_json(raw: bytes, source: str) -> Any:
    """The JSON value in ``raw`` (UTF-8), checked; ``source`` names it in messages."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BoundedJsonError(f"{source} is not UTF-8 text") from None
    non_finite: list[float] = []

    def parse_float(literal: str) -> float:
        number = float(literal)  # what json.loads makes of it by itself
        if not math.isfinite(number):
            non_finite.append(number)
        return number

    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=parse_float)
    except RecursionError:
        _too_deep(source)
    except json.JSONDecodeError as err:
        raise BoundedJsonError(
            f"{source} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except _NotFinite as err:
        raise BoundedJsonError(f"{source} is not valid JSON: {err} is not a JSON number") from None
    except ValueError:  # int() refused a number with too many digits
        raise BoundedJsonError(
            f"{source} holds a number with more than {MAX_INT_DIGITS} digits"
        ) from None
    # The walk refuses the first trouble it meets; a document that can hold none is not walked.
    if non_finite or not _plainly_bounded(raw):
        check_value(value, source)
    return value


def _plainly_bounded(raw: bytes) -> bool:
    """Whether a document that parsed holds nothing ``check_value`` refuses but an infinite
    number: ASCII without a ``\\u`` escape (so no lone surrogate), with too few brackets to nest
    past ``MAX_DEPTH`` (a bracket in a string only counts one more)."""
    return raw.isascii() and b"\\u" not in raw and raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH


def check_value(value: Any, source: str) -> None:
    """Refuse a value nested past ``MAX_DEPTH``, an infinite number or a lone surrogate.

    Iterative, so a value of any depth is measured without recursing.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_DEPTH:
                _too_deep(source)
            for key, member in item.items():
                _check_text(key, source)
                stack.append((member, depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_DEPTH:
                _too_deep(source)
            stack.extend((member, depth + 1) for member in item)
        elif isinstance(item, str):
            _check_text(item, source)
        elif isinstance(item, float) and not math.isfinite(item):
            raise BoundedJsonError(f"{source} holds a number too large for a float (e.g. 1e999)")


class _NotFinite(ValueError):
    pass


def _refuse_constant(name: str) -> NoReturn:
    raise _NotFinite(name)


def _too_deep(source: str) -> NoReturn:
    raise BoundedJsonError(
        f"{source} is nested deeper than {MAX_DEPTH} levels of lists and objects; flatten it"
    ) from None


def _check_text(text: str, source: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        lone = f"\\u{ord(text[err.start]):04x}"
        raise BoundedJsonError(
            f"{source} holds {lone}, half of a surrogate pair and not a character"
        ) from None
