"""Options: argument over environment over default; clear errors; the key never shown."""

from __future__ import annotations

import pytest

from evalkit.client._config import DEFAULT_BASE_URL, BearerAuth, resolve_options
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
