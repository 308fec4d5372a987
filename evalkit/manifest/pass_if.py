"""A ``repeat: {pass_if: ...}`` checked as one rule, so that a mistake is one problem.

``pass_if`` is ``all``, ``any``, ``{at_least: K}`` or ``{rate: R}``: a union, which pydantic
validates member by member and reports member by member (a bad ``{rate: 2}`` was four problems,
three of them about members it was never meant to be). ``checked_pass_if`` runs first and
refuses what no member takes, with one error naming the mistake and the accepted forms; what
it lets through is valid for exactly one member.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from evalkit.manifest.limits import MAX_ATTEMPTS

#: the type of the errors raised here: ``problems`` reads their hint and which key they mark
MANIFEST_PROBLEM = "manifest_problem"
FORMS = "pass_if is all, any, {at_least: K} or {rate: R}"
_RULE_KEYS = ("at_least", "rate")
#: the command line's ``--pass-if`` form: ``at_least 3``, ``at_least:3``, ``rate 0.8``
_OPTION_FORM = re.compile(r"(at[_ ]least|rate)[ :=]?\s*([0-9]*\.?[0-9]+)")


def problem(message: str, hint: str, *, key: str = "", value_of: str = "") -> PydanticCustomError:
    """An error that becomes one manifest problem with ``hint``, marked at the value it is
    raised for, or at ``key`` (a key of that value), or at the value of ``key``."""
    ctx = {"message": message, "hint": hint, "key": key, "value_of": value_of}
    return PydanticCustomError(MANIFEST_PROBLEM, "{message}", ctx)


def checked_pass_if(value: Any) -> Any:
    """``value`` unchanged when it is a rule; else one error saying what is wrong."""
    from evalkit.manifest.problems import describe, suggest  # problems -> models -> here

    if value in ("all", "any") or isinstance(value, BaseModel):  # a model: validated already
        return value
    if isinstance(value, str):
        written = _OPTION_FORM.fullmatch(value.strip().lower())
        if written is not None:
            key = written.group(1).replace(" ", "_")
            mapping = f"{{{key}: {written.group(2)}}}"
            hint = f"in the manifest the rule is a mapping: pass_if: {mapping}"
            raise problem(f"{value!r} is the command line's form (--pass-if)", hint)
        close = suggest(value.strip().lower(), ("all", "any"))
        raise problem(f"{describe(value)} is not a rule", _joined(close, FORMS))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise problem(f"{describe(value)} is not a rule", _joined(_number_hint(value), FORMS))
    if not isinstance(value, dict):
        raise problem(f"{describe(value)} is not a rule", FORMS)
    for key in value:
        if key not in _RULE_KEYS:
            hint = _joined(suggest(str(key), _RULE_KEYS), FORMS)
            raise problem(f"unknown key {key!r}", hint, key=str(key))
    if not value:
        raise problem("an empty mapping is not a rule", FORMS)
    if len(value) > 1:
        hint = f"keep {{at_least: {value['at_least']}}} or {{rate: {value['rate']}}}"
        raise problem("at_least and rate together: pass_if is one rule", hint, key="rate")
    if "at_least" in value:
        _check_at_least(value["at_least"])
    else:
        _check_rate(value["rate"])
    return value


def _check_at_least(count: Any) -> None:
    from evalkit.manifest.problems import describe

    hint = (
        "{at_least: K}: the example passes when K or more of its attempts do, K from 1 to "
        f"{MAX_ATTEMPTS}, e.g. {{at_least: 2}}"
    )
    if isinstance(count, bool) or not isinstance(count, int):
        raise problem(
            f"at_least takes a whole number, got {describe(count)}", hint, value_of="at_least"
        )
    if not 1 <= count <= MAX_ATTEMPTS:
        message = f"at_least {count} is out of range: 1 to {MAX_ATTEMPTS}"
        raise problem(message, hint, value_of="at_least")


def _check_rate(rate: Any) -> None:
    from evalkit.manifest.problems import describe

    hint = (
        "{rate: R}: the example passes when that share of its attempts or more pass, more "
        "than 0 and at most 1, e.g. {rate: 0.8} for 80%"
    )
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        raise problem(f"rate takes a number, got {describe(rate)}", hint, value_of="rate")
    if not 0 < rate <= 1:
        if 10 <= rate <= 100:  # most likely a percentage
            hint = f"did you mean {{rate: {rate / 100:g}}}? a rate is a share, not a percentage"
        elif isinstance(rate, int) and rate > 1:  # most likely a count
            hint = f"did you mean {{at_least: {rate}}}? a rate is a share of the attempts"
        message = f"rate {rate:g} is out of range: more than 0 and at most 1"
        raise problem(message, hint, value_of="rate")


def _number_hint(number: float) -> str:
    if isinstance(number, int) and 1 <= number <= MAX_ATTEMPTS:
        return f"for {number} passing attempts or more, write {{at_least: {number}}};"
    if 0 < number <= 1:
        return f"for that share of passing attempts, write {{rate: {number:g}}};"
    return ""


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first else second
