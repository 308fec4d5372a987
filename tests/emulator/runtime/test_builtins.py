"""The built-in runtimes: echo, fixed, fail, delays and cancel."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable

import pytest

from evalkit.emulator.runtime import AgentJob, InputFile, run_agent_job

JobFactory = Callable[..., AgentJob]


def test_echo_returns_scalar_input_and_input_files(make_job: JobFactory) -> None:
    job = make_job(
        config={"runtime": {"builtin": "echo"}},
        input_json={"a": 1, "nested": {"b": [1, 2]}},
        input_files=[InputFile("invoice", "inv.pdf", b"%PDF-1.4", "application/pdf")],
    )
    outcome = run_agent_job(job)
    assert outcome.status == "completed"
    assert outcome.output == {"a": 1, "nested": {"b": [1, 2]}}
    assert [(f.name, f.content) for f in outcome.output_files] == [("inv.pdf", b"%PDF-1.4")]
    assert outcome.error is None
    assert isinstance(outcome.cost["durationMs"], int)


def test_fixed_returns_output_and_text_and_base64_files(make_job: JobFactory) -> None:
    runtime = {
        "builtin": "fixed",
        "output": {"total": 12.5},
        "files": {"a.txt": "hello", "b/c.bin": {"base64": base64.b64encode(b"\x00\x01").decode()}},
    }
    outcome = run_agent_job(make_job(config={"runtime": runtime}))
    assert outcome.status == "completed"
    assert outcome.output == {"total": 12.5}
    assert {f.name: f.content for f in outcome.output_files} == {
        "a.txt": b"hello",
        "b/c.bin": b"\x00\x01",
    }


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../x": "t"}, "bad name"),
        ({"x.bin": {"base64": "!!!"}}, "not valid base64"),
        ({"x.bin": 3}, "must be a text string"),
        (["x"], "'files' must be an object"),
    ],
)
def test_fixed_with_bad_files_fails_with_clear_error(
    make_job: JobFactory, files: object, message: str
) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "fixed", "files": files}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert message in outcome.error
    assert outcome.error.startswith("config.runtime:")


def test_fail_uses_configured_error(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "fail", "error": "boom"}}))
    assert outcome.status == "failed"
    assert outcome.error == "boom"


def test_fail_without_error_has_default_message(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "fail"}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "fail" in outcome.error


def test_unknown_builtin_fails_naming_the_known_ones(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "nope"}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "'nope'" in outcome.error
    assert "echo, fail, fixed" in outcome.error


@pytest.mark.parametrize("delay", [-1, "10", True])
def test_bad_delay_fails(make_job: JobFactory, delay: object) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "echo", "delayMs": delay}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "delayMs" in outcome.error


def test_runtime_that_is_not_an_object_fails(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(config={"runtime": "echo"}))
    assert outcome.status == "failed"
    assert outcome.error == "config.runtime must be an object, got str"


def test_delay_is_waited_before_answering(make_job: JobFactory) -> None:
    job = make_job(config={"runtime": {"builtin": "echo", "delayMs": 30}})
    outcome = run_agent_job(job)
    assert outcome.status == "completed"
    assert outcome.cost["durationMs"] >= 30


def test_cancel_during_delay_ends_the_run_as_cancelled(make_job: JobFactory) -> None:
    job = make_job(config={"runtime": {"builtin": "echo", "delayMs": 600_000}})
    started = threading.Event()
    result: list[object] = []

    def run() -> None:
        started.set()
        result.append(run_agent_job(job))

    worker = threading.Thread(target=run)
    worker.start()
    started.wait()
    job.cancel.set()
    worker.join(timeout=30)
    assert not worker.is_alive(), "cancel did not end the delay"
    (outcome,) = result
    assert getattr(outcome, "status", None) == "cancelled"


def test_already_cancelled_job_is_cancelled_without_delay(make_job: JobFactory) -> None:
    job = make_job(config={"runtime": {"builtin": "fixed", "output": 1}})
    job.cancel.set()
    assert run_agent_job(job).status == "cancelled"


def test_a_builtin_declares_its_cost_and_model(make_job: JobFactory) -> None:
    runtime = {"builtin": "echo", "cost": {"credits": 0.002, "currency": "EUR"}, "model": "m-1"}
    outcome = run_agent_job(make_job(config={"runtime": runtime}))
    assert outcome.status == "completed"
    assert outcome.cost["credits"] == 0.002
    assert outcome.cost["currency"] == "EUR"
    assert isinstance(outcome.cost["durationMs"], int)
    assert outcome.model == "m-1"


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"cost": 3}, "'cost' must be an object"),
        ({"cost": {"credits": True}}, "'cost' must be an object"),
        ({"cost": {"credits": [1]}}, "'cost' must be an object"),
        ({"model": ""}, "'model' must be a model's name"),
        ({"model": 7}, "'model' must be a model's name"),
    ],
)
def test_a_bad_declared_cost_or_model_fails_the_run_saying_so(
    make_job: JobFactory, declared: dict[str, object], message: str
) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"builtin": "echo", **declared}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert message in outcome.error
