"""What the sync and async executors share: building requests, reading answers, mapping
failures to errors and deciding on retries. Nothing here does I/O on the network.

What the client reads from the platform is bounded (see ``Intake``): an answer read into
memory is at most ``max_answer_bytes`` and must arrive whole within the read timeout after its
headers; an error answer's body is read up to ``MAX_ERROR_BODY_BYTES``; a download to disk is
at most ``max_download_bytes`` and must keep coming at ``MIN_DOWNLOAD_BYTES_PER_SECOND``.
Silence is the read timeout's (httpx) to catch.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import logging
import math
import os
import ssl
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from evalkit.api.urls import redact_url
from evalkit.client._config import USER_AGENT, ClientOptions, url_problem
from evalkit.client._request import ApiRequest, ModelParser
from evalkit.client.errors import (
    EigenpalConfigError,
    EigenpalConnectionError,
    EigenpalError,
    EigenpalResponseError,
    EigenpalTimeoutError,
    clip,
    error_for_status,
)
from evalkit.client.retry import (
    Failure,
    backoff_seconds,
    parse_retry_after,
    rate_limit_pause,
    should_retry,
)

T = TypeVar("T")

logger = logging.getLogger("evalkit.client")

#: a held request gets this much read time beyond the hold, for the answer to travel
HOLD_MARGIN_SECONDS = 30.0
#: an error answer's body is read up to this much (an envelope is a few hundred bytes); the
#: rest is left unread and the error is told by its status alone
MAX_ERROR_BODY_BYTES = 1024 * 1024
#: a download to disk slower than this over a whole read timeout is stopped
MIN_DOWNLOAD_BYTES_PER_SECOND = 1024
#: the proxies httpx speaks (SOCKS through socksio, a dependency for it)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

_BASE_URL_ADVICE = (
    "this usually means base_url points at a web page rather than the EigenPal API; "
    "set base_url (or EIGENPAL_BASE_URL) to the platform root, e.g. https://app.eigenpal.com"
)
_WEB_PAGE_ADVICE = (
    "a web page answered instead of the EigenPal API (a proxy's login page, or base_url "
    "pointing at a website); set base_url (or EIGENPAL_BASE_URL) to the platform root, "
    "e.g. https://app.eigenpal.com"
)
_BROKEN_ADVICE = (
    "the platform, or a proxy in between, sent a broken answer; try again, and if it goes on "
    "report the request id to the platform"
)
_SHAPE_ADVICE = (
    "the platform may speak another version of the API; check base_url, or upgrade evalkit"
)
_SILENCE_ADVICE = "check base_url (or EIGENPAL_BASE_URL) and that the platform is up"


class AnswerTooSlow(httpx.ReadTimeout):
    """The answer kept coming, but too slowly: handled (and retried) as a read timeout."""


def tls_context(base_url: str) -> ssl.SSLContext:
    """The TLS context of a client of ``base_url``, shared by every client of the process
    (a run opens one per example in flight): for ``https://``, the one that verifies
    certificates against the CA bundle; for a plain ``http://`` platform (the local one), one
    that trusts no certificate. A client of an ``http://`` platform opens no TLS connection
    (it follows no redirect; a proxy's own TLS has its own context), and loading the CA
    bundle for nothing took 18 ms of a run's start; were one ever opened, it would be refused,
    never trusted unchecked."""
    if urllib.parse.urlsplit(base_url).scheme == "http":
        return _trusting_nobody()
    return _verifying()


@functools.cache
def _verifying() -> ssl.SSLContext:
    return httpx.create_ssl_context()


@functools.cache
def _trusting_nobody() -> ssl.SSLContext:
    # PROTOCOL_TLS_CLIENT checks the certificate and the host name; no CA is loaded
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def proxy_for(base_url: str) -> str | None:
    """The proxy a client of ``base_url`` goes through: the system's, as Python's urllib reads
    it (the environment's ``https_proxy`` or ``http_proxy`` by the URL's scheme, else
    ``all_proxy``; none for a host that ``no_proxy`` names), and never one for a loopback
    address: the local platform is on this machine, where no proxy can reach it. Every client
    of evalkit's (the sync's, the run's pools) takes its proxy from here, none from httpx's own
    reading of the environment (which ignores it once a transport is given). A proxy httpx
    cannot use is refused here, by the variable that names it."""
    parts = urllib.parse.urlsplit(base_url)
    host = parts.hostname or ""
    if _is_loopback(host) or urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    kind = parts.scheme if parts.scheme in proxies else "all"
    proxy = proxies.get(kind)
    if proxy is not None:
        _check_proxy(proxy, kind)
        if proxy.lower().startswith("socks"):
            logging.getLogger("httpcore.socks").addFilter(_SOCKS_LOGIN_HIDDEN)
    return proxy


def _check_proxy(proxy: str, kind: str) -> None:
    scheme, separator, _ = proxy.partition("://")
    if not separator or scheme.lower() not in PROXY_SCHEMES:
        problem: str | None = "has no scheme evalkit can use"
    else:
        problem = url_problem(proxy)
    if problem is not None:
        raise EigenpalConfigError(
            f"{_proxy_variable(kind, proxy)} names a proxy that {problem}, got "
            f"{redact_url(proxy)!r}; give it as {', '.join(f'{s}://' for s in PROXY_SCHEMES)} "
            "then host:port, or unset it."
        )


class _SocksLoginHidden(logging.Filter):
    """httpcore's debug line for a SOCKS handshake ends with the proxy's user name and
    password (``auth=(b'user', b'password')``): they are cut from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        head, found, login = record.getMessage().partition(" auth=")
        if found and login != "None":
            record.msg, record.args = f"{head} auth='***'", ()
        return True


_SOCKS_LOGIN_HIDDEN = _SocksLoginHidden()


def _proxy_variable(kind: str, proxy: str) -> str:
    """The environment variable that set the ``kind`` (``http``, ``https``, ``all``) proxy,
    the lower-case one first, as urllib prefers it."""
    wanted = f"{kind}_proxy"
    names = [
        name for name, value in os.environ.items() if name.lower() == wanted and value == proxy
    ]
    return min(names, key=lambda name: name != wanted, default=f"the system's {kind} proxy")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def verification(options: ClientOptions) -> ssl.SSLContext | bool:
    """What a client's ``verify`` is: the shared context for its platform (``tls_context``),
    or False with ``verify_ssl=False``."""
    return tls_context(options.base_url) if options.verify_ssl else False


@dataclass
class Attempt:
    """One logical call across its attempts: the idempotency key is made once, here."""

    request: ApiRequest[Any]
    idempotency_key: str | None
    retries: int = 0
    #: 429 answers waited out (with ``patience_seconds``, outside ``retries``), and for how long
    rate_limit_waits: int = 0
    rate_limit_waited: float = 0.0

    @classmethod
    def start(cls, request: ApiRequest[Any]) -> Attempt:
        key = f"evalkit-{uuid.uuid4().hex}" if request.method == "POST" else None
        return cls(request, key)


_USER_AGENT = USER_AGENT.encode("ascii")


def build_request(
    client: httpx.Client | httpx.AsyncClient,
    attempt: Attempt,
    options: ClientOptions,
    stack: ExitStack,
) -> httpx.Request:
    """The httpx request for this attempt; files it opens are closed with ``stack``."""
    req = attempt.request
    headers = [(b"User-Agent", _USER_AGENT)]
    if req.expect == "json":
        headers.append((b"Accept", b"application/json"))  # downloads keep httpx's */*
    if attempt.idempotency_key:
        headers.append((b"Idempotency-Key", attempt.idempotency_key.encode("ascii")))
    timeout = httpx.Timeout(options.timeout_seconds, read=read_seconds(req, options))
    kwargs: dict[str, Any] = {}
    if req.multipart is not None:
        kwargs["data"] = dict(req.multipart.fields)
        kwargs["files"] = [
            (part.field, (part.filename, part.open(stack), part.mime_type))
            for part in req.multipart.files
        ]
    elif req.has_json:
        kwargs["json"] = req.json
    address = options.base_url + req.path
    if client.params or client.cookies:
        # (an HTTP client given with params, or holding cookies: httpx merges them)
        return client.build_request(
            req.method, address, params=req.params, headers=headers, timeout=timeout, **kwargs
        )
    # The address parsed once, its query with it: httpx parses a string again to add params
    # (URL parsing was half of building a request), and encodes the query each time. The
    # request is the one ``client.build_request`` makes, without its merging of the client's
    # URL, params and cookies (none here) and of its headers (done below on bytes, as
    # ``Headers.update`` does it: the client's, but those named again, then these), which
    # took a third of its time.
    url = parsed_address(address + query_text(tuple(req.params.items())) if req.params else address)
    replaced = {name.lower() for name, _ in headers}
    merged = [pair for pair in client.headers.raw if pair[0].lower() not in replaced] + headers
    return httpx.Request(
        req.method, url, headers=merged, extensions={"timeout": timeout.as_dict()}, **kwargs
    )


@functools.lru_cache(maxsize=256)
def parsed_address(address: str) -> httpx.URL:
    """``address`` as httpx parses it (an immutable value): every start of an agent's examples
    goes to the same address, and parsing one costs as much as the rest of building its
    request."""
    return httpx.URL(address)


@functools.lru_cache(maxsize=256)
def query_text(pairs: tuple[tuple[str, str], ...]) -> str:
    """``?`` and the query as httpx encodes ``params``: a run sends the same few again and
    again (``wait_for_completion=30``, ``include=files``)."""
    return "?" + str(httpx.QueryParams(pairs))


def read_seconds(req: ApiRequest[Any], options: ClientOptions) -> float:
    """The read timeout: ``timeout_seconds``, or for a held request the hold and a margin."""
    if req.hold_seconds:
        return max(options.timeout_seconds, req.hold_seconds + HOLD_MARGIN_SECONDS)
    return options.timeout_seconds


@dataclass
class Intake:
    """Counts an answer's body as it arrives and stops one that is too large or too slow.

    Past ``limit`` it raises ``EigenpalResponseError``, or with ``cut`` stops quietly (an error
    answer, told by its status). Too slow is ``AnswerTooSlow``: with ``deadline`` (a clock
    value) when the whole body has not come by then; with ``min_rate`` when a ``window`` of
    seconds brought fewer than ``min_rate * window`` bytes.
    """

    req: ApiRequest[Any]
    response: httpx.Response
    limit: int
    clock: Callable[[], float]
    window: float
    deadline: float | None = None
    min_rate: float = 0.0
    cut: bool = False
    #: what the limit is called where the caller can change it
    option: str = ""
    size: int = 0
    window_start: float = field(default=0.0, init=False)
    window_size: int = field(default=0, init=False)

    @classmethod
    def answer(
        cls,
        req: ApiRequest[Any],
        response: httpx.Response,
        options: ClientOptions,
        clock: Callable[[], float],
    ) -> Intake:
        """A 2xx answer read into memory."""
        seconds = read_seconds(req, options)
        limit, option = options.max_answer_bytes, "max_answer_bytes"
        return cls(req, response, limit, clock, seconds, clock() + seconds, option=option)

    @classmethod
    def error_body(
        cls,
        req: ApiRequest[Any],
        response: httpx.Response,
        options: ClientOptions,
        clock: Callable[[], float],
    ) -> Intake:
        """A non-2xx answer: enough of it for the error envelope."""
        seconds = read_seconds(req, options)
        return cls(req, response, MAX_ERROR_BODY_BYTES, clock, seconds, clock() + seconds, cut=True)

    @classmethod
    def download(
        cls,
        req: ApiRequest[Any],
        response: httpx.Response,
        options: ClientOptions,
        clock: Callable[[], float],
    ) -> Intake:
        """A file streamed to disk: possibly large, but it must keep coming."""
        return cls(
            req,
            response,
            options.max_download_bytes,
            clock,
            read_seconds(req, options),
            min_rate=MIN_DOWNLOAD_BYTES_PER_SECOND,
            option="max_download_bytes",
        )

    def begin(self) -> bool:
        """Before reading: False when the body should not be read at all (a cut answer that
        announces more than the limit); raises for any other answer that does."""
        self.window_start = self.clock()
        declared = self.response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            if self.cut:
                return False
            raise self._too_large(f"it announces {_size(int(declared))}")
        return True

    def accept(self, chunk: bytes) -> bool:
        """Count ``chunk``: True to keep it and read on, False to stop (a cut answer)."""
        self.size += len(chunk)
        if self.size > self.limit:
            if self.cut:
                return False
            raise self._too_large("and still coming")
        now = self.clock()
        if self.deadline is not None and now > self.deadline:
            raise AnswerTooSlow(
                f"the answer came too slowly: it was not whole {self.window:g} s after its "
                f"headers ({_size(self.size)} by then)"
            )
        self.window_size += len(chunk)
        if self.min_rate and now - self.window_start >= self.window:
            if self.window_size < self.min_rate * (now - self.window_start):
                raise AnswerTooSlow(
                    f"the download came too slowly: {self.window_size} bytes in "
                    f"{now - self.window_start:.0f} s, under {_size(int(self.min_rate))}/s"
                )
            self.window_start, self.window_size = now, 0
        return True

    def _too_large(self, detail: str) -> EigenpalResponseError:
        what = "file" if self.option == "max_download_bytes" else "answer"
        return _response_error(
            self.req,
            self.response,
            f"the {what} is larger than {_size(self.limit)} ({detail}), the most the client "
            f"reads ({self.option}); check base_url, or raise {self.option} if the platform "
            "really sends this much",
        )


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"


def check_answer_type(req: ApiRequest[Any], response: httpx.Response) -> None:
    """Before the body is read: a JSON call must get JSON, a download a file."""
    content_type = response.headers.get("content-type", "").lower()
    if req.expect == "json" and content_type and "json" not in content_type:
        shown = clip(content_type, 100)
        raise _response_error(
            req, response, f"the answer was not JSON ({shown}): {_WEB_PAGE_ADVICE}"
        )
    if req.expect == "bytes":
        check_download_type(req, response)


def finish(req: ApiRequest[T], response: httpx.Response, body: bytes) -> T:
    """Turn a read 2xx answer into the call's result, or raise a clear error."""
    if req.expect == "empty":
        return req.parse(None)
    if req.expect == "bytes":
        return req.parse(body)
    if isinstance(req.parse, ModelParser):
        try:
            return req.parse.from_json(body)  # type: ignore[no-any-return]
        except (ValidationError, ValueError, RecursionError):
            pass  # read again the long way, which says what is wrong as it always did
    value = decode_json(req, response, body)
    try:
        return req.parse(value)
    except ValidationError as err:
        raise _response_error(req, response, _shape_problem(err)) from err
    except RecursionError as err:
        raise _response_error(req, response, _too_deep()) from err


def _shape_problem(err: ValidationError) -> str:
    problems = err.errors()
    first = problems[0]
    where = ".".join(clip(str(part), 60) for part in first["loc"]) or "<root>"
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return (
        f"the answer does not have the API's shape: {where}: {clip(first['msg'], 200)}{more}; "
        + _SHAPE_ADVICE
    )


def _too_deep() -> str:
    return f"the answer is JSON nested too deeply to read; {_BROKEN_ADVICE}"


def decode_json(req: ApiRequest[Any], response: httpx.Response, body: bytes) -> Any:
    try:
        return json.loads(body)
    except RecursionError as err:
        raise _response_error(req, response, _too_deep()) from err
    except ValueError as err:
        if body.lstrip()[:1] == b"<":
            problem = f"the answer is not JSON: it looks like an HTML page; {_WEB_PAGE_ADVICE}"
        else:
            problem = f"the answer is not valid JSON ({_why_not_json(err, body)}); {_BROKEN_ADVICE}"
        raise _response_error(req, response, problem) from err


def _why_not_json(err: ValueError, body: bytes) -> str:
    if not body.strip():
        return "the body is empty"
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} at byte {err.pos} of {len(body)}"
    if isinstance(err, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return clip(str(err), 200)  # e.g. an integer of more digits than Python converts


def check_download_type(req: ApiRequest[Any], response: httpx.Response) -> None:
    """Downloads come as octet-stream (contract A1); an HTML page means a wrong base_url."""
    content_type = response.headers.get("content-type", "").lower()
    if content_type and not ("json" in content_type or "octet-stream" in content_type):
        raise _response_error(
            req,
            response,
            f"expected a file download but got {clip(content_type, 100)!r}; {_BASE_URL_ADVICE}",
        )


def _where(req: ApiRequest[Any], response: httpx.Response) -> dict[str, Any]:
    return {
        "status": response.status_code,
        "request_id": response.headers.get("x-request-id"),
        "method": req.method,
        "path": req.path,
    }


def _response_error(
    req: ApiRequest[Any], response: httpx.Response, message: str
) -> EigenpalResponseError:
    return EigenpalResponseError(message, **_where(req, response))


def error_from_response(
    req: ApiRequest[Any], response: httpx.Response, body: bytes
) -> EigenpalError:
    """The typed error for a non-2xx answer, from (the first part of) its body."""
    envelope: dict[str, Any] | None = None
    content_type = response.headers.get("content-type", "").lower()
    is_json = "json" in content_type or not content_type
    if is_json and body:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            parsed = None
        envelope = parsed if isinstance(parsed, dict) else None
    status = response.status_code
    if envelope is None and body and status < 500 and status != 429:
        return EigenpalError(
            f"HTTP {status} without the API's error envelope; " + _BASE_URL_ADVICE,
            **_where(req, response),
        )
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return error_for_status(
        status,
        envelope,
        retry_after=None if retry_after is None else math.ceil(retry_after),
        request_id=response.headers.get("x-request-id"),
        method=req.method,
        path=req.path,
    )


def classify(exc: httpx.TransportError) -> Failure:
    # A pool timeout, like a failed connect, means the request never left this process.
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Failure.CONNECT
    if isinstance(exc, httpx.TimeoutException):
        return Failure.READ_TIMEOUT
    return Failure.DROPPED


def transport_error(
    req: ApiRequest[Any],
    exc: httpx.TransportError,
    options: ClientOptions | None = None,
    silent_for: float = 0.0,
) -> EigenpalError:
    """The error for a request that got no answer; ``silent_for``: how long the platform had
    answered none of the client's calls (see ``silent_too_long``)."""
    failure = classify(exc)
    where = {"method": req.method, "path": req.path}
    if isinstance(exc, AnswerTooSlow):
        return EigenpalTimeoutError(str(exc), **where)
    if options is not None and silent_too_long(options, silent_for):
        error = EigenpalTimeoutError if failure is Failure.READ_TIMEOUT else EigenpalConnectionError
        return error(
            f"no answer from {options.base_url} for {silent_for:.0f} s "
            f"({type(exc).__name__}); {_SILENCE_ADVICE}",
            **where,
        )
    if failure is Failure.READ_TIMEOUT:
        return EigenpalTimeoutError(f"no answer in time ({type(exc).__name__})", **where)
    if failure is Failure.CONNECT:
        return EigenpalConnectionError(
            f"cannot reach the EigenPal API ({type(exc).__name__}: {exc}); check base_url "
            "and your network",
            **where,
        )
    return EigenpalConnectionError(
        f"the connection failed mid-request ({type(exc).__name__}: {exc})", **where
    )


def silent_too_long(options: ClientOptions, silent_for: float) -> bool:
    """Whether a client with patience has waited for an answer as long as it will."""
    return bool(options.patience_seconds) and silent_for >= options.patience_seconds


def retry_delay(
    attempt: Attempt,
    failure: Failure,
    options: ClientOptions,
    *,
    jitter: Callable[[], float],
    response: httpx.Response | None = None,
    silent_for: float = 0.0,
) -> float | None:
    """Seconds to wait before the next attempt, counted on ``attempt``; None to give up now.
    ``silent_for``: how long the platform has answered none of the client's calls."""
    req = attempt.request
    status = response.status_code if response is not None else None
    replayable = req.multipart is None or all(p.replayable for p in req.multipart.files)
    if not replayable and failure is not Failure.CONNECT:
        return None  # the body was consumed and cannot be sent again
    if response is not None and status == 429 and options.patience_seconds:
        return _wait_out_rate_limit(attempt, response, options.patience_seconds, jitter)
    if response is None and silent_too_long(options, silent_for):
        return None
    if not should_retry(
        req.retry,
        failure,
        status=status,
        retries_done=attempt.retries,
        max_retries=options.max_retries,
    ):
        return None
    retry_after = (
        parse_retry_after(response.headers.get("retry-after")) if response is not None else None
    )
    delay = backoff_seconds(attempt.retries, retry_after=retry_after, jitter=jitter)
    logger.debug(
        "retrying %s %s after %s in %.2f s (retry %d of %d)",
        req.method,
        req.path,
        f"HTTP {status}" if status is not None else failure.value,
        delay,
        attempt.retries + 1,
        options.max_retries,
    )
    attempt.retries += 1
    return delay


def _wait_out_rate_limit(
    attempt: Attempt, response: httpx.Response, patience: float, jitter: Callable[[], float]
) -> float | None:
    """The pause before trying a 429 again, while the waits stay within ``patience``."""
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    pause = rate_limit_pause(retry_after, attempt.rate_limit_waits, jitter=jitter)
    if attempt.rate_limit_waited + pause > patience:
        return None
    attempt.rate_limit_waits += 1
    attempt.rate_limit_waited += pause
    logger.debug(
        "waiting out HTTP 429 on %s %s: %.2f s (%.0f s of %g s waited)",
        attempt.request.method,
        attempt.request.path,
        pause,
        attempt.rate_limit_waited,
        patience,
    )
    return pause


def let_go(response: httpx.Response) -> None:
    """Once ``response`` is closed: part it from its stream, which httpx binds to it both
    ways (``BoundAsyncStream``/``BoundSyncStream`` hold the response). That cycle left every
    answer, with its request, headers and decoder, to the garbage collector: a run of 500
    examples made 24,000 objects of cyclic garbage, and its collections took about 50 ms of
    the runner's CPU, in the bursts of answers where the next starts wait. Parted, an answer
    is freed with its last reference. Its status, headers and request stay readable."""
    response.stream = _CLOSED_STREAM


#: what a closed response's stream is once ``let_go`` parted them: nothing more to read
_CLOSED_STREAM = httpx.ByteStream(b"")


def log_answer(attempt: Attempt, response: httpx.Response, started: float, now: float) -> None:
    if not logger.isEnabledFor(logging.DEBUG):  # (reading a header is not free: 3 per example)
        return
    logger.debug(
        "%s %s -> %d in %d ms (request id %s, retries %d)",
        attempt.request.method,
        attempt.request.path,
        response.status_code,
        round((now - started) * 1000),
        response.headers.get("x-request-id", "-"),
        attempt.retries,
    )
