"""An agent example's reads (polls, the execution, output downloads) outlast a platform that
fails for a while: an execution that completed is judged, never turned into an error by one
read too many that failed. A failure that lasts past the time limit is an error naming it.

A start whose answer came back garbled is looked for by its labels before starting again, and
the output files an execution lists are checked (count, names) before any is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evalkit.client import EigenpalClient
from evalkit.emulator.faults import FaultConfig
from evalkit.exit_codes import RunStatus
from evalkit.runner.agent_run import MAX_OUTPUT_FILES, output_destinations
from evalkit.runner.results import ErrorKind, ExampleError, Verdict
from evalkit.safe_paths import MAX_NAME_SHOWN
from tests.client.hostile import LOGIN_PAGE, Answer, Hostile, fixed, rewritten, start_hostile
from tests.runner.platform_harness import (
    FaultWindow,
    RunOutput,
    create_agent,
    job,
    local_platform,
    run_jobs,
)

OUTPUT = {"answer": 42}
#: GET of one execution: the polls and the final read (not the list, cancel or feedback)
EXECUTION_READS = r"/agents/executions/[^/]+$"
UNAVAILABLE = (503,)


def run_through(
    tmp_path: Path,
    faults: FaultConfig,
    answers: int,
    *,
    runtime: dict[str, Any] | None = None,
    expected_files: dict[str, Path] | None = None,
    timeout_seconds: float = 60.0,
) -> RunOutput:
    """One example whose calls matching ``faults`` fail ``answers`` times, then work. The
    client retries once by itself, so every such call fails for good at the client's level."""
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", runtime or {"builtin": "fixed", "output": OUTPUT})
        window = FaultWindow(running, faults, answers)
        return run_jobs(
            running,
            [job("steady", "one", OUTPUT, expected_files=expected_files)],
            tmp_path / "run",
            max_retries=1,
            concurrency=1,
            timeout_seconds=timeout_seconds,
            hooks=window.hooks,
        )


def test_a_completed_execution_whose_reads_fail_for_a_while_is_judged(tmp_path: Path) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=UNAVAILABLE, path_pattern=EXECUTION_READS)
    out = run_through(tmp_path, faults, answers=6)  # three reads, each failed for good
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert result.execution is not None
    assert result.execution.status == "completed"
    assert out.summary.status == RunStatus.PASSED.value
    traffic = out.summary.traffic
    assert traffic is not None
    assert traffic.server_errors == 6
    assert traffic.repeated == 3


def test_output_downloads_outlast_a_failing_platform_too(tmp_path: Path) -> None:
    expected = tmp_path / "doc.txt"
    expected.write_text("hello\n")
    faults = FaultConfig(error_rate=1.0, path_pattern=r"/files/output/")
    out = run_through(
        tmp_path,
        faults,
        answers=4,
        runtime={"builtin": "fixed", "output": OUTPUT, "files": {"doc.txt": "hello\n"}},
        expected_files={"doc.txt": expected},
    )
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert result.output_files == ["files/steady/one/doc.txt"]


def test_reads_failing_past_the_time_limit_end_as_an_error_naming_the_failure(
    tmp_path: Path,
) -> None:
    faults = FaultConfig(error_rate=1.0, error_statuses=UNAVAILABLE, path_pattern=EXECUTION_READS)
    out = run_through(tmp_path, faults, answers=10**9, timeout_seconds=4)
    (result,) = out.results
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    # Given up just before the limit (platform), or cut by it while a call was out (timeout).
    assert result.error.kind in (ErrorKind.PLATFORM, ErrorKind.TIMEOUT), result.error
    assert "called again" in result.error.message
    assert "HTTP 503" in result.error.message


# -- a garbled answer to a start ------------------------------------------------------------


