"""A scorer file for the custom scorer tests (issue 13 item 2): one function per behaviour."""

from __future__ import annotations

from pathlib import Path

SCORERS = """
import ctypes
import json
import os
import time

from evalkit.compare.custom import ScorerResult


def equal(expected, actual):
    return expected == actual


def closeness(expected, actual):
    return max(0.0, 1 - abs(actual - expected) / 100)


def result(expected, actual):
    gap = abs(actual - expected)
    return ScorerResult(score=max(0.0, 1 - gap / 100), reason=f"off by {gap} EUR")


def passed_anyway(actual):
    return {"score": 0.4, "passed": True, "reason": "close enough for a draft"}


def as_dict(actual):
    return {"passed": actual == 42, "reason": "the answer" if actual == 42 else "not 42"}


class Verdict:
    def __init__(self, score, reason):
        self.score, self.reason = score, reason


def own_object(actual):
    return Verdict(0.25, "an object of its own")


def everything(**arguments):
    return ScorerResult(passed=False, reason=json.dumps(arguments, sort_keys=True))


def only_actual(actual):
    return actual is not None


async def later(actual):
    return actual == 42


def raises(expected, actual):
    totals = {}
    return totals["total"] > 0


def hangs(actual):
    time.sleep(60)


def exits(actual):
    os._exit(3)


def segfaults(actual):
    ctypes.string_at(0)


def prints(actual):
    print("debugging output")
    return True


def says_yes(actual):
    return "yes"


def not_a_number(actual):
    return float("nan")


def too_much(actual):
    return 1.7


def nothing(actual):
    pass


def odd_keys(actual):
    return {"ok": True}


def text_score(actual):
    return {"score": "high"}


def counted(actual):
    with open(os.path.join(os.path.dirname(__file__), "calls.txt"), "a") as calls:
        calls.write(f"{actual}\\n")
    return isinstance(actual, str) and actual.isupper()
"""


def write_scorers(folder: Path, name: str = "scorers.py") -> Path:
    """The scorer file in ``folder/scorers/``; its path."""
    path = folder / "scorers" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCORERS)
    return path
