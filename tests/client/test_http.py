"""The executors' shared rules, tested without a client."""

from __future__ import annotations

import json
import ssl
from contextlib import ExitStack

import httpx
import pytest

from evalkit.api import ExecutionEnvelope, ListAgentsResponse
from evalkit.client import _http
from evalkit.client._config import USER_AGENT, ClientOptions, resolve_options
from evalkit.client._request import ApiRequest, model, raw
from evalkit.client.errors import (
    EigenpalConfigError,
    EigenpalRateLimitError,
    EigenpalResponseError,
    EigenpalServerError,
    EigenpalTimeoutError,
)
from evalkit.client.retry import Failure, RetryPolicy

REQ: ApiRequest[ListAgentsResponse] = ApiRequest("GET", "/api/v1/agents", model(ListAgentsResponse))
OPTIONS = resolve_options(
    api_key="k", base_url="http://x", timeout_seconds=7, verify_ssl=True, max_retries=3, environ={}
)


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (httpx.ConnectError("x"), Failure.CONNECT),
        (httpx.ConnectTimeout("x"), Failure.CONNECT),
        (httpx.ReadTimeout("x"), Failure.READ_TIMEOUT),
        (httpx.WriteTimeout("x"), Failure.READ_TIMEOUT),
        (httpx.PoolTimeout("x"), Failure.CONNECT),
        (httpx.RemoteProtocolError("x"), Failure.DROPPED),
        (httpx.ReadError("x"), Failure.DROPPED),
    ],
)
def test_transport_failures_are_classified(exc: httpx.TransportError, failure: Failure) -> None:
    assert _http.classify(exc) is failure


def test_idempotency_key_only_for_posts() -> None:
    post = ApiRequest("POST", "/p", raw)
    first, second = _http.Attempt.start(post), _http.Attempt.start(post)
    assert first.idempotency_key
    assert second.idempotency_key
    assert first.idempotency_key != second.idempotency_key
    assert _http.Attempt.start(REQ).idempotency_key is None


def test_build_request() -> None:
    req = ApiRequest(
        "POST",
        "/api/v1/x",
        raw,
        params={"a": "1"},
        json={"a": None},
        has_json=True,
        hold_seconds=100,
    )
    attempt = _http.Attempt.start(req)
    with httpx.Client() as client, ExitStack() as stack:
        request = _http.build_request(client, attempt, OPTIONS, stack)
    assert str(request.url) == "http://x/api/v1/x?a=1"
    assert request.content == b'{"a":null}'
    assert request.headers["idempotency-key"] == attempt.idempotency_key
    assert request.extensions["timeout"] == {"connect": 7, "read": 130, "write": 7, "pool": 7}
    assert "authorization" not in request.headers  # added by the auth flow, at send time


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/agents/a%20b", {"include": "files", "a b": "c&d/é", "empty": ""}),
        ("/api/v1/agents", {}),
    ],
)
def test_the_address_is_what_httpx_makes_of_the_path_and_params(
    path: str, params: dict[str, str]
) -> None:
    """The URL is parsed once, its query with it; it reads as httpx's own joining would."""
    attempt = _http.Attempt.start(ApiRequest("GET", path, raw, params=params))
    for client_params in ({}, {"kept": "1"}):  # an HTTP client given with params keeps them
        with httpx.Client(params=client_params) as client, ExitStack() as stack:
            request = _http.build_request(client, attempt, OPTIONS, stack)
            joined = client.build_request("GET", "http://x" + path, params=params)
        assert request.url == joined.url


