"""An accept's plan and outcome: the exit code says whether everything that did not pass is
accepted whole; the data names every file and every example not accepted."""

from __future__ import annotations

from pathlib import Path

from evalkit.runner.accept_plan import AcceptOutcome, AcceptPlan, ExampleChange, NotAccepted
from evalkit.runner.accept_write import FileWrite
from evalkit.runner.results import Verdict

WRITE = FileWrite(Path("/p/examples/a/expected.json"), b'{"v": 1}\n', b'{"v": 2}\n')
CHANGE = ExampleChange("agent", "echo", "a", Verdict.FAIL, (WRITE,), ("/v: changed",))


def plan(**fields: object) -> AcceptPlan:
    return AcceptPlan(run_dir=Path("run"), run_id="run-1", root=Path("/p"), **fields)  # type: ignore[arg-type]


def test_exit_codes() -> None:
    assert AcceptOutcome(plan(changes=(CHANGE,)), written=True).exit_code == 0
    assert AcceptOutcome(plan(), written=False).exit_code == 0  # nothing needed it
    assert AcceptOutcome(plan(changes=(CHANGE,)), written=False, declined=True).exit_code == 1
    refused = NotAccepted("agent", "echo", "b", Verdict.ERROR, "errored")
    assert AcceptOutcome(plan(refused=(refused,)), written=False).exit_code == 1
    left = ExampleChange("agent", "echo", "c", Verdict.FAIL, (WRITE,), left=("/d: regex",))
    assert AcceptOutcome(plan(changes=(left,)), written=True).exit_code == 1


def test_the_diff_and_the_data() -> None:
    shown = plan(changes=(CHANGE,))
    assert shown.diff().splitlines()[:4] == [
        "echo/a (fail)",
        "  /v: changed",
        "--- a/examples/a/expected.json",
        "+++ b/examples/a/expected.json",
    ]
    data = shown.to_dict()
    assert data["accepted"][0]["files"] == [
        {"path": "/p/examples/a/expected.json", "action": "update"}
    ]
    assert data["not_accepted"] == []
