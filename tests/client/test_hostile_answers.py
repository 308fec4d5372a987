"""A platform that answers badly, over real HTTP on loopback (``hostile.py``): the client raises
a clear ``EigenpalError`` subclass for each answer, never a decoding or validation traceback,
reads no more than its limits, stops answers that come too slowly, and writes nothing but the
file it was asked to write."""

from __future__ import annotations

import gzip
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import (
    AsyncEigenpalClient,
    EigenpalClient,
    EigenpalError,
    EigenpalNotFoundError,
    EigenpalResponseError,
    EigenpalServerError,
    EigenpalTimeoutError,
    EigenpalValidationError,
)
from evalkit.client._config import MAX_ANSWER_BYTES, MAX_DOWNLOAD_BYTES

from .hostile import (
    LOGIN_PAGE,
    Endless,
    Hostile,
    fixed,
    json_answer,
    stall,
    start_hostile,
    trickle,
)

AGENTS = r"^/api/v1/agents$"
EXECUTION = r"^/api/v1/agents/executions/[^/]+$"
DOWNLOADS = r"^/api/v1/agents/executions/"
OCTETS = "application/octet-stream"
DEEP = b"[" * 100_000 + b"]" * 100_000
#: a short read timeout, so that silence is noticed at once
TIMEOUT = 0.5
MiB = 1024 * 1024
#: the longest error message a hostile answer may produce
MAX_MESSAGE = 1500


@pytest.fixture(scope="module")
def served() -> Iterator[Hostile]:
    with start_hostile() as hostile:
        yield hostile


@pytest.fixture
def hostile(served: Hostile) -> Iterator[Hostile]:
    served.script.clear()
    yield served
    served.script.clear()


def client_for(hostile: Hostile, **options: Any) -> EigenpalClient:
    options.setdefault("timeout_seconds", TIMEOUT)
    return EigenpalClient(
        api_key=hostile.api_key, base_url=hostile.base_url, max_retries=0, **options
    )


def raised(hostile: Hostile, **options: Any) -> EigenpalError:
    """The error of ``agents.list`` against the scripted platform."""
    with client_for(hostile, **options) as client, pytest.raises(EigenpalError) as caught:
        client.agents.list()
    err = caught.value
    assert (err.method, err.path) == ("GET", "/api/v1/agents")
    assert len(str(err)) < MAX_MESSAGE, str(err)
    return err


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (fixed(200, LOGIN_PAGE, "text/html; charset=utf-8"), "not JSON (text/html"),
        (fixed(200, LOGIN_PAGE, ""), "looks like an HTML page"),
        (fixed(200, b"{}", "text/plain"), "not JSON (text/plain)"),
    ],
    ids=["login-page", "login-page-untyped", "text-plain"],
)
def test_a_web_page_instead_of_the_api_says_check_base_url(
    hostile: Hostile, answer: Any, said: str
) -> None:
    hostile.script.answer("GET", AGENTS, answer)
    err = raised(hostile)
    assert isinstance(err, EigenpalResponseError)
    assert err.status == 200
    assert said in str(err)
    assert "base_url" in str(err)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"data": [', "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b'{"a": "\xc3"}', "not valid JSON (it is not UTF-8 text)"),
        (DEEP, "nested too deeply"),
        (b'{"n": ' + b"7" * 5000 + b"}", "Exceeds the limit (4300 digits)"),
    ],
    ids=["truncated", "empty", "binary", "not-utf-8", "deeply-nested", "huge-integer"],
)
def test_broken_json_is_a_response_error(hostile: Hostile, body: bytes, said: str) -> None:
    hostile.script.answer("GET", AGENTS, fixed(200, body, x_request_id="req_hostile"))
    err = raised(hostile)
    assert isinstance(err, EigenpalResponseError)
    assert said in str(err)
    assert err.request_id == "req_hostile"
    assert "request id req_hostile" in str(err)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (None, "<root>"),
        ([], "<root>"),
        ({"total": 0, "limit": 1, "offset": 0}, "data: Field required"),
        ({"data": "nope", "total": 0, "limit": 1, "offset": 0}, "data: Input should be a valid"),
        ({"data": [None], "total": 1, "limit": 1, "offset": 0}, "data.0:"),
        ({"data": [{"id": 5}], "total": 1, "limit": 1, "offset": 0}, "data.0.id:"),
        ({"data": [], "total": "many", "limit": 1, "offset": 0}, "total:"),
        ({"data": [], "total": {"k" * 10_000: 1}, "limit": 1, "offset": 0}, "total:"),
    ],
    ids=["null", "list", "missing", "wrong-type", "null-item", "item-types", "str-int", "10k-key"],
)
def test_json_of_the_wrong_shape_names_the_field(hostile: Hostile, value: Any, said: str) -> None:
    hostile.script.answer("GET", AGENTS, json_answer(200, value))
    err = raised(hostile)
    assert isinstance(err, EigenpalResponseError)
    assert "does not have the API's shape" in str(err)
    assert said in str(err)


