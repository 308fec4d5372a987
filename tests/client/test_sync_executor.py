"""Retries, idempotency keys, timeouts and answer checks, through the sync client."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from evalkit import __version__
from evalkit.client import (
    EigenpalClient,
    EigenpalConfigError,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalNotFoundError,
    EigenpalRateLimitError,
    EigenpalResponseError,
    EigenpalServerError,
    EigenpalTimeoutError,
)

from .conftest import (
    API_KEY,
    BASE_URL,
    EXECUTION,
    FakeApi,
    Sleeps,
    answers_left_in_cycles,
    envelope,
    json_answer,
)

LISTING = {"data": [], "total": 0, "limit": 50, "offset": 0}
STARTED = {"executionId": "exec_1", "status": "pending"}


def test_headers_auth_user_agent_and_no_key_on_reads(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(200, LISTING))
    client.agents.list()
    request = api.last
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["user-agent"] == f"evalkit/{__version__}"
    assert request.headers["accept"] == "application/json"
    assert "idempotency-key" not in request.headers
    assert str(request.url) == f"{BASE_URL}/api/v1/agents"


def test_get_retries_server_errors_with_backoff(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(500), envelope(502), json_answer(200, LISTING))
    assert client.agents.list().total == 0
    assert len(api.requests) == 3
    assert sleeps.pauses == [0.5, 1.0]


def test_get_gives_up_after_max_retries(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(503, "overloaded", **{"x-request-id": "req_h"}))
    with pytest.raises(EigenpalServerError) as caught:
        client.agents.list()
    assert len(api.requests) == 4
    assert sleeps.pauses == [0.5, 1.0, 2.0]
    assert caught.value.status == 503
    assert caught.value.request_id == "req_body"


def test_client_errors_are_not_retried(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(envelope(404, "agent 'x' not found"))
    with pytest.raises(EigenpalNotFoundError, match="agent 'x' not found"):
        client.agents.get("x")
    assert len(api.requests) == 1


def test_run_is_not_retried_after_500(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(envelope(500), json_answer(202, STARTED))
    with pytest.raises(EigenpalServerError):
        client.agents.run("a", {"x": 1})
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.agents.run("a", {"x": 1}),
        lambda c: c.agents.executions.rerun("exec_1"),
        lambda c: c.agents.create(name="n", slug="s"),
        lambda c: c.agents.upload_files("a", []),
        lambda c: c.agents.executions.copy_output_to_expected("e", output_file_name="o"),
        lambda c: c.agents.executions.upload_expected("e", file=b"x", filename="x"),
        lambda c: c.workflows.run("w", {}),
    ],
    ids=["run", "rerun", "create", "upload_files", "copy_expected", "upload_expected", "wf_run"],
)
def test_posts_that_start_work_never_retry_after_500(
    client: EigenpalClient, api: FakeApi, call: Callable[[EigenpalClient], object]
) -> None:
    api.queue(envelope(500))
    with pytest.raises(EigenpalServerError):
        call(client)
    assert len(api.requests) == 1
    assert api.last.headers["idempotency-key"].startswith("evalkit-")


def test_cancel_is_retried_after_500(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(envelope(500), json_answer(200, {"execution": EXECUTION}))
    client.agents.executions.cancel("exec_1")
    assert len(api.requests) == 2


def test_run_retries_503_with_the_same_idempotency_key(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(503), envelope(429, **{"retry-after": "3"}), json_answer(202, STARTED))
    assert client.agents.run("a", {"x": 1}).execution_id == "exec_1"
    keys = {request.headers["idempotency-key"] for request in api.requests}
    assert len(api.requests) == 3
    assert len(keys) == 1
    assert sleeps.pauses == [0.5, 3.0]


def test_each_logical_call_gets_its_own_key(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(202, STARTED))
    client.agents.run("a")
    client.agents.run("a")
    first, second = (r.headers["idempotency-key"] for r in api.requests)
    assert first != second


def test_retry_after_as_http_date_is_honoured(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(
        envelope(429, **{"retry-after": "Thu, 01 Jan 1970 00:00:00 GMT"}), json_answer(200, LISTING)
    )
    client.agents.list()
    assert sleeps.pauses == [0.0]  # a date in the past: go at once


def test_rate_limit_error_after_retries_carries_retry_after(
    client: EigenpalClient, api: FakeApi
) -> None:
    api.queue(envelope(429, "slow down", **{"retry-after": "2"}))
    with pytest.raises(EigenpalRateLimitError) as caught:
        client.agents.list()
    assert caught.value.retry_after == 2


def test_connect_error_retries_even_a_run(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(httpx.ConnectError("refused"), json_answer(202, STARTED))
    assert client.agents.run("a").execution_id == "exec_1"
    assert len(api.requests) == 2


def test_unreachable_server_is_a_connection_error(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(httpx.ConnectError("refused"))
    with pytest.raises(EigenpalConnectionError, match="cannot reach the EigenPal API") as caught:
        client.agents.list()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(api.requests) == 4


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ReadTimeout("slow"), EigenpalTimeoutError),
        (httpx.RemoteProtocolError("dropped"), EigenpalConnectionError),
    ],
)
def test_run_not_retried_once_sent(
    client: EigenpalClient, api: FakeApi, failure: Exception, error: type[EigenpalError]
) -> None:
    api.queue(failure, json_answer(202, STARTED))
    with pytest.raises(error) as caught:
        client.agents.run("a")
    assert len(api.requests) == 1
    assert caught.value.__cause__ is failure


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")]
)
def test_reads_retry_timeouts_and_drops(
    client: EigenpalClient, api: FakeApi, failure: Exception
) -> None:
    api.queue(failure, json_answer(200, LISTING))
    client.agents.list()
    assert len(api.requests) == 2


def test_a_path_input_is_reopened_for_each_attempt(
    client: EigenpalClient, api: FakeApi, tmp_path: Path
) -> None:
    doc = tmp_path / "a.txt"
    doc.write_bytes(b"payload-123")
    api.queue(envelope(503), json_answer(202, STARTED))
    client.agents.run("a", {"doc": doc})
    assert len(api.requests) == 2
    for request in api.requests:
        assert b"payload-123" in request.content


def test_a_seekable_handle_is_rewound_for_each_attempt(
    client: EigenpalClient, api: FakeApi
) -> None:
    handle = io.BytesIO(b"whole payload")
    handle.name = "in.txt"
    api.queue(envelope(503), json_answer(202, STARTED))
    client.agents.run("a", {"doc": handle})
    assert [b"\r\n\r\nwhole payload\r\n" in r.content for r in api.requests] == [True, True]


class OneWayStream(io.RawIOBase):
    name = "pipe.bin"

    def __init__(self) -> None:
        self.left = b"stream"

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        size = min(len(buffer), len(self.left))
        buffer[:size], self.left = self.left[:size], self.left[size:]
        return size


def test_a_one_way_stream_is_not_sent_twice(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(envelope(503), json_answer(202, STARTED))
    with pytest.raises(EigenpalServerError):
        client.agents.run("a", {"doc": OneWayStream()})
    assert len(api.requests) == 1


def test_hold_gets_a_read_timeout_longer_than_the_hold(api: FakeApi) -> None:
    api.queue(json_answer(202, STARTED))
    with EigenpalClient(
        api_key="k", base_url=BASE_URL, timeout_seconds=5, transport=httpx.MockTransport(api)
    ) as client:
        client.agents.run("a", wait_for_completion=300)
        client.agents.run("a")
    held, plain = (r.extensions["timeout"] for r in api.requests)
    assert held["read"] > 300
    assert held["connect"] == 5
    assert plain["read"] == 5


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>marketing</html>", headers={"content-type": "text/html"}),
        httpx.Response(404, text="<html>not here</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, text="{not json", headers={"content-type": "application/json"}),
    ],
    ids=["html-200", "html-404", "broken-json"],
)
def test_non_json_answer_is_a_clear_error(
    client: EigenpalClient, api: FakeApi, answer: httpx.Response
) -> None:
    api.queue(answer)
    with pytest.raises(EigenpalError) as caught:
        client.agents.list()
    if answer.is_success:  # the platform spoke, but not the API
        assert type(caught.value) is EigenpalResponseError
    else:
        assert type(caught.value) is EigenpalError
    html = answer.headers["content-type"] == "text/html"
    assert ("base_url" if html else "broken answer") in str(caught.value)
    assert caught.value.status == answer.status_code
    assert "GET /api/v1/agents" in str(caught.value)


def test_download_refuses_an_html_page(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(httpx.Response(200, text="<html/>", headers={"content-type": "text/html"}))
    with pytest.raises(EigenpalError, match="base_url"):
        client.agents.executions.download_expected("e", "f")


def test_unexpected_answer_shape_is_named(client: EigenpalClient, api: FakeApi) -> None:
    api.queue(json_answer(200, {"data": "nope", "total": 0, "limit": 1, "offset": 0}))
    with pytest.raises(
        EigenpalResponseError, match="the answer does not have the API's shape: data"
    ):
        client.agents.list()


def test_error_request_id_from_header_when_body_has_none(
    client: EigenpalClient, api: FakeApi
) -> None:
    api.queue(httpx.Response(403, json={"issues": []}, headers={"x-request-id": "req_hdr"}))
    with pytest.raises(EigenpalError) as caught:
        client.agents.get("a")
    assert caught.value.request_id == "req_hdr"


class ChunkRecorder(httpx.BaseTransport):
    """Reads the request body as the network would, chunk by chunk, noting each size."""

    def __init__(self) -> None:
        self.chunk_sizes: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        for chunk in request.stream:
            self.chunk_sizes.append(len(chunk))
        return json_answer(202, STARTED)


def test_a_path_is_streamed_not_loaded(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00" * (8 * 1024 * 1024))
    transport = ChunkRecorder()
    with EigenpalClient(api_key="k", base_url=BASE_URL, transport=transport) as client:
        client.agents.run("a", {"doc": big})
    assert sum(transport.chunk_sizes) > 8 * 1024 * 1024
    assert max(transport.chunk_sizes) <= 1024 * 1024  # never the whole file at once


def test_download_streams_into_a_temp_file_first(
    client: EigenpalClient, api: FakeApi, tmp_path: Path
) -> None:
    target = tmp_path / "out.bin"
    seen_part_files: list[list[str]] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b"x" * 65536
            seen_part_files.append([p.name for p in tmp_path.iterdir()])

    api.queue(
        lambda request: httpx.Response(
            200, stream=ByteChunks(chunks()), headers={"content-type": "application/octet-stream"}
        )
    )
    client.agents.executions.download_file("e", "output", "out.bin", to=target)
    assert target.stat().st_size == 4 * 65536
    assert all(len(names) == 1 and names[0].endswith(".part") for names in seen_part_files)
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


class ByteChunks(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks


def test_transport_and_http_client_are_exclusive() -> None:
    with httpx.Client() as http, pytest.raises(EigenpalConfigError, match="not both"):
        EigenpalClient(api_key="k", transport=httpx.MockTransport(FakeApi()), http_client=http)


def test_no_answer_is_left_in_a_cycle_for_the_collector(
    client: EigenpalClient, api: FakeApi
) -> None:
    # httpx binds an answer and its stream both ways: a cycle only the collector frees
    api.queue(*(json_answer(200, LISTING) for _ in range(5)), envelope(404), json_answer(200, {}))
    with answers_left_in_cycles() as in_cycles:
        for _ in range(5):
            client.agents.list()
        with pytest.raises(EigenpalNotFoundError):
            client.agents.list()
    assert in_cycles == []


@pytest.fixture
def patient(api: FakeApi, sleeps: Sleeps) -> Iterator[EigenpalClient]:
    """A client that waits out a platform for up to 60 s (``patience_seconds``), as plan and
    sync make theirs."""
    with EigenpalClient(
        api_key=API_KEY,
        base_url=BASE_URL,
        patience_seconds=60,
        transport=httpx.MockTransport(api),
        sleep=sleeps.sleep,
        clock=sleeps.clock,
        jitter=lambda: 0.0,
    ) as made:
        yield made


def silent_for(seconds: float, sleeps: Sleeps, failure: Exception) -> Callable[..., httpx.Response]:
    """An answer that comes after ``seconds`` of silence: ``failure`` (a timeout, a drop)."""

    def answer(request: httpx.Request) -> httpx.Response:
        sleeps.now += seconds
        raise failure

    return answer


def test_with_patience_a_rate_limit_is_waited_out_beyond_max_retries(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    limited = envelope(429, "slow down", **{"retry-after": "1"})
    api.queue(*[limited] * 10, json_answer(200, LISTING))
    assert patient.agents.list().total == 0
    assert len(api.requests) == 11
    assert sleeps.pauses == [1.0] * 10


def test_with_patience_a_rate_limit_is_waited_out_for_so_long_only(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(429, "slow down", **{"retry-after": "25"}))
    with pytest.raises(EigenpalRateLimitError) as caught:
        patient.agents.list()
    assert sleeps.pauses == [25.0, 25.0]  # a third wait would pass the 60 s
    assert caught.value.retry_after == 25


def test_with_patience_a_run_waits_out_a_rate_limit_with_one_idempotency_key(
    patient: EigenpalClient, api: FakeApi
) -> None:
    api.queue(*[envelope(429, **{"retry-after": "1"})] * 5, json_answer(202, STARTED))
    assert patient.agents.run("a").execution_id == "exec_1"
    assert len({r.headers["idempotency-key"] for r in api.requests}) == 1


def test_with_patience_other_failures_keep_max_retries(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(envelope(503))
    with pytest.raises(EigenpalServerError):
        patient.agents.list()
    assert len(api.requests) == 4
    assert sleeps.pauses == [0.5, 1.0, 2.0]


def test_with_patience_a_platform_silent_for_so_long_is_not_called_again(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(silent_for(60, sleeps, httpx.ReadTimeout("timed out")))
    with pytest.raises(EigenpalTimeoutError) as caught:
        patient.agents.get("slow-echo")
    assert len(api.requests) == 1
    assert str(caught.value) == (
        f"no answer from {BASE_URL} for 60 s (ReadTimeout); check base_url (or "
        "EIGENPAL_BASE_URL) and that the platform is up (GET /api/v1/agents/slow-echo)"
    )


def test_with_patience_a_platform_silent_for_less_is_called_again(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(silent_for(30, sleeps, httpx.ReadTimeout("timed out")), json_answer(200, LISTING))
    assert patient.agents.list().total == 0
    assert len(api.requests) == 2


def test_with_patience_silence_counts_across_the_attempts_of_a_call(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(silent_for(20, sleeps, httpx.RemoteProtocolError("dropped")))
    with pytest.raises(EigenpalConnectionError, match=r"^no answer from \S+ for 62 s"):
        patient.agents.list()
    # 20 s, a pause of 0.5 s, 20 s, 1 s, 20 s: over 60 s without an answer, one retry early
    assert len(api.requests) == 3


def test_with_patience_a_held_request_is_not_silence(
    patient: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    """The platform holds a run open on purpose (``wait_for_completion``)."""
    api.queue(silent_for(90, sleeps, httpx.ReadTimeout("held")), json_answer(202, STARTED))
    with pytest.raises(EigenpalTimeoutError, match=r"^no answer in time"):
        patient.agents.run("a", wait_for_completion=60)
    assert len(api.requests) == 1  # a run's start is not sent twice, held or not


def test_without_patience_a_silent_platform_is_called_max_retries_times_more(
    client: EigenpalClient, api: FakeApi, sleeps: Sleeps
) -> None:
    api.queue(silent_for(60, sleeps, httpx.ReadTimeout("timed out")))
    with pytest.raises(EigenpalTimeoutError, match=r"^no answer in time \(ReadTimeout\)"):
        client.agents.list()
    assert len(api.requests) == 4
