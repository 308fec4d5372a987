"""``judge:`` rules in the comparison: what a judge is asked, how its answer is read, and the
verdict a value gets from it.

The comparison stays pure: it never calls the platform. The runner runs the judges and hands
their judgements to ``compare_example`` in a ``JudgeBook``; a value whose judgement the book
lacks is recorded in ``book.wanted`` (and is an ``error`` for now), so the runner can run the
judge on it and compare again (``evalkit.runner.judging``). Each value is judged once per
example: matching an order-free list and the comparison read the same judgement.

The judge's contract (docs/compare.md, "Judge agents"):

- input: ``{"rubric", "expected", "actual", "pointer", "input"}``: the rule's rubric, the
  expected and actual values at the path, the path, and the example's input JSON;
- output: ``{"score": 0..1, "passed": true|false, "reason": "..."}`` (a JSON object, or text
  holding one: in a ```json fence or among words, the first object with those keys; other
  keys are ignored). Anything else is an ``error`` for the judged example,
  with the answer shown, clipped.

A value passes when the judge passed it and its score is at least the rule's ``min``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from evalkit.compare.judge_rule import DEFAULT_JUDGE_TIMEOUT_SECONDS, JudgeRule
from evalkit.compare.numeric import score_text
from evalkit.compare.rules import CompareSpec, every_rule

#: what a judge must answer, said in every error about an answer
ANSWER_SHAPE = '{"score": 0..1, "passed": true|false, "reason": "..."}'
#: the most of a judge's answer (or error) shown in a difference and kept in the results
ANSWER_LIMIT = 2000
_ANSWER_KEYS = ("score", "passed", "reason")
#: the most places in a judge's text answer tried as the start of its object
_MOST_OBJECT_STARTS = 200
_REASON_LIMIT = 300


@dataclass(frozen=True)
class JudgeRequest:
    """One value to be judged: by which judge, with which rubric, at which path."""

    agent: str
    rubric: str
    pointer: str
    expected: Any
    actual: Any
    #: seconds the judge execution may take (the rule's; not part of the key)
    timeout: float = field(default=DEFAULT_JUDGE_TIMEOUT_SECONDS, compare=False)

    @property
    def key(self) -> str:
        """The same for the same judge, rubric and values (within one example)."""
        return digest(
            {
                "agent": self.agent,
                "rubric": self.rubric,
                "pointer": self.pointer,
                "expected": self.expected,
                "actual": self.actual,
            }
        )

    def judge_input(self, example_input: Any) -> dict[str, Any]:
        """What the judge agent is run with."""
        return {
            "rubric": self.rubric,
            "expected": self.expected,
            "actual": self.actual,
            "pointer": self.pointer,
            "input": example_input,
        }


def digest(value: Any) -> str:
    """sha256 of a JSON value's canonical text (keys sorted)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class JudgeAnswer:
    """A judge's answer, read: its score, whether it passed the value, and why."""

    score: float
    passed: bool
    reason: str


def read_answer(output: Any) -> JudgeAnswer | str:
    """The answer in a judge execution's output, or what is wrong with it (a sentence)."""
    value = output
    if isinstance(value, str):
        value = _object_in_text(value)
        if value is None:
            if output.strip()[:1] == "{":
                return f"answered text that is not JSON: {clip(output)}"
            return f"answered text, not a JSON object: {clip(output)}"
    if not isinstance(value, dict):
        return f"answered {_kind(value)}, not a JSON object: {clip(output)}"
    missing = [key for key in _ANSWER_KEYS if key not in value]
    if missing:
        keys = ", ".join(repr(key) for key in missing)
        return f"answered an object without {keys}: {clip(output)}"
    score, passed, reason = value["score"], value["passed"], value["reason"]
    if isinstance(score, bool) or not isinstance(score, int | float):
        return f"answered a score that is {_kind(score)}, not a number: {clip(output)}"
    if math.isnan(score) or not 0 <= score <= 1:
        return f"answered the score {score!r}, outside 0 to 1: {clip(output)}"
    if not isinstance(passed, bool):
        return f"answered 'passed' as {_kind(passed)}, not true or false: {clip(output)}"
    if not isinstance(reason, str):
        return f"answered a reason that is {_kind(reason)}, not text: {clip(output)}"
    # kept as the results and the cache keep it: a judge may ramble for megabytes
    return JudgeAnswer(score=float(score), passed=passed, reason=clip(reason))


def _object_in_text(text: str) -> dict[str, Any] | None:
    """The object a judge's text answer holds: the whole text when it is one; else the first
    object in it with the answer's keys, or failing that its first object (a language model
    writes "Here is my verdict: {...}", or a ```json fence); None when it holds none."""
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        return whole
    decoder = json.JSONDecoder()
    first = None
    start = text.find("{")
    # Each "{" may start the object (objects inside one found first are tried too); a
    # rambling text full of braces is not read to its end.
    for _ in range(_MOST_OBJECT_STARTS):
        if start == -1:
            break
        try:
            found, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            found = None
        if isinstance(found, dict):
            if all(key in found for key in _ANSWER_KEYS):
                return found
            first = found if first is None else first
        start = text.find("{", start + 1)
    return first


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else f"a {type(value).__name__}"


