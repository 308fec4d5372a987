"""Schema patterns searched with a time limit: a backtracking pattern cannot hang the platform."""

from __future__ import annotations

import json
import logging
import textwrap
from collections.abc import Callable

import pytest

from evalkit.emulator.runtime import AgentJob, run_agent_job
from evalkit.emulator.runtime.schema import schema_validity
from evalkit.emulator.runtime.schema_regex import UnusablePattern, bounded_search

JobFactory = Callable[..., AgentJob]

HANGS_RE = "(a+)+$"  # Python's re backtracks for hours on EVIL; regex fails it at once
HANGS_REGEX = "(a|a)*$"  # the regex package backtracks too: stopped after the time limit
EVIL = "a" * 40 + "!"


def workspace(schema: object) -> dict[str, bytes]:
    return {"output-schema.json": json.dumps(schema).encode()}


def test_pattern_is_a_search_not_a_full_match() -> None:
    assert bounded_search("b+", "abbc") is True
    assert bounded_search("^b+$", "abbc") is False


@pytest.mark.timeout(60)
def test_a_pattern_that_backtracks_is_stopped_and_named() -> None:
    with pytest.raises(UnusablePattern, match=r"'\(a\|a\)\*\$' took longer than 1 s"):
        bounded_search(HANGS_REGEX, EVIL)


@pytest.mark.timeout(60)
def test_a_pattern_that_would_unroll_too_far_is_refused_before_compiling() -> None:
    # The regex package crashes the process compiling this one.
    with pytest.raises(UnusablePattern, match="unrolls to more than"):
        bounded_search("((?:a|bc){1000}){1000}", "a")


@pytest.mark.timeout(60)
def test_a_pattern_that_hangs_re_is_decided() -> None:
    assert schema_validity(workspace({"pattern": HANGS_RE}), EVIL) is False
    assert schema_validity(workspace({"not": {"pattern": HANGS_RE}}), EVIL) is True
    assert schema_validity(workspace({"pattern": HANGS_RE}), "aaa") is True


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("schema_of", "output"),
    [
        (lambda p: {"type": "string", "pattern": p}, EVIL),
        (lambda p: {"patternProperties": {p: {"type": "integer"}}}, {EVIL: "x"}),
        (lambda p: {"patternProperties": {p: True}, "additionalProperties": False}, {EVIL: 1}),
        (lambda p: {"not": {"pattern": p}}, EVIL),  # stopped never counts as "no match"
    ],
    ids=["pattern", "patternProperties", "additionalProperties", "not"],
)
def test_a_stopped_pattern_gives_schema_invalid_wherever_it_is(
    schema_of: Callable[[str], object], output: object
) -> None:
    assert schema_validity(workspace(schema_of(HANGS_REGEX)), output) is False


@pytest.mark.timeout(60)
def test_a_stopped_pattern_is_logged_by_name(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="evalkit.emulator")
    assert schema_validity(workspace({"pattern": HANGS_REGEX}), EVIL) is False
    assert "output-schema.json: pattern '(a|a)*$' took longer than 1 s" in caplog.text
    assert "counted schema-invalid" in caplog.text


def test_ordinary_patterns_still_decide() -> None:
    schema = {
        "type": "object",
        "properties": {"iban": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}"}},
        "patternProperties": {"^x-": {"type": "string"}},
        "additionalProperties": {"type": "integer"},
    }
    assert schema_validity(workspace(schema), {"iban": "DE12 3456", "x-a": "s", "n": 1}) is True
    assert schema_validity(workspace(schema), {"iban": "12DE"}) is False
    assert schema_validity(workspace(schema), {"x-a": 1}) is False
    assert schema_validity(workspace(schema), {"n": "not an integer"}) is False
    closed = {"patternProperties": {"^x-": True}, "additionalProperties": False}
    assert schema_validity(workspace(closed), {"x-a": 1}) is True
    assert schema_validity(workspace(closed), {"y": 1}) is False


def test_counted_repeats_of_ordinary_size_are_fine() -> None:
    schema = {"pattern": "^\\d{4}-\\d{2}-\\d{2}$|^.{0,5000}x$"}
    assert schema_validity(workspace(schema), "2024-01-31") is True


@pytest.mark.timeout(60)
@pytest.mark.parametrize("pattern", [HANGS_RE, HANGS_REGEX])
def test_a_program_run_completes_with_schema_valid_false(
    make_job: JobFactory, pattern: str
) -> None:
    source = f"import json; print(json.dumps({{'code': {EVIL!r}}}))"
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": pattern}}}
    files = {"main.py": textwrap.dedent(source).encode(), **workspace(schema)}
    outcome = run_agent_job(make_job(workspace=files))
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {"code": EVIL}
    assert outcome.schema_valid is False
