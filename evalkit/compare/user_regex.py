"""Regexes from users (``regex:`` rules), matched so that no pattern can hang a run.

Python's ``re`` cannot be stopped: a pattern that backtracks catastrophically (``(a|a)*$``
against 40 ``a`` and a ``!``) runs for hours holding the interpreter lock, so neither
``--timeout``, SIGTERM nor the local platform in the same process gets a turn. Patterns are
therefore matched with the ``regex`` package, which reads Python's syntax (and a little more:
``\\p{L}``, variable-length lookbehind), releases the lock while it matches (``concurrent``)
and stops after a time limit:

- one match stops after ``MATCH_LIMIT_MS`` of processor time: the path is a difference saying
  so ("took longer than 1000 ms");
- all the matches of one comparison (``regex_time_budget``: an example, JSON and files) share
  ``EXAMPLE_LIMIT_MS``; once it is spent, later regex paths are differences, not decided, so
  an example with thousands of values under a slow pattern still ends in seconds.

A linear-time engine (RE2) was the alternative: it cannot backtrack at all, but it refuses
backreferences and lookarounds and reads ``\\d``, ``\\w`` as ASCII only, so patterns users
already have would change meaning or stop compiling.

Before compiling, ``regex_shape`` rejects patterns whose counted repeats expand too far (the
``regex`` package unrolls ``(?:a|bc){1000}``; nested, that takes seconds, and crashes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import regex  # type: ignore[import-untyped]

from evalkit.compare.regex_shape import RegexTooLarge, quoted, read_shape

MATCH_LIMIT_MS = 1000
EXAMPLE_LIMIT_MS = 5000

#: match / no match; stopped at ``MATCH_LIMIT_MS``; not decided because the comparison's
#: ``EXAMPLE_LIMIT_MS`` ran out (before or while matching)
RegexOutcome = Literal["match", "no_match", "timed_out", "budget_spent"]


def regex_problem(pattern: str) -> str | None:
    """Why a pattern cannot be a rule (too large, or does not compile), or None."""
    try:
        read_shape(pattern)
    except RegexTooLarge as err:
        return f"regex {quoted(pattern)} is too large to compile safely: {err}"
    try:
        _compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as err:
        return f"invalid regex {quoted(pattern)}: {err}"
    return None


def compile_user_regex(pattern: str) -> UserRegex:
    """The rule's regex, ready to match; ``ValueError`` with ``regex_problem``'s message."""
    problem = regex_problem(pattern)
    if problem:
        raise ValueError(problem)
    return UserRegex(pattern, _compile(pattern))


@lru_cache(maxsize=512)
def _compile(pattern: str) -> Any:
    return regex.compile(pattern)


@dataclass
class _Budget:
    left: float  # seconds of matching left to this comparison
    #: (pattern, value) pairs already stopped or skipped: asked again, they answer at once
    settled: dict[tuple[str, str], RegexOutcome] = field(default_factory=dict)


_BUDGET: ContextVar[_Budget | None] = ContextVar("evalkit_regex_budget", default=None)


@contextmanager
def regex_time_budget(milliseconds: int | None = None) -> Iterator[None]:
    """Let the regex matches inside share ``milliseconds`` (``EXAMPLE_LIMIT_MS``); inside
    another budget, that one goes on (an example's files share its budget)."""
    if _BUDGET.get() is not None:
        yield
        return
    limit = EXAMPLE_LIMIT_MS if milliseconds is None else milliseconds
    token = _BUDGET.set(_Budget(limit / 1000))
    try:
        yield
    finally:
        _BUDGET.reset(token)


@dataclass(frozen=True)
class UserRegex:
    """A ``regex:`` rule's pattern; ``judge`` says whether a value fully matches it."""

    pattern: str
    _compiled: Any = field(repr=False, compare=False)

    def judge(self, value: Any) -> RegexOutcome:
        """Whether ``value`` is a string the pattern fully matches, within the time limits."""
        if not isinstance(value, str):
            return "no_match"
        budget = _BUDGET.get()
        if budget is None:
            return self._match(value, MATCH_LIMIT_MS / 1000)[0]
        settled = budget.settled.get((self.pattern, value))
        if settled is not None:
            return settled
        if budget.left <= 0:
            budget.settled[(self.pattern, value)] = "budget_spent"
            return "budget_spent"
        limit = min(MATCH_LIMIT_MS / 1000, budget.left)
        outcome, spent = self._match(value, limit)
        budget.left -= spent
        if outcome == "timed_out":
            if limit < MATCH_LIMIT_MS / 1000:
                outcome = "budget_spent"
            budget.settled[(self.pattern, value)] = outcome
        return outcome

    def undecided(self, value: Any) -> str | None:
        """Why ``value`` was not decided in the current comparison (stopped, or not tried),
        if it was not; never matches anything itself."""
        budget = _BUDGET.get()
        if budget is None or not isinstance(value, str):
            return None
        settled = budget.settled.get((self.pattern, value))
        return self.describe(settled) if settled is not None else None

    def _match(self, value: str, limit: float) -> tuple[RegexOutcome, float]:
        started = time.thread_time()
        try:
            found = self._compiled.fullmatch(value, concurrent=True, timeout=limit)
        except TimeoutError:
            return "timed_out", time.thread_time() - started
        return ("match" if found is not None else "no_match"), time.thread_time() - started

    def describe(self, outcome: RegexOutcome = "match") -> str:
        """The rule as shown beside a path, with why it failed when it was not decided."""
        text = f"regex {quoted(self.pattern)}"
        if outcome == "timed_out":
            return (
                f"{text} took longer than {MATCH_LIMIT_MS} ms on this value and was stopped "
                "(a pattern that backtracks, or a very long value: see evalkit validate)"
            )
        if outcome == "budget_spent":
            return (
                f"{text} not decided: this example's regex matches took {EXAMPLE_LIMIT_MS} ms "
                "in all, the most they may"
            )
        return text
