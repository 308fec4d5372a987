"""Reading a run's files as untrusted input: ``results.jsonl`` line by line, and
``summary.json`` (for the reports, and a baseline for ``evalkit run --baseline``).

A results file may come from anywhere (a CI artifact, a colleague, a run killed mid-write).
Whatever it holds, reading it gives the run or raises ``ResultsFileError``, which says where
(``file:line``), what is wrong and what to do. Nothing crashes and nothing past these limits is
read: a line over ``MAX_LINE_BYTES``; lists and objects nested over ``MAX_NESTING`` deep (what
evalkit can write: its writer refuses deeper values); bytes that are not UTF-8; JSON that is not
a result; a number of more digits than Python converts, ``NaN`` or ``Infinity`` (evalkit writes
none: its writer turns them into ``null``); half of a surrogate pair; a ``format`` this evalkit
does not know; and values the reports could not show (``evalkit.runner.shapes``).

One damaged line is not an error: the trace of a crash. The runner writes each line whole
with its newline, so a run killed mid-write leaves a last line with no newline that is not
complete JSON. That line is skipped and listed in ``ResultsRead.skipped`` (the reports and the
command say so), and the examples that finished still make a report. A damaged line anywhere
else, or a complete last line that is not a result, is an error.

The readers import the shapes (``runner.shapes``, a set of models) when they read: a run
imports this module, and starts its first examples, without building them.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from evalkit.errors import RunError
from evalkit.runner.results import (
    RESULTS_FORMAT_VERSION,
    RESULTS_NAME,
    SUMMARY_NAME,
    ExampleResult,
    RunSummary,
)

#: bytes in one line of results.jsonl, and in summary.json: a line holds an example's expected
#: and actual JSON (up to 50 MB each in a project) and their differences
MAX_LINE_BYTES = 256 * 1024 * 1024
#: lists and objects nested in one another in a line (the line's own object is 1): evalkit's
#: writer (pydantic) refuses deeper values, so no run writes one
MAX_NESTING = 256
#: what to do about a file evalkit did not write as it is
_REWRITE = "use the file 'evalkit run' wrote, or run the examples again"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")
#: more digits than Python converts to a whole number (its limit, 4,300 by default)
_TOO_MANY_DIGITS = re.compile(rf"\d{{{sys.get_int_max_str_digits() + 1},}}")
#: how close to the end of a line JSON may fail for the line to be taken as cut short (in
#: ``tru``, ``1.`` or ``"\u00`` it fails a few characters before the end)
_CUT_SLACK = 8
_Model = TypeVar("_Model", bound=BaseModel)


class ResultsFileError(RunError):
    """A results or summary file the reports cannot use: where, what, and what to do."""

    def __init__(self, where: str, problem: str, hint: str = _REWRITE) -> None:
        super().__init__(f"{where}: {problem}; {hint}")
        self.where = where
        self.problem = problem


@dataclass
class ResultsRead:
    """The results of a ``results.jsonl``, and the crash's last line if it had one."""

    results: list[ExampleResult] = field(default_factory=list)
    #: ``(line number, why)`` of a last line cut short by a crash, skipped
    skipped: list[tuple[int, str]] = field(default_factory=list)


def read_results_file(path: Path) -> ResultsRead:
    """Every result in ``path``, read line by line (``ResultsFileError`` at the first line
    that is not one; a crash's cut-short last line is skipped and listed)."""
    try:
        handle = path.open("rb")
    except OSError as err:
        problem = f"cannot be read ({err.strerror})"
        raise ResultsFileError(str(path), problem, "check the path") from None
    lines = _Lines(path)
    with handle:
        while not lines.ended and (raw := handle.readline(MAX_LINE_BYTES + 1)):
            lines.take(raw)
    return lines.read


