"""The async executor keeps the sync one's rules: retries, keys, errors, streamed files."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from evalkit.client import (
    AsyncEigenpalClient,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalNotFoundError,
    EigenpalServerError,
    EigenpalTimeoutError,
)

from .conftest import API_KEY, FakeApi, Sleeps, answers_left_in_cycles, envelope, json_answer

pytestmark = pytest.mark.anyio

LISTING = {"data": [], "total": 0, "limit": 50, "offset": 0}
STARTED = {"executionId": "exec_1", "status": "pending"}


async def test_reads_retry_with_backoff(
    aclient: AsyncEigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(502), httpx.ReadTimeout("slow"), json_answer(200, LISTING))
    async with aclient:
        assert (await aclient.agents.list()).total == 0
    assert len(api.requests) == 3
    assert sleeps.pauses == [0.5, 1.0]
    assert api.last.headers["authorization"] == f"Bearer {API_KEY}"


async def test_run_retries_503_with_one_key_and_reopens_the_file(
    aclient: AsyncEigenpalClient, api: FakeApi, tmp_path: Path
) -> None:
    doc = tmp_path / "a.txt"
    doc.write_bytes(b"async-payload")
    api.queue(envelope(503), json_answer(202, STARTED))
    async with aclient:
        started = await aclient.agents.run("a", {"doc": doc, "n": 1})
    assert started.execution_id == "exec_1"
    assert len({r.headers["idempotency-key"] for r in api.requests}) == 1
    assert all(b"async-payload" in r.content for r in api.requests)
    assert all(b'name="_json"' in r.content for r in api.requests)


async def test_run_not_retried_after_500(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(envelope(500), json_answer(202, STARTED))
    async with aclient:
        with pytest.raises(EigenpalServerError):
            await aclient.agents.run("a")
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectError("refused"), EigenpalConnectionError),
        (httpx.ReadTimeout("slow"), EigenpalTimeoutError),
    ],
)
async def test_transport_failures_map_to_errors(
    aclient: AsyncEigenpalClient, api: FakeApi, failure: Exception, error: type[EigenpalError]
) -> None:
    api.queue(failure)
    async with aclient:
        with pytest.raises(error) as caught:
            await aclient.agents.get("a")
    assert caught.value.__cause__ is failure
    assert len(api.requests) == 4


async def test_html_answer_points_at_base_url(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(httpx.Response(200, text="<html/>", headers={"content-type": "text/html"}))
    async with aclient:
        with pytest.raises(EigenpalError, match="base_url"):
            await aclient.workflows.list()


async def test_hold_read_timeout(aclient: AsyncEigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(201, {"executionId": "w", "status": "completed"}))
    async with aclient:
        await aclient.workflows.run("flow", wait_for_completion=60)
    assert api.last.extensions["timeout"]["read"] > 60


async def test_no_answer_is_left_in_a_cycle_for_the_collector(
    aclient: AsyncEigenpalClient, api: FakeApi
) -> None:
    # httpx binds an answer and its stream both ways: a cycle only the collector frees (at
    # 50 examples at once, its collections came in the bursts of answers)
    api.queue(*(json_answer(200, LISTING) for _ in range(5)), envelope(404), json_answer(200, {}))
    with answers_left_in_cycles() as in_cycles:
        async with aclient:
            for _ in range(5):
                await aclient.agents.list()
            with pytest.raises(EigenpalNotFoundError):
                await aclient.agents.list()
    assert in_cycles == []


async def test_with_patience_rate_limits_are_waited_out_and_silence_ends_the_wait(
    api: FakeApi, sleeps: Sleeps
) -> None:
    def silent(request: httpx.Request) -> httpx.Response:
        sleeps.now += 60
        raise httpx.ReadTimeout("timed out")

    api.queue(*[envelope(429, **{"retry-after": "2"})] * 8, json_answer(200, LISTING), silent)
    async with AsyncEigenpalClient(
        api_key=API_KEY,
        base_url="http://eigenpal.test",
        patience_seconds=60,
        transport=httpx.MockTransport(api),
        sleep=sleeps.asleep,
        clock=sleeps.clock,
        jitter=lambda: 0.0,
    ) as client:
        assert (await client.agents.list()).total == 0
        assert sleeps.pauses == [2.0] * 8
        with pytest.raises(EigenpalTimeoutError, match=r"^no answer from http://eigenpal\.test "):
            await client.agents.list()
    assert len(api.requests) == 10
