"""The process that runs custom Python scorers (``python:`` rules), never evalkit's own.

``scorer_pool`` starts it as a script (``python scorer_worker.py FD``) and talks to it over
the socket ``FD`` with ``multiprocessing.connection``'s framing, a request at a time:

- ``("check", file, function, names)``: import the file and find the function; the answer is
  ``("ok", taken)`` (the names among ``names`` it takes, ``None`` for all of them) or
  ``("problem", message)`` (a syntax error with its line, a missing function, a parameter
  evalkit never passes...);
- ``("call", file, function, arguments)``: call it with the keyword arguments it takes; the
  answer is ``("returned", plain)`` (the return value as plain data, ``plain_return``) or
  ``("raised", (summary, traceback))``.

It imports the standard library only (user modules aside), so that it starts fast. A module
is imported once per version of its file (modification time and size), under a name of its
own, with its folder first on ``sys.path`` so that it can import its neighbours. What a
scorer prints goes to evalkit's standard error, never to its standard output (which may be
JSON for a machine). The process ends when evalkit closes the connection, or goes away.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import inspect
import math
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

#: how much of a traceback or a returned value's text travels back (the end is kept)
TRACEBACK_LIMIT = 4000
REPR_LIMIT = 120
_RESULT_FIELDS = ("score", "passed", "reason")

_modules: dict[str, tuple[tuple[int, int], ModuleType]] = {}


class ScorerProblem(Exception):
    """The file or function cannot be used as a scorer; the message says why."""


def main(argv: list[str]) -> None:
    """``scorer_worker.py FD``: serve the connection on file descriptor ``FD``."""
    here = str(Path(__file__).parent)
    # run as a script, its folder came first on sys.path: evalkit's modules must not shadow
    # a scorer's own imports (``import rules``)
    sys.path[:] = [entry for entry in sys.path if entry != here]
    from multiprocessing.connection import Connection

    serve(Connection(int(argv[1])))


def serve(connection: Any) -> None:
    """Answer requests until the connection closes."""
    os.dup2(2, 1)  # prints (even a C extension's) go to standard error
    sys.stdout = sys.stderr
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        connection.send(answer(request))


def answer(request: tuple[Any, ...]) -> tuple[str, Any]:
    kind = request[0]
    try:
        if kind == "check":
            _, file, function, names = request
            return ("ok", check(file, function, names))
        _, file, function, arguments = request
        scorer = find(file, function)
    except ScorerProblem as problem:
        return ("problem", str(problem))
    try:
        returned = scorer(**_taken(scorer, arguments))
        if inspect.isawaitable(returned):
            returned = asyncio.run(_awaited(returned))
        return ("returned", plain_return(returned))
    except BaseException as err:  # the user's code may raise anything
        if isinstance(err, KeyboardInterrupt):
            raise
        return ("raised", (_summary(err, file), _traceback(err)))


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def check(file: str, function: str, names: list[str]) -> list[str] | None:
    """The names among ``names`` that ``function`` in ``file`` takes (None: all of them, or
    it cannot say); ``ScorerProblem`` when it cannot be called with keyword arguments among
    ``names``."""
    scorer = find(file, function)
    try:
        signature = inspect.signature(scorer)
    except (TypeError, ValueError):
        return None  # a builtin or C function: it is called and judged then
    for parameter in signature.parameters.values():
        required = parameter.default is inspect.Parameter.empty
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY and required:
            raise ScorerProblem(
                f"{function}() takes {parameter.name!r} by position only, but scorers are "
                "called with keyword arguments"
            )
        if (
            parameter.kind
            in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
            and required
            and parameter.name not in names
        ):
            raise ScorerProblem(
                f"{function}() needs {parameter.name!r}, which evalkit does not pass; a scorer "
                f"takes any of {', '.join(names)} (by name)"
            )
    taken = _taken(scorer, dict.fromkeys(names))
    return None if len(taken) == len(names) else list(taken)


def find(file: str, function: str) -> Any:
    module = _module(file)
    scorer = getattr(module, function, None)
    if scorer is None:
        defined = sorted(
            name
            for name, value in vars(module).items()
            if callable(value) and not name.startswith("_") and inspect.isfunction(value)
        )
        known = f"; it defines {', '.join(defined)}" if defined else ""
        raise ScorerProblem(f"{Path(file).name} has no function {function!r}{known}")
    if not callable(scorer):
        raise ScorerProblem(f"{function!r} in {Path(file).name} is not a function")
    return scorer


def _module(file: str) -> ModuleType:
    path = Path(file)
    try:
        stat = path.stat()
    except OSError as err:
        raise ScorerProblem(f"scorer file {path.name!r} cannot be read: {err.strerror}") from err
    version = (stat.st_mtime_ns, stat.st_size)
    known = _modules.get(file)
    if known is not None and known[0] == version:
        return known[1]
    name = "evalkit_scorer_" + hashlib.sha256(file.encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ScorerProblem(f"scorer file {path.name!r} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        sys.modules.pop(name, None)
        raise ScorerProblem(
            f"{path.name} line {err.lineno}: {err.msg} (a syntax error; the scorer cannot be "
            "imported)"
        ) from err
    except BaseException as err:  # importing user code may raise anything
        sys.modules.pop(name, None)
        if isinstance(err, KeyboardInterrupt):
            raise
        raise ScorerProblem(f"importing {path.name} failed: {_summary(err, file)}") from err
    _modules[file] = (version, module)
    return module


def _taken(scorer: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments the scorer's signature names (all of them with ``**kwargs``)."""
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return arguments
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return arguments
    names = {
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    return {name: value for name, value in arguments.items() if name in names}


def plain_return(value: Any) -> dict[str, Any]:
    """What a scorer returned, as plain data the other process can read whatever it was:
    ``{"type": type name, "value": a bool, number or None, "fields": {score, passed, reason}
    of a dict or a result object, "repr": its text, clipped}``."""
    plain: dict[str, Any] = {"type": type(value).__name__, "repr": _clip(_repr(value))}
    if value is None or isinstance(value, bool | int | float):
        plain["value"] = _number(value)
    elif isinstance(value, dict):
        plain["fields"] = {str(key): _leaf(item) for key, item in list(value.items())[:20]}
    elif not isinstance(value, str | bytes) and any(hasattr(value, f) for f in _RESULT_FIELDS):
        plain["fields"] = {f: _leaf(getattr(value, f)) for f in _RESULT_FIELDS if hasattr(value, f)}
    return plain


def _number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return float("inf")  # out of range either way; kept small for the pipe
    return value


def _leaf(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return _number(value)
    if isinstance(value, str):
        return value[:2000]
    return {"type": type(value).__name__, "repr": _clip(_repr(value))}


def _repr(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        return repr(value)
    except Exception:  # a user's __repr__ may fail
        return f"<{type(value).__name__}>"


def _clip(text: str) -> str:
    return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 1] + "…"


def _summary(err: BaseException, file: str) -> str:
    """``KeyError: 'total' (invoices.py line 7)``: the exception and the deepest line of the
    scorer's file in its traceback."""
    message = str(err)
    text = type(err).__name__ + (f": {message}" if message else "")
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == file:
            line = frame.lineno
    where = f" ({Path(file).name} line {line})" if line is not None else ""
    return _clip(text) + where


def _traceback(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    # the frames of this module (the call) say nothing to the scorer's author
    own = [i for i, frame in enumerate(frames) if frame.filename == __file__]
    start = own[-1] + 1 if own else 0
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames[start:])
    lines += traceback.format_exception_only(type(err), err)
    text = "".join(lines)
    if len(text) > TRACEBACK_LIMIT:
        text = "…" + text[-(TRACEBACK_LIMIT - 1) :]
    return text


if __name__ == "__main__":
    main(sys.argv)