class _Lines:
    """The lines of a results file, taken one at a time as ``readline`` gives them (with their
    newline; without it, the file's last): what ``read_results_file`` and
    ``ResultsFollower`` read alike."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read = ResultsRead()
        self.number = 0
        #: a cut-short last line was skipped: nothing after it is read
        self.ended = False

    def take(self, raw: bytes) -> None:
        self.number += 1
        where = f"{self.path}:{self.number}"
        if len(raw) > MAX_LINE_BYTES:
            raise ResultsFileError(
                where, f"the line is longer than {MAX_LINE_BYTES // 2**20} MB", _REWRITE
            )
        complete = raw.endswith(b"\n")
        try:
            data = _parse(raw, where)
        except _CutShort as cut:
            if complete:  # only the last line can lack its newline
                raise cut.error from None
            self.read.skipped.append((self.number, f"cut short by a crash ({cut.error.problem})"))
            self.ended = True
            return
        if data is not None:  # (None: a blank line)
            self.read.results.append(_result(data, where))


class ResultsFollower:
    """A run's ``results.jsonl`` read while the run writes it: ``read_new`` reads lines
    completed since, ``finish`` the rest, and gives what ``read_results_file`` would give for
    the whole file then (the same results, the same error at the same line). The reports
    after a run's last example then start with most of the file read already (500 results:
    18 ms of CPU).

    The file is opened for each read, never held open, and never created: ``read_new`` reads
    nothing before the run made it. A file replaced or cut shorter meanwhile is read again
    whole by ``finish``. A line that is not a result stops the following; ``finish`` raises
    its error (the run itself goes on)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lines = _Lines(path)
        #: bytes of the file read so far
        self._offset = 0
        #: what was read and not taken yet, from ``_at`` (lines, then a line being written)
        self._buffer = b""
        self._at = 0
        #: (device, inode) of the file read first
        self._identity: tuple[int, int] | None = None
        self._lost = False
        self._error: ResultsFileError | None = None

    @property
    def count(self) -> int:
        """Results read so far."""
        return len(self._lines.read.results)

    def read_new(self, most: int | None = None) -> None:
        """Read the lines completed since, ``most`` of them at most (the rest on the next
        call: each line read is about 40 microseconds of CPU)."""
        if self._error is not None or self._lost or self._lines.ended:
            return
        try:
            self._take(most)
        except ResultsFileError as err:
            self._error = err

    def finish(self) -> ResultsRead:
        """Every result of the file as it is now (``read_results_file``'s answer and errors)."""
        if self._identity is None or self._lost:
            return read_results_file(self.path)
        if self._error is None and not self._lines.ended:
            self._take(None)
        if self._lost:
            return read_results_file(self.path)
        if self._error is not None:
            raise self._error
        rest = self._buffer[self._at :]
        if rest and not self._lines.ended:
            self._lines.take(rest)  # a last line without its newline
        self._buffer, self._at = b"", 0
        return self._lines.read

    def _take(self, most: int | None) -> None:
        """Up to ``most`` complete lines (one ``readline`` each), reading the file when the
        lines read are all taken."""
        taken = 0
        while most is None or taken < most:
            end = self._buffer.find(b"\n", self._at)
            if end == -1:
                chunk = self._chunk()
                if not chunk:
                    break
                self._buffer = self._buffer[self._at :] + chunk
                self._at = 0
                continue
            line = self._buffer[self._at : end + 1]
            self._at = end + 1
            self._lines.take(line)
            taken += 1
            if self._lines.ended:
                return
        if len(self._buffer) - self._at > MAX_LINE_BYTES and self._buffer.find(b"\n", self._at) < 0:
            self._lines.take(self._buffer[self._at : self._at + MAX_LINE_BYTES + 1])  # refused

    def _chunk(self) -> bytes | None:
        """The bytes added since the last read (None: the file is not there, or is not the
        one read before: ``_lost``)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            self._lost = self._identity is not None
            return None
        try:
            stat = os.fstat(fd)
            identity = (stat.st_dev, stat.st_ino)
            if self._identity is None:
                self._identity = identity
            if identity != self._identity or stat.st_size < self._offset:
                self._lost = True
                return None
            parts = []
            while part := os.pread(fd, _READ_BYTES, self._offset):
                parts.append(part)
                self._offset += len(part)
            return b"".join(parts)
        except OSError:
            self._lost = True
            return None
        finally:
            os.close(fd)


#: bytes read at a time by ``ResultsFollower``
_READ_BYTES = 1024 * 1024


def read_summary_file(path: Path) -> RunSummary:
    """The run summary in ``path``, a summary file or a run's folder (``ResultsFileError``
    when it is not one)."""
    hint = "pass the summary.json that 'evalkit run' wrote, or the run's folder"
    if path.is_dir():
        path = path / SUMMARY_NAME
    elif path.name == RESULTS_NAME:
        raise ResultsFileError(str(path), "a run's results, not its summary", hint)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_LINE_BYTES + 1)
    except OSError as err:
        raise ResultsFileError(str(path), f"cannot be read ({err.strerror})", hint) from None
    if len(raw) > MAX_LINE_BYTES:
        raise ResultsFileError(str(path), f"larger than {MAX_LINE_BYTES // 2**20} MB", hint)
    try:
        data = _parse(raw, str(path), lines=True)
    except _CutShort as cut:
        raise cut.error from None
    if data is None:
        raise ResultsFileError(str(path), "the file is empty", hint)
    if not isinstance(data, dict):
        raise ResultsFileError(
            str(path), f"not an evalkit run summary (a JSON {_kind(data)})", hint
        )
    _check_format(data, str(path), "summary")
    from evalkit.runner.shapes import SummaryShape

    summary = _validated(RunSummary, data, str(path), "not an evalkit run summary", hint)
    _validated(SummaryShape, data, str(path), "not an evalkit run summary", hint)
    return summary


class _CutShort(Exception):
    """Text that stops before its JSON does: the trace of a crash when it is the last line."""

    def __init__(self, error: ResultsFileError) -> None:
        self.error = error


def _parse(raw: bytes, where: str, *, lines: bool = False) -> Any:
    """The JSON value in ``raw`` (None when it is blank); ``_CutShort`` when the text stops
    before the JSON does, ``ResultsFileError`` for anything else that is wrong. ``where`` is
    a line of results.jsonl, or a whole file (``lines``: problems say their line)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw.count(b"\n", 0, err.start) + 1
        at = f"{where}:{line}" if lines else where
        problem = f"byte {err.start - line_start + 1} (0x{raw[err.start]:02x}) is not UTF-8"
        error = ResultsFileError(at, problem, "results files are UTF-8: " + _REWRITE)
        if err.reason == "unexpected end of data":
            raise _CutShort(error) from None  # a character cut in two
        raise error from None
    if not text.strip():
        return None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as err:
        at = f"{where}:{err.lineno}:{err.colno}" if lines else f"{where}:{err.colno}"
        error = ResultsFileError(at, f"not JSON ({err.msg})")
        if _stops_early(text, err):
            raise _CutShort(error) from None
        raise error from None
    except _NotFinite as err:
        raise ResultsFileError(where, f"{err} is not a number evalkit writes") from None
    except RecursionError:
        _too_deep(where)
    except ValueError:  # a whole number of more digits than Python converts
        found = _TOO_MANY_DIGITS.search(text)
        digits = f"{len(found.group()):,} " if found else "too many "
        raise ResultsFileError(where, f"a number of {digits}digits") from None
    _check_values(value, text, where)
    return value