def clip(value: Any, limit: int = ANSWER_LIMIT) -> str:
    """A value as JSON text (text as it is), at most ``limit`` characters."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Judgement:
    """What became of one request: the judge's answer, or why there is none (``problem``: its
    execution failed, timed out, or answered nonsense, with the answer clipped). ``cached``:
    read from the judgement cache, the execution being an earlier run's."""

    request: JudgeRequest
    answer: JudgeAnswer | None = None
    problem: str | None = None
    execution_id: str | None = None
    cached: bool = False


@dataclass
class JudgeBook:
    """The judgements known for one example, handed to ``compare_example``.

    ``input`` is the example's input JSON (part of what each judge is sent). A comparison
    records in ``wanted`` each value it needed and the book lacked, and in ``read`` each
    judgement it used, by request key, in the order met."""

    input: Any = None
    known: dict[str, Judgement] = field(default_factory=dict)
    wanted: dict[str, JudgeRequest] = field(default_factory=dict)
    read: dict[str, Judgement] = field(default_factory=dict)

    def add(self, judgement: Judgement) -> None:
        self.known[judgement.request.key] = judgement

    def start_comparison(self) -> None:
        """Forget what the previous comparison wanted and read."""
        self.wanted = {}
        self.read = {}


@dataclass(frozen=True)
class JudgedValue:
    """A judge rule's verdict on one value, as the scorers report it."""

    passed: bool
    detail: str
    credit: float | None = None
    error: str | None = None


_BOOK: ContextVar[JudgeBook | None] = ContextVar("evalkit_judge_book", default=None)


@contextmanager
def judge_book(book: JudgeBook | None) -> Iterator[None]:
    """Judge rules compared inside read their judgements from ``book``."""
    token = _BOOK.set(book)
    try:
        yield
    finally:
        _BOOK.reset(token)


def judge_value(rule: JudgeRule, expected: Any, actual: Any, pointer: str) -> JudgedValue:
    """The verdict of the judgement made for this value (an ``error`` when there is none)."""
    request = JudgeRequest(rule.agent, rule.rubric, pointer, expected, actual, rule.timeout)
    book = _BOOK.get()
    judgement = book.known.get(request.key) if book is not None else None
    if judgement is None:
        if book is not None:
            book.wanted.setdefault(request.key, request)
        why = "judge agents are run by evalkit run, before the comparison"
        return JudgedValue(False, f"{rule.agent} gave no judgement on this value", error=why)
    assert book is not None
    book.read.setdefault(request.key, judgement)
    return verdict_of(rule, judgement)


def verdict_of(rule: JudgeRule, judgement: Judgement) -> JudgedValue:
    """Pass when the judge passed the value with a score of at least ``min``."""
    name = rule.agent
    answer = judgement.answer
    if answer is None:
        problem = judgement.problem or "gave no answer"
        return JudgedValue(False, f"{name} {clip(problem, _REASON_LIMIT)}", error=problem)
    shown = score_text(answer.score, rule.min)
    reason = " ".join(answer.reason.split())
    said = f": {clip(reason, _REASON_LIMIT)}" if reason else ""
    if answer.passed and answer.score >= rule.min:
        return JudgedValue(True, f"{name} passed (score {shown}){said}")
    if answer.passed:
        head = f"{name} score {shown} below {rule.min:g}"
    else:
        head = f"{name} failed (score {shown})"
    return JudgedValue(False, head + said, credit=answer.score)


def judgement_data(judgement: Judgement) -> dict[str, Any]:
    """A judgement as the results keep it (``comparison.judgements``)."""
    request = judgement.request
    data: dict[str, Any] = {"pointer": request.pointer, "agent": request.agent}
    answer = judgement.answer
    if answer is not None:
        data |= {"score": answer.score, "passed": answer.passed, "reason": answer.reason}
    if judgement.problem is not None:
        data["problem"] = judgement.problem
    if judgement.execution_id is not None:
        data["execution_id"] = judgement.execution_id
    data["cached"] = judgement.cached
    return data


def judge_agents(*specs: CompareSpec | None) -> set[str]:
    """The judge agents (``judge: {agent: ...}``) the ``compare:`` blocks name, their files'
    blocks included; None (the defaults) names none. The one answer to "which judges does
    this use": the run, calibration and ``--changed-since`` all ask it."""
    return {
        rule.judge.agent
        for spec in specs
        if spec is not None
        for rule in every_rule(spec)
        if rule.judge is not None
    }