def test_null_where_an_object_is_expected(hostile: Hostile) -> None:
    hostile.script.answer("GET", EXECUTION, json_answer(200, {"execution": None}))
    hostile.script.answer("POST", r"/run$", json_answer(200, None))
    with client_for(hostile) as client:
        with pytest.raises(EigenpalResponseError, match="execution: "):
            client.agents.executions.get("exec_1")
        with pytest.raises(EigenpalResponseError, match="<root>: "):
            client.agents.run("agent", {})


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (fixed(400, DEEP), EigenpalError),
        (fixed(404, LOGIN_PAGE, "text/html"), EigenpalError),
        (Endless(status=500), EigenpalServerError),
        (Endless(status=400, head=b'{"issues": [', chunk=b'{"message": "x"}, ' * 1000), None),
    ],
    ids=["deep-400", "html-404", "endless-500", "endless-400"],
)
def test_error_answers_that_are_not_envelopes(
    hostile: Hostile, answer: Any, kind: type[EigenpalError] | None
) -> None:
    hostile.script.answer("GET", AGENTS, answer)
    err = raised(hostile)
    if kind is not None:
        assert type(err) is kind
    if isinstance(answer, Endless):
        assert answer.sent < 64 * MiB, "the client read a whole endless error body"


def test_the_platform_text_in_an_error_is_clipped(hostile: Hostile) -> None:
    issue = {"field": "f" * 10_000, "message": "\x1b[2J gone " + "y" * 10_000, "code": "x"}
    envelope = {"issues": [issue], "hint": "h" * 10_000, "requestId": "r" * 10_000}
    hostile.script.answer("GET", AGENTS, json_answer(404, envelope))
    err = raised(hostile)
    assert isinstance(err, EigenpalNotFoundError)
    assert "gone yyy" in str(err)
    hostile.script.clear()
    hostile.script.answer("GET", AGENTS, json_answer(400, envelope))
    err = raised(hostile)
    assert isinstance(err, EigenpalValidationError)
    assert err.issues == [issue], "the envelope itself is kept whole for callers"


def test_an_endless_json_answer_is_cut_at_the_limit(hostile: Hostile) -> None:
    endless = Endless()
    hostile.script.answer("GET", AGENTS, endless)
    err = raised(hostile, max_answer_bytes=MiB)
    assert isinstance(err, EigenpalResponseError)
    assert "larger than 1 MiB" in str(err)
    assert "max_answer_bytes" in str(err)
    assert endless.sent < 64 * MiB, f"the client read {endless.sent} bytes"


def test_a_declared_huge_answer_is_refused_before_reading(hostile: Hostile) -> None:
    endless = Endless(length=200 * MiB)
    hostile.script.answer("GET", AGENTS, endless)
    err = raised(hostile)
    assert isinstance(err, EigenpalResponseError)
    assert "larger than 128 MiB" in str(err)
    assert endless.sent < 64 * MiB


def test_a_compressed_answer_is_limited_by_its_decoded_size(hostile: Hostile) -> None:
    bomb = gzip.compress(b" " * 64 * MiB, compresslevel=1)  # 64 MiB in 0.3 MiB
    hostile.script.answer("GET", AGENTS, fixed(200, bomb, content_encoding="gzip"))
    err = raised(hostile, max_answer_bytes=MiB)
    assert isinstance(err, EigenpalResponseError)
    assert "larger than 1 MiB" in str(err)


def test_the_limits_are_documented_defaults() -> None:
    for cls in (EigenpalClient, AsyncEigenpalClient):
        options = inspect.signature(cls).parameters
        assert options["max_answer_bytes"].default == 128 * MiB == MAX_ANSWER_BYTES
        assert options["max_download_bytes"].default == 1024 * MiB == MAX_DOWNLOAD_BYTES
    with pytest.raises(ValueError, match="max_answer_bytes"):
        EigenpalClient(api_key="k", max_answer_bytes=0)


def test_headers_then_silence_is_a_timeout(hostile: Hostile) -> None:
    hostile.script.answer("GET", AGENTS, stall())
    assert isinstance(raised(hostile), EigenpalTimeoutError)


def test_an_answer_that_trickles_is_a_timeout(hostile: Hostile) -> None:
    slow = trickle()
    hostile.script.answer("GET", AGENTS, slow)
    err = raised(hostile)
    assert isinstance(err, EigenpalTimeoutError)
    assert "too slowly" in str(err)