@pytest.mark.parametrize(
    "client_options",
    [
        {},
        {"headers": {"user-agent": "theirs", "X-Team": "a", "Idempotency-Key": "k", "Accept": "*"}},
        {"cookies": {"session": "s"}},
        {"params": {"kept": "1"}},
    ],
)
@pytest.mark.parametrize(
    "req",
    [
        ApiRequest("POST", "/api/v1/x", raw, params={"a": "1"}, json={"b": [1]}, has_json=True),
        ApiRequest("GET", "/api/v1/x%2Fy", raw, params={"include": "files"}),
        ApiRequest("PUT", "/api/v1/z", raw, json=None, has_json=True),
        ApiRequest("GET", "/api/v1/file", raw, expect="bytes"),
    ],
)
def test_the_request_is_the_one_httpx_s_client_builds(
    client_options: dict[str, dict[str, str]], req: ApiRequest[object]
) -> None:
    """Built without ``client.build_request`` when there is nothing of the client's to merge
    but its headers: the same request, byte for byte (the client's headers first, those
    evalkit sets again replaced)."""
    attempt = _http.Attempt.start(req)
    headers = {"User-Agent": USER_AGENT}
    if req.expect == "json":
        headers["Accept"] = "application/json"
    if attempt.idempotency_key:
        headers["Idempotency-Key"] = attempt.idempotency_key
    with httpx.Client(**client_options) as client, ExitStack() as stack:  # type: ignore[arg-type]
        request = _http.build_request(client, attempt, OPTIONS, stack)
        expected = client.build_request(
            req.method,
            OPTIONS.base_url + req.path,
            params=req.params,
            headers=headers,
            timeout=httpx.Timeout(7.0),
            **({"json": req.json} if req.has_json else {}),
        )
    assert (request.method, request.url) == (expected.method, expected.url)
    assert request.headers.raw == expected.headers.raw
    assert request.read() == expected.read()
    assert request.extensions == expected.extensions


def test_error_from_response_reads_envelope_and_retry_after() -> None:
    response = httpx.Response(
        429,
        json={"issues": [{"field": "<root>", "message": "slow", "code": "rate_limited"}]},
        headers={"retry-after": "2.2", "x-request-id": "req_1"},
    )
    err = _http.error_from_response(REQ, response, response.content)
    assert isinstance(err, EigenpalRateLimitError)
    assert (err.retry_after, err.request_id) == (3, "req_1")


def test_server_error_without_envelope_is_still_a_server_error() -> None:
    response = httpx.Response(
        502, text="<html>bad gateway</html>", headers={"content-type": "text/html"}
    )
    assert isinstance(
        _http.error_from_response(REQ, response, response.content), EigenpalServerError
    )


def test_finish_validates_the_answer() -> None:
    good = httpx.Response(200, json={"data": [], "total": 0, "limit": 1, "offset": 0})
    assert _http.finish(REQ, good, good.content).total == 0
    no_type = httpx.Response(200, content=b'{"data": [], "total": 0, "limit": 1, "offset": 0}')
    _http.check_answer_type(REQ, no_type)  # a proxy may drop the content type
    assert _http.finish(REQ, no_type, no_type.content).limit == 1
    bad = httpx.Response(200, json={"total": 0})
    with pytest.raises(EigenpalResponseError, match="API's shape: data: Field required"):
        _http.finish(REQ, bad, bad.content)


EXECUTION = {
    "execution": {
        "id": "e1",
        "agentId": "a1",
        "status": "completed",
        "createdAt": "2026-12-05T02:41:59.000Z",
        "output": {"total": 1e400, "big": 123456789012345678901234567890, "lines": [{"a": 0.1}]},
        "_metadata": {"batchId": "b", "attempt": "b.1"},
        "surprise": {"kept": True},
    }
}


def test_an_answer_is_read_once_from_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    req = ApiRequest("GET", "/api/v1/agents/executions/e1", model(ExecutionEnvelope))
    body = json.dumps(EXECUTION).encode()
    expected = ExecutionEnvelope.model_validate(json.loads(body))

    def no_second_reading(_: object) -> None:
        raise AssertionError("the answer was decoded apart from its validation")

    monkeypatch.setattr(json, "loads", no_second_reading)
    got = _http.finish(req, httpx.Response(200, content=body), body)
    assert got == expected
    assert got.execution.model_extra == expected.execution.model_extra


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + json.dumps(EXECUTION).encode(),  # a byte order mark
        json.dumps(EXECUTION).encode("utf-16"),
        json.dumps(EXECUTION).replace('"b.1"', '"\\ud800"').encode(),  # a lone surrogate
    ],
)
def test_an_answer_only_json_reads_is_read_as_before(body: bytes) -> None:
    """What pydantic's reader refuses goes the long way: the same result as ever."""
    req = ApiRequest("GET", "/api/v1/agents/executions/e1", model(ExecutionEnvelope))
    got = _http.finish(req, httpx.Response(200, content=body), body)
    assert got == ExecutionEnvelope.model_validate(json.loads(body))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def answer(**headers: str) -> httpx.Response:
    return httpx.Response(200, headers=headers, request=httpx.Request("GET", "http://x/a"))


