"""reply-judge: grade a support reply against a keyword rubric, deterministically.

evalkit runs this agent for each value a ``judge: {agent: reply-judge, ...}`` rule grades. Its
input is evalkit's judge contract::

    {"rubric": "...", "expected": <expected value>, "actual": <actual value>,
     "pointer": "/reply", "input": <the judged example's input>}

and it answers ``{"score": 0..1, "passed": true|false, "reason": "..."}`` in output.json.

The rubric is read for the names of the criteria below (``greeting``, ``empathy``, ``facts``,
``next step``, ``sign-off``, ``no promises``, ``no blame``); only the named ones are checked.
The score is the share of them met; the reply passes when it meets at least
``PASS_SCORE`` of them and every critical one (``facts``, ``no promises``, ``no blame``).
Keyword checks are cheap and repeatable, and they miss what words cannot show (sarcasm, a
wrong fact said politely): that is what the judge's own labelled examples measure.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PASS_SCORE = 0.75
CRITICAL = ("facts", "no promises", "no blame")
GREETINGS = ("hi ", "hello", "dear ", "good morning", "good afternoon")
EMPATHY = ("sorry", "apolog", "understand", "thank you for", "thanks for")
NEXT_STEP = ("i have ", "i've ", "we will", "we'll", "within ", "today", "tomorrow")
SIGN_OFFS = ("regards", "best,", "thanks,", "sincerely", "cheers")
PROMISES = ("guarantee", "promise", "100%", "never happen again")
BLAME = ("your fault", "you should have", "calm down", "as i already said")
#: order numbers, amounts and other figures a reply must repeat correctly
FACT = re.compile(r"[A-Z]+-\d+|(?:€|\$|£)\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\b")

Check = Callable[[str, Any, Any], str | None]


def _greeting(reply: str, expected: Any, ticket: Any) -> str | None:
    first_line = reply.strip().splitlines()[0].lower() if reply.strip() else ""
    if not first_line.startswith(GREETINGS):
        return "does not open with a greeting"
    name = str((ticket or {}).get("customer") or "").split()
    if name and name[0].lower() not in first_line:
        return f"does not greet {name[0]} by name"
    return None


def _empathy(reply: str, expected: Any, ticket: Any) -> str | None:
    found = any(word in reply.lower() for word in EMPATHY)
    return None if found else "does not acknowledge the customer (no sorry or thanks)"


def _facts(reply: str, expected: Any, ticket: Any) -> str | None:
    wanted = FACT.findall(expected) if isinstance(expected, str) else []
    missing = [fact for fact in dict.fromkeys(wanted) if fact not in reply]
    return f"leaves out {', '.join(missing)}" if missing else None


def _next_step(reply: str, expected: Any, ticket: Any) -> str | None:
    found = any(word in reply.lower() for word in NEXT_STEP)
    return None if found else "does not say what happens next"


def _sign_off(reply: str, expected: Any, ticket: Any) -> str | None:
    tail = reply.strip().lower()[-80:]
    return None if any(word in tail for word in SIGN_OFFS) else "does not sign off"


def _no_promises(reply: str, expected: Any, ticket: Any) -> str | None:
    said = [word for word in PROMISES if word in reply.lower()]
    return f"promises what support cannot ensure ({', '.join(said)})" if said else None


def _no_blame(reply: str, expected: Any, ticket: Any) -> str | None:
    said = [word for word in BLAME if word in reply.lower()]
    return f"blames the customer ({', '.join(said)})" if said else None


#: criterion name (as the rubric writes it) -> its check
CRITERIA: dict[str, Check] = {
    "greeting": _greeting,
    "empathy": _empathy,
    "facts": _facts,
    "next step": _next_step,
    "sign-off": _sign_off,
    "no promises": _no_promises,
    "no blame": _no_blame,
}


def judge(request: dict[str, Any]) -> dict[str, Any]:
    rubric = str(request.get("rubric", "")).lower()
    named = [name for name in CRITERIA if name in rubric]
    if not named:
        raise ValueError(
            "the rubric names none of the criteria this judge knows: " + ", ".join(CRITERIA)
        )
    reply = request.get("actual")
    if not isinstance(reply, str) or not reply.strip():
        return {"score": 0.0, "passed": False, "reason": "there is no reply to judge"}
    failures = {}
    for name in named:
        problem = CRITERIA[name](reply, request.get("expected"), request.get("input"))
        if problem is not None:
            failures[name] = problem
    score = round((len(named) - len(failures)) / len(named), 4)
    critical = [name for name in failures if name in CRITICAL]
    passed = score >= PASS_SCORE and not critical
    if not failures:
        reason = f"meets all {len(named)} criteria: {', '.join(named)}"
    else:
        reason = "; ".join(f"{name}: {problem}" for name, problem in failures.items())
    return {"score": score, "passed": passed, "reason": reason}


def main() -> int:
    try:
        request = json.loads(Path("input.json").read_text(encoding="utf-8"))
        answer = judge(request)
    except (OSError, ValueError) as err:
        print(f"reply-judge: {err}", file=sys.stderr)
        return 1
    Path("output.json").write_text(json.dumps(answer) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