@pytest.mark.anyio
async def test_the_async_client_has_the_same_limits(hostile: Hostile) -> None:
    endless = Endless()
    hostile.script.answer("GET", AGENTS, endless)
    hostile.script.answer("GET", EXECUTION, trickle())
    async with AsyncEigenpalClient(
        api_key=hostile.api_key,
        base_url=hostile.base_url,
        timeout_seconds=TIMEOUT,
        max_retries=0,
        max_answer_bytes=MiB,
    ) as client:
        with pytest.raises(EigenpalResponseError, match="larger than 1 MiB"):
            await client.agents.list()
        with pytest.raises(EigenpalTimeoutError, match="too slowly"):
            await client.agents.executions.get("exec_1")
    assert endless.sent < 64 * MiB


# -- downloads ---------------------------------------------------------------------------------


def download(hostile: Hostile, to: Path | None, name: str = "out.bin", **options: Any) -> Any:
    with client_for(hostile, **options) as client:
        return client.agents.executions.download_file("exec_1", "output", name, to=to)


@pytest.mark.parametrize(
    ("answer", "kind", "said"),
    [
        (fixed(200, LOGIN_PAGE, "text/html"), EigenpalResponseError, "text/html"),
        (Endless(OCTETS), EigenpalResponseError, "larger than 1 MiB"),
        (Endless(OCTETS, length=2 * MiB), EigenpalResponseError, "larger than 1 MiB"),
        (trickle(OCTETS), EigenpalTimeoutError, "too slowly"),
        (stall(OCTETS), EigenpalTimeoutError, "no answer in time"),
    ],
    ids=["login-page", "endless", "declared-huge", "trickle", "stall"],
)
def test_a_bad_download_writes_nothing(
    hostile: Hostile, tmp_path: Path, answer: Any, kind: type[EigenpalError], said: str
) -> None:
    hostile.script.answer("GET", DOWNLOADS, answer)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kept.bin").write_bytes(b"old")
    with pytest.raises(kind, match=said):
        download(hostile, tmp_path / "out" / "kept.bin", max_download_bytes=MiB)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["kept.bin"]
    assert (tmp_path / "out" / "kept.bin").read_bytes() == b"old"
    if isinstance(answer, Endless) and answer.status == 200:
        assert answer.sent < 64 * MiB


def test_a_download_into_memory_is_capped_like_an_answer(hostile: Hostile) -> None:
    hostile.script.answer("GET", DOWNLOADS, Endless(OCTETS))
    with pytest.raises(EigenpalResponseError, match=r"larger than 1 MiB.*max_answer_bytes"):
        download(hostile, None, max_answer_bytes=MiB)


HOSTILE_NAMES = ["../../x", "/etc/passwd", "..", ".", "a\x00b", "a/../../b", "%2e%2e", "n" * 255]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_a_file_name_never_chooses_the_route_or_the_path(
    hostile: Hostile, tmp_path: Path, name: str
) -> None:
    hostile.script.answer("GET", DOWNLOADS, fixed(200, b"content", OCTETS))
    target = tmp_path / "run" / "files" / "file.bin"
    assert download(hostile, target, name) == target
    ((_, raw),) = hostile.script.hits
    prefix = "/api/v1/agents/executions/exec_1/files/output/"
    assert raw.startswith(prefix), raw
    assert "/" not in raw[len(prefix) :], "the name travelled as more than one segment"
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["run/files/file.bin"]


def test_a_long_target_name_downloads(hostile: Hostile, tmp_path: Path) -> None:
    hostile.script.answer("GET", DOWNLOADS, fixed(200, b"content", OCTETS))
    target = tmp_path / ("n" * 255)
    assert download(hostile, target).read_bytes() == b"content"


# -- lists -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_result_files_parse_within_the_limit(hostile: Hostile) -> None:
    files = [{"name": f"f{i:07d}", "size": 1} for i in range(1_000_000)]
    execution = {"id": "exec_1", "status": "completed", "createdAt": "t", "resultFiles": files}
    hostile.script.answer("GET", EXECUTION, json_answer(200, {"execution": execution}))
    with client_for(hostile, timeout_seconds=60) as client:
        got = client.agents.executions.get("exec_1", include="files").execution
    assert len(got.result_files or []) == 1_000_000


def test_a_list_that_ignores_offset_stops(hostile: Hostile) -> None:
    agents = [{"id": f"a{i}", "slug": f"s{i}", "name": "n", "createdAt": "t"} for i in range(2)]
    page = {"data": agents, "total": 10**9, "limit": 2, "offset": 0}
    hostile.script.answer("GET", AGENTS, json_answer(200, page))
    with client_for(hostile) as client, pytest.raises(EigenpalResponseError, match="offset"):
        for _ in client.agents.iter_list(page_size=2):
            pass
    assert len(hostile.script.hits) == 3


def test_the_platform_keeps_serving(hostile: Hostile) -> None:
    """After every hostile answer above, the same server answers the next request well."""
    with client_for(hostile, timeout_seconds=10) as client:
        assert client.agents.list().total >= 0