def garbled_once() -> Answer:
    """The first run request reaches the platform, which starts the execution, but its answer
    is replaced by a proxy's login page; later ones pass untouched."""
    seen = 0

    async def answer(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        nonlocal seen
        seen += 1
        if seen > 1:
            await app(scope, receive, send)
            return

        async def lost(message: Message) -> None:
            del message

        await app(scope, receive, lost)
        await fixed(200, LOGIN_PAGE, "text/html")(scope, receive, send, app)

    return answer


def run_behind(hostile: Hostile, tmp_path: Path, output_files: dict[str, str]) -> RunOutput:
    runtime = {"builtin": "fixed", "output": OUTPUT, "files": output_files}
    with EigenpalClient(api_key=hostile.api_key, base_url=hostile.base_url) as client:
        client.agents.create(name="steady", slug="steady", config={"runtime": runtime})
    return run_jobs(
        hostile.running,
        [job("steady", "one", OUTPUT)],
        tmp_path / "run",
        api_key=hostile.api_key,
        concurrency=1,
    )


def test_a_garbled_start_answer_adopts_the_execution_it_started(tmp_path: Path) -> None:
    with start_hostile() as hostile:
        hostile.script.answer("POST", r"/agents/steady/run$", garbled_once())
        out = run_behind(hostile, tmp_path, {})
        with EigenpalClient(api_key=hostile.api_key, base_url=hostile.base_url) as client:
            batch = list(client.agents.executions.iter_list("steady", batch_id="run"))
    (result,) = out.results
    assert result.error is None, result.error
    assert result.verdict is Verdict.PASS
    assert result.adopted
    assert len(batch) == 1, "started a second time instead of adopting the first"


def test_a_start_answer_garbled_every_time_is_a_platform_error(tmp_path: Path) -> None:
    with start_hostile() as hostile:
        hostile.script.answer("POST", r"/agents/steady/run$", fixed(200, LOGIN_PAGE, "text/html"))
        out = run_behind(hostile, tmp_path, {})
    (result,) = out.results
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert result.error.kind is ErrorKind.PLATFORM
    assert "starting the run (5 attempts)" in result.error.message
    assert "not JSON (text/html)" in result.error.message
    assert out.summary.status == RunStatus.INFRASTRUCTURE.value


# -- output files listed by the execution ---------------------------------------------------


def listing(names: list[str]) -> Callable[[Any], None]:
    """The execution's answer, listing these output files."""

    def change(value: Any) -> None:
        execution = value.get("execution") or {}
        if "resultFiles" in execution:
            execution["resultFiles"] = [{"name": name} for name in names]

    return change


@pytest.mark.parametrize(
    ("names", "said"),
    [
        ([f"f{index:05d}" for index in range(MAX_OUTPUT_FILES + 1)], "lists 10001 output files"),
        (["doc.txt", "other.txt", "doc.txt"], "'doc.txt' is listed twice"),
        (["doc.txt", "doc.txt/inner.txt"], "'doc.txt' is listed both as a file and as a folder"),
    ],
    ids=["too-many", "twice", "file-and-folder"],
)
def test_a_listing_that_cannot_be_downloaded_whole_is_refused_before_any_download(
    tmp_path: Path, names: list[str], said: str
) -> None:
    with start_hostile() as hostile:
        hostile.script.answer("GET", r"/agents/executions/[^/]+$", rewritten(listing(names)))
        out = run_behind(hostile, tmp_path, {"doc.txt": "hello\n"})
        downloads = [path for _, path in hostile.script.hits if "/files/output/" in path]
        hostile.script.clear()
    (result,) = out.results
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert result.error.kind is ErrorKind.OUTPUT
    assert said in result.error.message, result.error.message
    assert not downloads
    assert result.output_files == []
    assert not (tmp_path / "run" / "files").exists()


def refusal(names: list[str]) -> str:
    refused = output_destinations(Path("/runs/r1"), ("files", "agent", "one"), names)
    assert isinstance(refused, ExampleError)
    assert refused.kind is ErrorKind.OUTPUT
    return refused.message


def test_a_long_name_is_clipped_in_the_refusal() -> None:
    for names in (["n" * 10_000], ["a/" + "n" * 300], ["x" * 900, "x" * 900]):
        message = refusal(names)
        assert len(message) < MAX_NAME_SHOWN + 200, message
        assert "more characters" in message


def test_the_limit_is_inclusive_and_safe_names_map_into_the_folder() -> None:
    names = [f"d{index % 10}/f{index:05d}" for index in range(MAX_OUTPUT_FILES)]
    targets = output_destinations(Path("/runs/r1"), ("files", "agent", "one"), names)
    assert isinstance(targets, dict)
    assert targets["d1/f00001"] == Path("/runs/r1/files/agent/one/d1/f00001")


def test_a_start_held_to_the_end_frees_its_slot_before_the_execution_is_read(
    tmp_path: Path,
) -> None:
    """At concurrency 1 the second example starts while the first one's read of its ended
    execution is still failing: the read does not hold the slot."""
    sent: list[tuple[str, str]] = []

    async def log(request: httpx.Request) -> None:
        sent.append((request.method, request.url.path))

    faults = FaultConfig(error_rate=1.0, error_statuses=UNAVAILABLE, path_pattern=EXECUTION_READS)
    with local_platform(tmp_path / "platform") as running:
        create_agent(running, "steady", {"builtin": "fixed", "output": OUTPUT})
        window = FaultWindow(running, faults, answers=2)  # the first read fails for good once
        hooks = {**window.hooks, "request": [log]}
        out = run_jobs(
            running,
            [job("steady", "one", OUTPUT), job("steady", "two", OUTPUT)],
            tmp_path / "run",
            max_retries=1,
            concurrency=1,
            hooks=hooks,
        )
    assert [result.verdict for result in out.results] == [Verdict.PASS, Verdict.PASS]
    starts = [n for n, (_, path) in enumerate(sent) if path.endswith("/run")]
    reads = [(n, path) for n, (_, path) in enumerate(sent) if re.search(EXECUTION_READS, path)]
    first = [n for n, path in reads if path == reads[0][1]]  # the first execution's reads
    assert len(starts) == 2, sent
    assert len(first) >= 2, sent
    assert starts[1] < first[-1], sent
