"""``python:`` rules: checking the scorers they name, calling them, and reading their verdicts.

Anchoring (``anchor_python_scorers``, from the manifest loader): each scorer's file is
resolved from the folder of the manifest file that declares the rule, inside the project,
and a worker process (``scorer_pool``) imports it and finds the function: a missing file, a
syntax error, a missing function or a parameter evalkit never passes is a problem at the
rule's line, for ``evalkit validate`` and every command that loads the manifest.

Judging (``judge_python``): the scorer is called in a worker with the keyword arguments it
takes (``custom.ScorerArguments``); what it returns becomes a pass, a failure with its
partial credit and reason, or, when the scorer itself failed (it raised, ran past its time
limit, ended its process, returned something that is no verdict), a failure that is an
``error``: the example's verdict says nothing about the agent then. After a scorer timed
out or ended its process, it is not called again for the same example (one hang costs one
time limit per example, not one per value). Each value is scored once per comparison: the
matching of order-insensitive lists and the comparison share the verdicts
(``scorer_example``, ``scorer_documents``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.compare.anchoring import AnchorProblem, Resolve, anchor_rules, copy_rule
from evalkit.compare.custom import ARGUMENT_NAMES
from evalkit.compare.numeric import score_text
from evalkit.compare.python_rule import PythonScorer
from evalkit.compare.rules import CompareSpec, PathRule

# The worker pool (``scorer_pool``: subprocess, sockets, the worker script) is imported by the
# calls that use it: a manifest without Python scorers is read, and a run starts, without it.

_HINT = "give FILE.py:FUNCTION, the file inside the project, relative to this manifest's folder"
_RETURNS = "return True/False, a number from 0 to 1, or {score, passed, reason}"
_REASON_LIMIT = 300


@dataclass(frozen=True)
class PythonVerdict:
    """One scorer's verdict on one value: ``detail`` is what a reviewer reads beside the path;
    ``credit`` the share of the value's weight earned when it failed; ``error`` set when the
    scorer failed rather than the value (a traceback, or what went wrong)."""

    passed: bool
    detail: str
    credit: float | None = None
    error: str | None = None


# --- anchoring


def anchor_python_scorers(
    spec: CompareSpec | None, resolve: Resolve
) -> tuple[CompareSpec | None, list[AnchorProblem]]:
    """The block with each ``python`` scorer's file made absolute (``resolve`` finds it from
    the folder of the manifest file that declares the block) and its function checked, and the
    problems of those that cannot be used (their rules keep the path as written, so a run
    reports them too)."""

    def anchor(rule: PathRule, loc: tuple[str, ...], problems: list[AnchorProblem]) -> PathRule:
        scorers = rule.python_scorers
        if not scorers or all(Path(s.file).is_absolute() for s in scorers):
            return rule
        anchored = [_anchor(s, resolve, (*loc, "python"), problems) for s in scorers]
        result: PathRule = copy_rule(rule, python=anchored)
        return result

    return anchor_rules(spec, anchor)


def _anchor(
    scorer: PythonScorer, resolve: Resolve, loc: tuple[str, ...], problems: list[AnchorProblem]
) -> PythonScorer:
    if Path(scorer.file).is_absolute():
        return scorer
    try:
        path = resolve(scorer.file)
    except ValueError as err:
        problems.append(AnchorProblem(loc, f"python: {err}", getattr(err, "hint", "") or _HINT))
        return scorer
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        problems.append(
            AnchorProblem(
                loc, f"python scorer file {scorer.file!r} not found: {path} {state}", _HINT
            )
        )
        return scorer
    problem = check_scorer(str(path), scorer.function, scorer.timeout)
    if problem is not None:
        problems.append(
            AnchorProblem(
                loc,
                f"python scorer {scorer.scorer!r} cannot be used: {problem}",
                "fix the scorer file; `evalkit validate` imports it (in a separate process)",
            )
        )
        return scorer
    anchored: PythonScorer = scorer.model_copy(update={"scorer": f"{path}:{scorer.function}"})
    return anchored


#: (file, function, file version) -> the problem, or the argument names the function takes
#: (None: all); a file is imported and checked once per version
_checked: dict[tuple[str, str, tuple[int, int]], tuple[str | None, tuple[str, ...] | None]] = {}


def check_scorer(file: str, function: str, timeout: float) -> str | None:
    """Why ``function`` in ``file`` cannot be a scorer (imported in a worker process), or
    None."""
    return _check(file, function, timeout)[0]


def _check(file: str, function: str, timeout: float) -> tuple[str | None, tuple[str, ...] | None]:
    try:
        stat = Path(file).stat()
    except OSError as err:
        return f"{Path(file).name} cannot be read: {err.strerror}", None
    key = (file, function, (stat.st_mtime_ns, stat.st_size))
    known = _checked.get(key)
    if known is not None:
        return known
    from evalkit.compare.scorer_pool import ScorerCrash, ScorerTimeout, shared_pool

    try:
        kind, answer = shared_pool().request(
            ("check", file, function, list(ARGUMENT_NAMES)), timeout
        )
    except ScorerTimeout:
        return f"importing {Path(file).name} took longer than {timeout:g} s", None
    except ScorerCrash as err:
        return f"importing {Path(file).name} crashed (its process {err})", None
    found: tuple[str | None, tuple[str, ...] | None] = (
        (None, None if answer is None else tuple(answer)) if kind == "ok" else (str(answer), None)
    )
    _checked[key] = found
    return found


# --- the example being compared


@dataclass
class _Example:
    input: Any = None
    expected_document: Any = None
    actual_document: Any = None
    #: (scorer, the expected value, actual value and pointer it takes, as text) -> its verdict,
    #: within one pair of documents
    verdicts: dict[tuple[str, ...], PythonVerdict] = field(default_factory=dict)
    #: scorer -> why it is not called again in this example (it timed out or crashed)
    stopped: dict[str, str] = field(default_factory=dict)


_EXAMPLE: ContextVar[_Example | None] = ContextVar("evalkit_scorer_example", default=None)


@contextmanager
def scorer_example(input: Any) -> Iterator[None]:
    """Python scorers called inside get ``input`` (``compare_example``)."""
    token = _EXAMPLE.set(_Example(input=input))
    try:
        yield
    finally:
        _EXAMPLE.reset(token)


@contextmanager
def scorer_documents(expected: Any, actual: Any) -> Iterator[None]:
    """Python scorers called inside get these documents (``compare_json``: the example's JSON,
    or a JSON or CSV file's)."""
    outer = _EXAMPLE.get() or _Example()
    inner = _Example(outer.input, expected, actual, stopped=outer.stopped)
    token = _EXAMPLE.set(inner)
    try:
        yield
    finally:
        _EXAMPLE.reset(token)


# --- judging


def judge_python(scorer: PythonScorer, expected: Any, actual: Any, pointer: str) -> PythonVerdict:
    """Call the scorer on one value; a value already scored in this comparison with the same
    arguments (those the scorer takes) keeps its verdict."""
    example = _EXAMPLE.get() or _Example()
    name = scorer.label
    if not Path(scorer.file).is_absolute():
        why = f"its file {scorer.file!r} was not resolved against the manifest's folder"
        return _error(f"python scorer {scorer.scorer!r} was not run: {why}", why)
    stopped = example.stopped.get(scorer.scorer)
    if stopped is not None:
        return _error(f"{name} was not called: it {stopped} earlier in this example", stopped)
    problem, taken = _check(scorer.file, scorer.function, scorer.timeout)
    if problem is not None:
        return _error(f"{name} cannot be used: {problem}", problem)
    arguments = {
        "expected": expected,
        "actual": actual,
        "pointer": pointer,
        "input": example.input,
        "expected_document": example.expected_document,
        "actual_document": example.actual_document,
    }
    if taken is not None:
        arguments = {key: value for key, value in arguments.items() if key in taken}
    # the documents and the input are the same for every value scored here
    key = (scorer.scorer, *(_text(arguments.get(n)) for n in _VARYING))
    known = example.verdicts.get(key)
    if known is None:
        known = example.verdicts[key] = _call(scorer, arguments, example)
    return known


_VARYING = ("expected", "actual", "pointer")


def _text(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, allow_nan=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _call(scorer: PythonScorer, arguments: dict[str, Any], example: _Example) -> PythonVerdict:
    name = scorer.label
    from evalkit.compare.scorer_pool import ScorerCrash, ScorerTimeout, shared_pool

    try:
        kind, answer = shared_pool().request(
            ("call", scorer.file, scorer.function, arguments), scorer.timeout
        )
    except ScorerTimeout:
        stopped = f"ran past its time limit ({scorer.timeout:g} s)"
        example.stopped[scorer.scorer] = stopped
        return _error(
            f"{name} was stopped after {scorer.timeout:g} s (its time limit; "
            "'timeout' on the rule sets it)",
            f"{name} {stopped} and was stopped",
        )
    except ScorerCrash as err:
        crashed = f"crashed (its process {err})"
        example.stopped[scorer.scorer] = crashed
        return _error(f"{name} {crashed}", f"{name} {crashed}")
    if kind == "raised":
        summary, trace = answer
        return _error(f"{name} raised {summary}", trace)
    if kind == "problem":
        return _error(f"{name} cannot be used: {answer}", str(answer))
    return read_return(scorer, answer)


def _error(detail: str, error: str) -> PythonVerdict:
    return PythonVerdict(passed=False, detail=detail, error=error)


def read_return(scorer: PythonScorer, plain: dict[str, Any]) -> PythonVerdict:
    """The verdict a scorer's return value says (``scorer_worker.plain_return`` made it plain
    data); a value that says none is an error naming what was returned."""
    name = scorer.label
    fields = plain.get("fields")
    if "value" in plain and fields is None:
        value = plain["value"]
        if isinstance(value, bool):
            return _verdict(scorer, 1.0 if value else 0.0, value, None)
        if isinstance(value, int | float):
            problem = _score_problem(value)
            if problem:
                return _nonsense(name, f"{plain['repr']}, {problem}")
            return _verdict(scorer, float(value), None, None)
    if fields is None:
        return _nonsense(name, f"{plain['repr']} (a {plain['type']})")
    return _read_fields(scorer, plain, fields)


def _read_fields(
    scorer: PythonScorer, plain: dict[str, Any], fields: dict[str, Any]
) -> PythonVerdict:
    name = scorer.label
    what = "a dict" if plain["type"] == "dict" else f"a {plain['type']}"
    if plain["type"] == "dict":
        unknown = sorted(set(fields) - {"score", "passed", "reason"})
        if unknown:
            keys = ", ".join(repr(k) for k in unknown)
            return _nonsense(name, f"{what} with the key {keys}; it may have score, passed, reason")
    score, passed, reason = fields.get("score"), fields.get("passed"), fields.get("reason")
    if score is None and passed is None:
        return _nonsense(name, f"{what} with neither score nor passed")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float):
            return _nonsense(name, f"{what} whose score is {_shown(score)}, not a number")
        problem = _score_problem(score)
        if problem:
            return _nonsense(name, f"{what} whose score is {score!r}, {problem}")
    if passed is not None and not isinstance(passed, bool):
        return _nonsense(name, f"{what} whose passed is {_shown(passed)}, not True or False")
    if reason is not None and not isinstance(reason, str):
        return _nonsense(name, f"{what} whose reason is {_shown(reason)}, not text")
    if score is None:
        score = 1.0 if passed else 0.0
    return _verdict(scorer, float(score), passed, reason)


def _score_problem(score: float) -> str | None:
    if math.isnan(score):
        return "not a number"
    if not 0 <= score <= 1:
        return "outside 0 to 1"
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict) and "repr" in value:
        return f"{value['repr']} (a {value['type']})"
    return repr(value)


def _nonsense(name: str, returned: str) -> PythonVerdict:
    message = f"{name} returned {returned}: {_RETURNS}"
    return _error(message, message)


def _verdict(
    scorer: PythonScorer, score: float, passed: bool | None, reason: str | None
) -> PythonVerdict:
    name, minimum = scorer.label, scorer.min
    shown = score_text(score, minimum)
    if passed is None:  # the score decides
        passed = score >= minimum
        if not passed:
            head = f"{name} {shown} below {minimum:g}"
        else:
            head = f"{name} {shown}" + (f" (at least {minimum:g})" if minimum < 1 else "")
    else:
        head = f"{name} {'passed' if passed else 'failed'}"
        if score != (1.0 if passed else 0.0):
            head += f" (score {shown})"
    if reason and reason.strip():
        head += f": {_clip(reason)}"
    if passed:
        return PythonVerdict(passed=True, detail=head)
    return PythonVerdict(passed=False, detail=head, credit=score)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"
