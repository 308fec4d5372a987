"""The run's status and exit code: precedence of interruption, auth, platform errors, gates."""

from __future__ import annotations

import pytest

from evalkit.exit_codes import RunStatus
from evalkit.runner.orchestrate import RunTally
from evalkit.runner.results import ErrorKind, ExampleError, Verdict
from evalkit.runner.session import decide
from tests.runner.conftest import make_result


def tally_of(*kinds: ErrorKind | None) -> RunTally:
    tally = RunTally()
    for index, kind in enumerate(kinds):
        if kind is None:
            tally.add(make_result(f"e{index}", Verdict.PASS))
        else:
            error = ExampleError(kind=kind, message=f"{kind.value} trouble")
            tally.add(make_result(f"e{index}", Verdict.ERROR, error=error))
    return tally


@pytest.mark.parametrize(
    ("kinds", "gates_passed", "status"),
    [
        ([None, None], True, RunStatus.PASSED),
        ([None, ErrorKind.FAILED], False, RunStatus.GATE_FAILED),
        ([None, ErrorKind.PLATFORM], False, RunStatus.GATE_FAILED),  # half is not most
        ([ErrorKind.PLATFORM, ErrorKind.PLATFORM, None], False, RunStatus.INFRASTRUCTURE),
        ([None, None, ErrorKind.AUTH], False, RunStatus.INFRASTRUCTURE),
        ([ErrorKind.TIMEOUT, ErrorKind.TIMEOUT], False, RunStatus.GATE_FAILED),
    ],
)
def test_status_precedence(
    kinds: list[ErrorKind | None], gates_passed: bool, status: RunStatus
) -> None:
    assert decide(tally_of(*kinds), gates_passed)[0] is status


def test_interruption_wins_over_everything() -> None:
    tally = tally_of(ErrorKind.AUTH)
    tally.interrupted = True
    status, outcome = decide(tally, False)
    assert status is RunStatus.INTERRUPTED
    assert outcome == "1 of 1 examples finished before the interruption"


def test_auth_outcome_quotes_the_first_auth_error() -> None:
    _, outcome = decide(tally_of(ErrorKind.AUTH), False)
    assert outcome == "authentication failed: auth trouble (1 of 1 examples without a verdict)"


def test_a_stopped_run_says_how_many_examples_have_no_verdict() -> None:
    _, outcome = decide(tally_of(None, ErrorKind.UNREACHABLE, ErrorKind.UNREACHABLE), True)
    assert outcome.startswith("platform unreachable: ")
    assert outcome.endswith("(2 of 3 examples without a verdict)")
