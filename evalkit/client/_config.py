"""Client options: arguments win over the environment; the API key is kept out of sight."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from evalkit._version import __version__
from evalkit.api.keys import api_key_problem
from evalkit.api.urls import has_credentials, has_query_or_fragment, redact_url
from evalkit.client.errors import EigenpalConfigError
from evalkit.client.retry import DEFAULT_MAX_RETRIES

DEFAULT_BASE_URL = "https://app.eigenpal.com"
DEFAULT_TIMEOUT_SECONDS = 60.0
#: the largest answer the client reads into memory (JSON, or a download without ``to=``):
#: twice the largest output the local platform keeps, and a bound on what a hostile answer
#: costs (parsed JSON takes up to ~15 times its size in memory)
MAX_ANSWER_BYTES = 128 * 1024 * 1024
#: the largest file a download with ``to=`` writes to disk
MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024
API_KEY_ENV = "EIGENPAL_API_KEY"
BASE_URL_ENV = "EIGENPAL_BASE_URL"
USER_AGENT = f"evalkit/{__version__}"


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer <key>`` to each request.

    The key lives only here, in a slot that ``repr`` and traceback locals never show: the
    client holds this object, not the string.
    """

    __slots__ = ("__key",)

    def __init__(self, key: str) -> None:
        self.__key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = "Bearer " + self.__key
        yield request

    def __repr__(self) -> str:
        return "BearerAuth('***')"


@dataclass(frozen=True, repr=False)
class ClientOptions:
    """Everything resolved from arguments and environment, key excepted (see ``auth``)."""

    base_url: str
    timeout_seconds: float
    verify_ssl: bool
    max_retries: int
    auth: BearerAuth
    max_answer_bytes: int = MAX_ANSWER_BYTES
    max_download_bytes: int = MAX_DOWNLOAD_BYTES
    #: how long a call waits out a platform that does not serve it: 429 answers are waited
    #: out for up to this long in all, and a request without an answer is not tried again
    #: once the platform has answered nothing for this long; 0: ``max_retries`` alone decides
    patience_seconds: float = 0.0

    def __repr__(self) -> str:
        return (
            f"ClientOptions(base_url={self.base_url!r}, timeout_seconds={self.timeout_seconds}, "
            f"verify_ssl={self.verify_ssl}, max_retries={self.max_retries}, "
            f"max_answer_bytes={self.max_answer_bytes}, "
            f"max_download_bytes={self.max_download_bytes}, "
            f"patience_seconds={self.patience_seconds}, api_key='***')"
        )


def check_base_url(url: str, *, source: str = "base_url") -> str:
    """The platform root, normalised (its scheme in lower case, no trailing slash); a URL the
    client cannot use is refused with the reason. Every rule for a base URL is here.

    ``source`` names where the URL came from (an argument, an option, a variable). Messages
    show the URL redacted (``redact_url``): a key pasted into it must not reach the terminal.
    """
    url = _lower_scheme(url.strip().rstrip("/"))
    problem = _base_url_problem(url)
    if problem is not None:
        what, advice = problem
        raise EigenpalConfigError(f"{source} {what}, got {redact_url(url)!r}; {advice}.")
    return url


def url_problem(url: str) -> str | None:
    """What keeps httpx from connecting to ``url`` (a platform's or a proxy's), or None.
    Never quotes the URL's credentials."""
    if any(character.isspace() or not character.isprintable() for character in url):
        return "has a space or a control character in it"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed '[' of an IPv6 address
        return "is not a URL"
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = 0
    if port == 0:
        return "has a port that is not a number from 1 to 65535"
    if not parts.hostname:
        return "has no host"
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as error:  # (a bad international name: ValueError)
        return f"is not a URL httpx can use ({error})"
    return None


def _lower_scheme(url: str) -> str:
    scheme, separator, rest = url.partition("://")
    return scheme.lower() + separator + rest if separator else url


_ROOT_ADVICE = f"give the platform root, e.g. {DEFAULT_BASE_URL!r}"
_KEY_ADVICE = f"the API key goes in api_key=... (--api-key) or {API_KEY_ENV}"


def _base_url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with ``url`` as a base URL, and what to do; None when nothing is."""
    if not url.startswith(("http://", "https://")):
        return "must start with http:// or https://", _ROOT_ADVICE
    if has_credentials(url):
        return "must not contain credentials", f"the platform takes a bearer token: {_KEY_ADVICE}"
    if has_query_or_fragment(url):
        return "must not have a query (?...) or a fragment (#...)", f"{_ROOT_ADVICE}; {_KEY_ADVICE}"
    problem = url_problem(url)
    if problem is not None:
        return problem, _ROOT_ADVICE
    if url.endswith("/api/v1"):  # a common slip: every path already starts with /api/v1
        return "should be the platform root without /api/v1", f"use {url[: -len('/api/v1')]!r}"
    return None


def resolve_options(
    *,
    api_key: str | None,
    base_url: str | None,
    timeout_seconds: float,
    verify_ssl: bool,
    max_retries: int,
    max_answer_bytes: int = MAX_ANSWER_BYTES,
    max_download_bytes: int = MAX_DOWNLOAD_BYTES,
    patience_seconds: float = 0.0,
    environ: Mapping[str, str] | None = None,
) -> ClientOptions:
    """Apply the precedence rule (argument, then environment, then default) and check values."""
    env = os.environ if environ is None else environ
    if not (api_key or env.get(API_KEY_ENV)):
        raise EigenpalConfigError(
            "Missing EigenPal API key: pass api_key=... (on the command line, --api-key) "
            f"or set the {API_KEY_ENV} environment variable."
        )
    problem = api_key_problem(api_key or env[API_KEY_ENV])
    if problem is not None:
        # Refused before any request: HTTP would refuse the header, and its error quotes it.
        raise EigenpalConfigError(
            f"the EigenPal API key (api_key=..., --api-key or {API_KEY_ENV}) {problem}; give "
            "the key alone, as the platform issued it (it is not shown here)"
        )
    if base_url:
        url = check_base_url(base_url)
    elif env.get(BASE_URL_ENV):
        url = check_base_url(env[BASE_URL_ENV], source=BASE_URL_ENV)
    else:
        url = DEFAULT_BASE_URL
    if not timeout_seconds > 0:
        raise EigenpalConfigError(f"timeout_seconds must be more than 0, got {timeout_seconds}")
    if max_retries < 0:
        raise EigenpalConfigError(f"max_retries must be 0 or more, got {max_retries}")
    if not patience_seconds >= 0:
        raise EigenpalConfigError(f"patience_seconds must be 0 or more, got {patience_seconds}")
    for name, limit in (
        ("max_answer_bytes", max_answer_bytes),
        ("max_download_bytes", max_download_bytes),
    ):
        if limit < 1:
            raise EigenpalConfigError(f"{name} must be 1 or more, got {limit}")
    return ClientOptions(
        base_url=url,
        timeout_seconds=float(timeout_seconds),
        verify_ssl=verify_ssl,
        max_retries=max_retries,
        max_answer_bytes=max_answer_bytes,
        max_download_bytes=max_download_bytes,
        patience_seconds=float(patience_seconds),
        # The key goes straight into the auth object, never into a named local or attribute.
        auth=BearerAuth(api_key or env[API_KEY_ENV]),
    )


__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_ANSWER_BYTES",
    "MAX_DOWNLOAD_BYTES",
    "USER_AGENT",
    "BearerAuth",
    "ClientOptions",
    "check_base_url",
    "resolve_options",
]
