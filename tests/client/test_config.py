"""Options: argument over environment over default; clear errors; the key never shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.client._config import (
    DEFAULT_BASE_URL,
    BearerAuth,
    check_base_url,
    resolve_options,
)
from evalkit.client.errors import EigenpalConfigError

from .conftest import API_KEY


def resolve(environ: dict[str, str], **given: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "api_key": None,
        "base_url": None,
        "timeout_seconds": 60.0,
        "verify_ssl": True,
        "max_retries": 3,
    }
    options.update(given)
    return resolve_options(environ=environ, **options)  # type: ignore[arg-type]


def test_defaults() -> None:
    options = resolve({"EIGENPAL_API_KEY": API_KEY})
    assert options.base_url == DEFAULT_BASE_URL == "https://app.eigenpal.com"
    assert (options.timeout_seconds, options.verify_ssl, options.max_retries) == (60.0, True, 3)
    assert (options.max_answer_bytes, options.max_download_bytes) == (128 * 2**20, 2**30)
    assert options.patience_seconds == 0  # max_retries alone decides, as the runner wants


def test_argument_wins_over_environment() -> None:
    env = {"EIGENPAL_API_KEY": "eg_env", "EIGENPAL_BASE_URL": "https://env.example"}
    options = resolve(env, base_url="http://127.0.0.1:9/", api_key="eg_arg")
    assert options.base_url == "http://127.0.0.1:9"
    assert resolve(env).base_url == "https://env.example"


def test_missing_key_names_both_ways_to_give_one() -> None:
    with pytest.raises(EigenpalConfigError) as caught:
        resolve({})
    message = str(caught.value)
    assert "api_key=" in message
    assert "EIGENPAL_API_KEY" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"base_url": "app.eigenpal.com"}, "must start with http"),
        ({"base_url": "https://app.eigenpal.com/api/v1"}, "without /api/v1"),
        ({"timeout_seconds": 0}, "timeout_seconds must be more than 0"),
        ({"max_retries": -1}, "max_retries must be 0 or more"),
        ({"max_answer_bytes": 0}, "max_answer_bytes must be 1 or more"),
        ({"max_download_bytes": -5}, "max_download_bytes must be 1 or more"),
        ({"patience_seconds": -1}, "patience_seconds must be 0 or more"),
    ],
)
def test_bad_options_are_explained(given: dict[str, object], match: str) -> None:
    with pytest.raises(EigenpalConfigError, match=match):
        resolve({"EIGENPAL_API_KEY": "k"}, **given)


def test_key_is_hidden_from_reprs() -> None:
    options = resolve({}, api_key=API_KEY)
    assert API_KEY not in repr(options)
    assert API_KEY not in repr(options.auth)
    assert API_KEY not in str(vars(options.auth))
    assert "***" in repr(options)


def test_bearer_auth_sets_the_header() -> None:
    import httpx

    request = httpx.Request("GET", "http://x")
    flow = BearerAuth("eg_k").auth_flow(request)
    assert next(flow).headers["authorization"] == "Bearer eg_k"


@pytest.mark.parametrize(
    "url",
    [
        "http://user:eg_pasted_key@127.0.0.1:8000",
        "https://eg_pasted_key@app.example",
        "ftp://user:eg_pasted_key@host",  # refused for its scheme, echoed redacted
        "http://user:eg_pasted_key@host/api/v1",
    ],
)
def test_a_key_inside_the_base_url_is_refused_and_never_echoed(url: str) -> None:
    with pytest.raises(EigenpalConfigError) as caught:
        resolve_options(
            api_key="k", base_url=url, timeout_seconds=1, verify_ssl=True, max_retries=0
        )
    assert "eg_pasted_key" not in str(caught.value)
    assert "***@" in str(caught.value)


@pytest.mark.parametrize(
    "key", ["eg_secret_key\n", "eg_secret\r\nX-Injected: 1", " eg_secret_key", "eg_sécret_key"]
)
@pytest.mark.parametrize("given_as", ["argument", "environment"])
def test_a_key_http_cannot_carry_is_refused_and_never_echoed(key: str, given_as: str) -> None:
    argument = {"api_key": key} if given_as == "argument" else {}
    environment = {} if argument else {"EIGENPAL_API_KEY": key}
    with pytest.raises(EigenpalConfigError) as caught:
        resolve(environment, **argument)
    message = str(caught.value)
    assert "secret" not in message
    assert "sécret" not in message
    assert "EIGENPAL_API_KEY" in message
    assert "--api-key" in message


SECRET = "SECRETQ_in_the_url"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:abc", "port"),
        ("http://127.0.0.1:99999", "port"),
        ("http://127.0.0.1:0", "port"),
        ("http://127.0.0.1:-1", "port"),
        ("http://[::1", "not a URL"),
        ("http:///api", "no host"),
        ("http://:8080", "no host"),
        ("http://exa mple.com", "space or a control character"),
        ("http://example.com/a\tb", "space or a control character"),
        (f"http://127.0.0.1:8801/?token={SECRET}", "query"),
        (f"http://127.0.0.1:8801#{SECRET}", "query"),
        ("http://127.0.0.1:8801?", "query"),
    ],
)
@pytest.mark.parametrize("given_as", ["argument", "environment"])
def test_a_base_url_the_client_cannot_use_is_refused_when_the_client_is_made(
    url: str, problem: str, given_as: str
) -> None:
    """Refused by name of where it came from, the query never echoed (it failed later, with a
    bare httpx.InvalidURL, a connection error or a 404)."""
    argument = {"base_url": url} if given_as == "argument" else {}
    environment = {"EIGENPAL_API_KEY": "k"} | ({} if argument else {"EIGENPAL_BASE_URL": url})
    with pytest.raises(EigenpalConfigError) as caught:
        resolve(environment, **argument)
    message = str(caught.value)
    assert problem in message
    assert message.startswith("base_url " if argument else "EIGENPAL_BASE_URL ")
    assert SECRET not in message


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTP://127.0.0.1:9", "http://127.0.0.1:9"),
        ("Https://App.Example/", "https://App.Example"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://app.example/eigenpal", "https://app.example/eigenpal"),
    ],
)
def test_a_usable_base_url_is_normalised(url: str, normalised: str) -> None:
    """Schemes are case-insensitive: an upper-case one is accepted, and written lower-case."""
    assert resolve({"EIGENPAL_API_KEY": "k"}, base_url=url).base_url == normalised


def test_the_client_refuses_a_bad_base_url_from_the_environment_when_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from evalkit.client import AsyncEigenpalClient, EigenpalClient

    monkeypatch.setenv("EIGENPAL_API_KEY", "k")
    monkeypatch.setenv("EIGENPAL_BASE_URL", "http://127.0.0.1:abc")
    for client in (EigenpalClient, AsyncEigenpalClient):
        with pytest.raises(EigenpalConfigError, match="EIGENPAL_BASE_URL has a port"):
            client()


_URL_TEXT = st.text(alphabet="aZ0.:/-_[]@?#% \n\tü", max_size=12)


@given(
    scheme=st.sampled_from(["http://", "HTTPS://", "ftp://", ""]),
    host=_URL_TEXT,
    port=st.one_of(st.just(""), st.integers(-2, 70000).map(lambda port: f":{port}"), _URL_TEXT),
    path=_URL_TEXT,
)
def test_every_base_url_the_check_accepts_makes_requests_httpx_sends(
    scheme: str, host: str, port: str, path: str
) -> None:
    """The one place base URLs are checked: whatever it lets through, httpx can request."""
    import httpx

    try:
        url = check_base_url(scheme + host + port + path)
    except EigenpalConfigError:
        return
    request = httpx.Request("GET", url + "/api/v1/agents")
    assert request.url.path.endswith("/api/v1/agents")
    assert not request.url.query
    assert 0 < (request.url.port or 80) < 65536