def _stops_early(text: str, err: json.JSONDecodeError) -> bool:
    """Whether ``text`` looks like an object cut off: it opens one, and JSON fails within the
    last few characters or in a string that runs to the end."""
    body = text.strip()
    near_end = len(body) - err.pos <= _CUT_SLACK
    return body.startswith("{") and (near_end or err.msg.startswith("Unterminated string"))


class _NotFinite(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotFinite(text[:40])
    return number


def _check_values(value: Any, text: str, where: str) -> None:
    """Nesting and lone surrogates, walked without recursion and only when the text could
    hold them (most lines cannot)."""
    deep = text.count("[") + text.count("{") > MAX_NESTING
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if not (deep or surrogates):
        return
    if not surrogates:  # (a summary, or a line of large documents: their lists and objects)
        _check_depth(value, where)
        return
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            if depth > MAX_NESTING:
                _too_deep(where)
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            if depth > MAX_NESTING:
                _too_deep(where)
            pending.extend((child, depth + 1) for child in item)
        elif surrogates and isinstance(item, str) and (lone := _SURROGATE.search(item)):
            raise ResultsFileError(
                where, f"\\u{ord(lone.group()):04x} is half of a surrogate pair, not a character"
            )


def _check_depth(value: Any, where: str) -> None:
    """Nesting alone: only the lists and objects are walked (a summary holds thousands of
    values: walking each of them was most of its reading)."""
    pending: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, (dict, list)) else []
    while pending:
        item, depth = pending.pop()
        if depth > MAX_NESTING:
            _too_deep(where)
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, (dict, list)):
                pending.append((child, depth + 1))


def _too_deep(where: str) -> NoReturn:
    raise ResultsFileError(
        where, f"lists and objects nested more than {MAX_NESTING} deep (evalkit writes none)"
    ) from None


def _result(data: Any, where: str) -> ExampleResult:
    if not isinstance(data, dict):
        raise ResultsFileError(where, f"a result is a JSON object, not a {_kind(data)}")
    _check_format(data, where, "results")
    from evalkit.runner.shapes import ResultShape

    result = _validated(ExampleResult, data, where, "not a result")
    _validated(ResultShape, data, where, "not a result")
    return result


def _check_format(data: dict[str, Any], where: str, what: str) -> None:
    version = data.get("format", RESULTS_FORMAT_VERSION)
    if type(version) is not int or version != RESULTS_FORMAT_VERSION:
        shown = _short(json.dumps(version, ensure_ascii=False))
        raise ResultsFileError(
            where,
            f"{what} format {shown}: this evalkit reads format {RESULTS_FORMAT_VERSION}",
            "report with the evalkit version that wrote the file "
            "(a newer one: pip install --upgrade evalkit)",
        )


def _validated(
    model: type[_Model], data: dict[str, Any], where: str, what: str, hint: str = _REWRITE
) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(the object)"
        raise ResultsFileError(where, f"{what}: {_short(key)}: {first['msg']}", hint) from None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