def test_intake_raises_past_the_limit_of_an_answer() -> None:
    options = resolve_options(
        api_key="k", base_url="http://x", timeout_seconds=7, verify_ssl=True, max_retries=0,
        max_answer_bytes=10, environ={},
    )  # fmt: skip
    intake = _http.Intake.answer(REQ, answer(), options, Clock())
    assert intake.begin()
    assert intake.accept(b"x" * 10)
    with pytest.raises(EigenpalResponseError, match=r"larger than 10 bytes .*max_answer_bytes"):
        intake.accept(b"x")
    announced = _http.Intake.answer(REQ, answer(**{"content-length": "11"}), options, Clock())
    with pytest.raises(EigenpalResponseError, match="announces 11 bytes"):
        announced.begin()


def test_intake_of_an_error_body_stops_quietly() -> None:
    big = str(_http.MAX_ERROR_BODY_BYTES + 1)
    assert not _http.Intake.error_body(
        REQ, answer(**{"content-length": big}), OPTIONS, Clock()
    ).begin()
    intake = _http.Intake.error_body(REQ, answer(), OPTIONS, Clock())
    assert intake.begin()
    assert intake.accept(b"x" * _http.MAX_ERROR_BODY_BYTES)
    assert not intake.accept(b"x")


def test_intake_of_an_answer_has_a_deadline_after_the_headers() -> None:
    clock = Clock()
    intake = _http.Intake.answer(REQ, answer(), OPTIONS, clock)
    intake.begin()
    clock.now += 7
    assert intake.accept(b"x")
    clock.now += 0.5
    with pytest.raises(_http.AnswerTooSlow, match="not whole 7 s after its headers"):
        intake.accept(b"x")


def test_intake_of_a_download_needs_a_minimum_rate() -> None:
    clock = Clock()
    intake = _http.Intake.download(REQ, answer(), OPTIONS, clock)
    intake.begin()
    for _ in range(100):  # 7 KiB every 7 s goes on for ever: a slow but moving download
        clock.now += 7
        assert intake.accept(b"x" * 7 * 1024)
    clock.now += 7
    with pytest.raises(_http.AnswerTooSlow, match="download came too slowly"):
        intake.accept(b"x" * 7000)


def test_a_slow_answer_is_a_timeout_error() -> None:
    err = _http.transport_error(REQ, _http.AnswerTooSlow("the answer came too slowly: x"))
    assert isinstance(err, EigenpalTimeoutError)
    assert str(err) == "the answer came too slowly: x (GET /api/v1/agents)"


def test_retry_delay_for_a_response() -> None:
    attempt = _http.Attempt.start(ApiRequest("POST", "/p", raw, retry=RetryPolicy.STARTS_WORK))
    answer = httpx.Response(503, headers={"retry-after": "4"})
    assert (
        _http.retry_delay(attempt, Failure.STATUS, OPTIONS, jitter=lambda: 0, response=answer) == 4
    )
    assert attempt.retries == 1
    answer = httpx.Response(500)
    assert (
        _http.retry_delay(attempt, Failure.STATUS, OPTIONS, jitter=lambda: 0, response=answer)
        is None
    )
    assert attempt.retries == 1


def _options(base_url: str, *, verify_ssl: bool = True) -> ClientOptions:
    return resolve_options(
        api_key="k",
        base_url=base_url,
        timeout_seconds=7,
        verify_ssl=verify_ssl,
        max_retries=3,
        environ={},
    )


def test_clients_of_an_https_platform_share_one_verifying_tls_context() -> None:
    """Loading the CA bundle takes tens of milliseconds: a run's many clients load it once."""
    shared = _http.verification(_options("https://x"))
    assert isinstance(shared, ssl.SSLContext)
    assert shared is _http.verification(_options("https://y"))
    assert shared.verify_mode is ssl.CERT_REQUIRED
    assert shared.check_hostname
    assert shared.cert_store_stats()["x509_ca"] > 0
    assert _http.verification(_options("https://x", verify_ssl=False)) is False


