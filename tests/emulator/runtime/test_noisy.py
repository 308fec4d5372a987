"""The ``noisy`` builtin, run by the local platform over HTTP: a seeded, reproducible wrong rate."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evalkit.api import TERMINAL_STATUSES
from evalkit.emulator.runtime.noisy import canonical_json, is_wrong, wrong_answer

from ..conftest import ClientFactory
from ..helpers import TestClient, create_agent, run_and_wait

INPUT = {"vendor": "ACME", "total": 12.5, "lines": 3, "paid": False, "tags": ["a"], "n": None}
WRONG = {"vendor": "ACME (wrong)", "total": 13.5, "lines": 4, "paid": "wrong", "tags": "wrong"}
WRONG_INPUT = {**WRONG, "n": "wrong"}


def noisy(wrong_rate: Any, seed: Any = 7, **extra: Any) -> dict[str, Any]:
    return {"runtime": {"builtin": "noisy", "wrongRate": wrong_rate, "seed": seed, **extra}}


def outputs(client: TestClient, agent: str, body: dict[str, Any], n: int) -> list[Any]:
    """The outputs of ``n`` runs of ``body``, started at once and run by concurrent workers."""
    ids = []
    for _ in range(n):
        response = client.post(f"/api/v1/agents/{agent}/run", json={"input": body})
        assert response.status_code == 202, response.text
        ids.append(response.json()["executionId"])
    return [finished(client, execution_id)["output"] for execution_id in ids]


def finished(client: TestClient, execution_id: str) -> dict[str, Any]:
    terminal = {status.value for status in TERMINAL_STATUSES}
    while True:
        response = client.get(f"/api/v1/agents/executions/{execution_id}")
        execution: dict[str, Any] = response.json()["execution"]
        if execution["status"] in terminal:
            assert execution["status"] == "completed", execution
            return execution
        time.sleep(0.01)


def test_rate_zero_always_echoes_and_rate_one_is_always_wrong(make_client: ClientFactory) -> None:
    client = make_client()
    create_agent(client, "right", config=noisy(0, delayMs=0))
    create_agent(client, "wrong", config=noisy(1))
    for _ in range(5):
        right = run_and_wait(client, "right", {"input": INPUT})
        assert (right["status"], right["output"]) == ("completed", INPUT)
        wrong = run_and_wait(client, "wrong", {"input": INPUT})
        assert (wrong["status"], wrong["output"]) == ("completed", WRONG_INPUT)


def test_the_wrong_answer_rule() -> None:
    assert wrong_answer(INPUT) == WRONG_INPUT
    assert wrong_answer({}) == {"wrong": True}  # nothing to change: still not the input
    assert wrong_answer({"big": 1e20, "inf": float("inf"), "o": {"a": 1}}) == {
        "big": "wrong",  # 1e20 + 1 == 1e20
        "inf": "wrong",
        "o": "wrong",
    }


def test_counts_are_the_same_on_two_fresh_platforms_whatever_the_order(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    n = 200
    counts = []
    for workers in (1, 4):  # one run at a time, then four at once
        client = make_client(workers=workers, data_dir=tmp_path / f"platform-{workers}")
        create_agent(client, "coin", config=noisy(0.5, seed=11))
        answers = outputs(client, "coin", INPUT, n)
        tally = Counter("right" if a == INPUT else "wrong" for a in answers)
        assert set(tally) <= {"right", "wrong"}
        assert sum(1 for a in answers if a not in (INPUT, WRONG_INPUT)) == 0
        counts.append(tally["wrong"])
    # the documented rule, computed here, gives the same count as both platforms
    expected = sum(is_wrong(11, canonical_json(INPUT), k, 0.5) for k in range(1, n + 1))
    assert counts == [expected, expected]
    assert 70 <= expected <= 130  # more than four standard deviations from 100


def test_the_seed_changes_the_draws_and_the_counter_is_per_agent(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    canonical = canonical_json(INPUT)
    for slug, seed in (("a", 1), ("b", 2), ("c", 2)):
        create_agent(client, slug, config=noisy(0.5, seed=seed))
        got = [run_and_wait(client, slug, {"input": INPUT})["output"] != INPUT for _ in range(20)]
        assert got == [is_wrong(seed, canonical, k, 0.5) for k in range(1, 21)]
    assert [is_wrong(1, canonical, k, 0.5) for k in range(1, 21)] != [
        is_wrong(2, canonical, k, 0.5) for k in range(1, 21)
    ]


def test_the_input_wrong_rate_overrides_the_agents_and_is_not_echoed(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    create_agent(client, "mixed", config=noisy(0.5))
    easy = {"q": "easy", "_wrongRate": 0}
    hard = {"q": "hard", "_wrongRate": 1.0}
    for _ in range(5):
        assert run_and_wait(client, "mixed", {"input": easy})["output"] == {"q": "easy"}
        assert run_and_wait(client, "mixed", {"input": hard})["output"] == {"q": "hard (wrong)"}


def test_input_files_come_back_as_output_files(make_client: ClientFactory) -> None:
    client = make_client()
    create_agent(client, "files", config=noisy(1))
    response = client.post(
        "/api/v1/agents/files/run",
        params={"wait_for_completion": 30},
        data={"_json": '{"q": "x"}'},
        files={"invoice": ("inv.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 202, response.text
    result = response.json()
    assert result["status"] == "completed", result
    assert result["output"] == {"q": "x (wrong)"}  # only the output is wrong, never the files
    execution = client.get(
        f"/api/v1/agents/executions/{result['executionId']}", params={"include": "files"}
    ).json()["execution"]
    assert execution["resultFiles"] == [{"name": "inv.txt", "size": 5}]


@pytest.mark.parametrize(
    ("runtime", "message"),
    [
        ({"builtin": "noisy", "seed": 1}, "'wrongRate' is required"),
        ({"builtin": "noisy", "wrongRate": 1.5}, "'wrongRate' must be a number from 0 to 1"),
        ({"builtin": "noisy", "wrongRate": -0.1}, "'wrongRate' must be a number from 0 to 1"),
        ({"builtin": "noisy", "wrongRate": "0.3"}, "'wrongRate' must be a number from 0 to 1"),
        ({"builtin": "noisy", "wrongRate": True}, "'wrongRate' must be a number from 0 to 1"),
        ({"builtin": "noisy", "wrongRate": 0.3, "seed": 1.5}, "'seed' must be an integer"),
        ({"builtin": "noisy", "wrongRate": 0.3, "seed": "7"}, "'seed' must be an integer"),
        ({"builtin": "noisy", "wrongRate": 0.3, "delayMs": -1}, "'delayMs' must be"),
    ],
)
def test_a_bad_config_fails_the_execution_clearly(
    client: TestClient, runtime: dict[str, Any], message: str
) -> None:
    create_agent(client, "bad", config={"runtime": runtime})
    result = run_and_wait(client, "bad", {"input": {"q": 1}})
    assert result["status"] == "failed"
    assert result["error"].startswith("config.runtime: ")
    assert message in result["error"]


@pytest.mark.parametrize("rate", ["0.5", 2, None, [0.1]])
def test_a_bad_input_wrong_rate_fails_the_execution_clearly(
    client: TestClient, rate: object
) -> None:
    create_agent(client, "n", config=noisy(0.5))
    result = run_and_wait(client, "n", {"input": {"q": 1, "_wrongRate": rate}})
    assert result["status"] == "failed"
    assert result["error"] == f"input._wrongRate must be a number from 0 to 1, got {rate!r}"