def test_clients_of_a_plain_http_platform_load_no_ca_and_trust_no_certificate() -> None:
    """They open no TLS connection; one opened anyway would be refused, not trusted."""
    context = _http.verification(_options("http://127.0.0.1:8000"))
    assert isinstance(context, ssl.SSLContext)
    assert context is not _http.tls_context("https://x")
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    assert _http.verification(_options("http://x", verify_ssl=False)) is False


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def proxies(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variable set but those a test sets."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("REQUEST_METHOD", raising=False)  # (urllib's CGI rule)
    return monkeypatch


def test_a_remote_platform_is_reached_through_the_proxy_of_its_scheme(
    proxies: pytest.MonkeyPatch,
) -> None:
    proxies.setenv("HTTPS_PROXY", "http://secure-proxy:3128")
    proxies.setenv("HTTP_PROXY", "http://plain-proxy:3128")
    assert _http.proxy_for("https://api.eigenpal.com") == "http://secure-proxy:3128"
    assert _http.proxy_for("http://eigenpal.internal:8080/") == "http://plain-proxy:3128"
    proxies.delenv("HTTPS_PROXY")
    proxies.setenv("ALL_PROXY", "http://any-proxy:3128")
    assert _http.proxy_for("https://api.eigenpal.com") == "http://any-proxy:3128"


def test_no_proxy_and_loopback_addresses_are_reached_directly(proxies: pytest.MonkeyPatch) -> None:
    proxies.setenv("HTTPS_PROXY", "http://secure-proxy:3128")
    proxies.setenv("HTTP_PROXY", "http://plain-proxy:3128")
    proxies.setenv("NO_PROXY", ".corp.example")
    assert _http.proxy_for("https://eigenpal.corp.example") is None
    # the local platform is on this machine: no proxy can reach it
    for local in (
        "http://127.0.0.1:8000",
        "http://127.9.9.9",
        "http://[::1]:80",
        "http://localhost:1",
    ):
        assert _http.proxy_for(local) is None, local


def test_with_no_proxy_set_every_platform_is_reached_directly(proxies: pytest.MonkeyPatch) -> None:
    assert _http.proxy_for("https://api.eigenpal.com") is None


@pytest.mark.parametrize(
    ("variable", "proxy", "problem"),
    [
        ("ALL_PROXY", "socks4://me:pw_of_the_proxy@gate:1080", "socks5"),
        ("all_proxy", "socks://me:pw_of_the_proxy@gate:1080/", "socks5"),
        ("HTTP_PROXY", "gate.corp.example:3128", "http://"),
        ("HTTP_PROXY", "http://me:pw_of_the_proxy@gate:abc", "port"),
        ("http_proxy", "http://me:pw_of_the_proxy@:3128", "no host"),
    ],
)
def test_a_proxy_the_client_cannot_use_is_refused_by_its_variable_and_never_echoed(
    proxies: pytest.MonkeyPatch, variable: str, proxy: str, problem: str
) -> None:
    """Refused before a request with the variable's name and the proxy's URL without its
    login (httpx raised a ValueError or InvalidURL, quoting the user name)."""
    proxies.setenv(variable, proxy)
    with pytest.raises(EigenpalConfigError) as caught:
        _http.proxy_for("http://eigenpal.example")
    message = str(caught.value)
    assert message.startswith(f"{variable} ")
    assert problem in message
    assert "pw_of_the_proxy" not in message
    assert "me:" not in message


@pytest.mark.parametrize(
    "proxy", ["socks5://me:pw@gate:1080", "socks5h://gate:1080", "https://gate:3128"]
)
def test_every_proxy_httpx_speaks_is_used(proxies: pytest.MonkeyPatch, proxy: str) -> None:
    proxies.setenv("ALL_PROXY", proxy)
    assert _http.proxy_for("https://api.eigenpal.com") == proxy
    httpx.HTTPTransport(proxy=proxy).close()  # socksio is a dependency: SOCKS works
