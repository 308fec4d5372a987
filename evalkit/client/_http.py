"""What the sync and async executors share: building requests, reading answers, mapping
failures to errors and deciding on retries. Nothing here does I/O on the network."""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from evalkit.client._config import USER_AGENT, ClientOptions
from evalkit.client._request import ApiRequest
from evalkit.client.errors import (
    EigenpalConnectionError,
    EigenpalError,
    EigenpalTimeoutError,
    error_for_status,
)
from evalkit.client.retry import (
    Failure,
    backoff_seconds,
    parse_retry_after,
    should_retry,
)

T = TypeVar("T")

logger = logging.getLogger("evalkit.client")

#: a held request gets this much read time beyond the hold, for the answer to travel
HOLD_MARGIN_SECONDS = 30.0

_BASE_URL_ADVICE = (
    "this usually means base_url points at a web page rather than the EigenPal API; "
    "set base_url (or EIGENPAL_BASE_URL) to the platform root, e.g. https://app.eigenpal.com"
)


@dataclass
class Attempt:
    """One logical call across its attempts: the idempotency key is made once, here."""

    request: ApiRequest[Any]
    idempotency_key: str | None
    retries: int = 0

    @classmethod
    def start(cls, request: ApiRequest[Any]) -> Attempt:
        key = f"evalkit-{uuid.uuid4().hex}" if request.method == "POST" else None
        return cls(request, key)


def build_request(
    client: httpx.Client | httpx.AsyncClient,
    attempt: Attempt,
    options: ClientOptions,
    stack: ExitStack,
) -> httpx.Request:
    """The httpx request for this attempt; files it opens are closed with ``stack``."""
    req = attempt.request
    headers = {"User-Agent": USER_AGENT}
    if req.expect == "json":
        headers["Accept"] = "application/json"  # downloads keep httpx's */*
    if attempt.idempotency_key:
        headers["Idempotency-Key"] = attempt.idempotency_key
    timeout = httpx.Timeout(options.timeout_seconds)
    if req.hold_seconds:
        read = max(options.timeout_seconds, req.hold_seconds + HOLD_MARGIN_SECONDS)
        timeout = httpx.Timeout(options.timeout_seconds, read=read)
    kwargs: dict[str, Any] = {}
    if req.multipart is not None:
        kwargs["data"] = dict(req.multipart.fields)
        kwargs["files"] = [
            (part.field, (part.filename, part.open(stack), part.mime_type))
            for part in req.multipart.files
        ]
    elif req.has_json:
        kwargs["json"] = req.json
    return client.build_request(
        req.method,
        options.base_url + req.path,
        params=req.params,
        headers=headers,
        timeout=timeout,
        **kwargs,
    )


def finish(req: ApiRequest[T], response: httpx.Response) -> T:
    """Turn a read 2xx answer into the call's result, or raise a clear error."""
    if req.expect == "empty":
        return req.parse(None)
    if req.expect == "bytes":
        check_download_type(req, response)
        return req.parse(response.content)
    body = decode_json(req, response)
    try:
        return req.parse(body)
    except ValidationError as err:
        problem = err.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "<root>"
        raise _error(
            req, response, f"unexpected answer from the API: {where}: {problem['msg']}"
        ) from err


def decode_json(req: ApiRequest[Any], response: httpx.Response) -> Any:
    content_type = response.headers.get("content-type", "").lower()
    if content_type and "json" not in content_type:
        raise _error(req, response, f"expected JSON but got {content_type!r}; {_BASE_URL_ADVICE}")
    try:
        return json.loads(response.content or b"null")
    except ValueError as err:
        raise _error(req, response, f"the answer is not valid JSON; {_BASE_URL_ADVICE}") from err


def check_download_type(req: ApiRequest[Any], response: httpx.Response) -> None:
    """Downloads come as octet-stream (contract A1); an HTML page means a wrong base_url."""
    content_type = response.headers.get("content-type", "").lower()
    if content_type and not ("json" in content_type or "octet-stream" in content_type):
        raise _error(
            req, response, f"expected a file download but got {content_type!r}; {_BASE_URL_ADVICE}"
        )


def _error(req: ApiRequest[Any], response: httpx.Response, message: str) -> EigenpalError:
    return EigenpalError(
        message,
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
        method=req.method,
        path=req.path,
    )


def error_from_response(req: ApiRequest[Any], response: httpx.Response) -> EigenpalError:
    """The typed error for a non-2xx answer whose body has been read."""
    envelope: dict[str, Any] | None = None
    content_type = response.headers.get("content-type", "").lower()
    is_json = "json" in content_type or not content_type
    if is_json and response.content:
        try:
            parsed = json.loads(response.content)
        except ValueError:
            parsed = None
        envelope = parsed if isinstance(parsed, dict) else None
    status = response.status_code
    if envelope is None and response.content and status < 500 and status != 429:
        return _error(
            req, response, f"HTTP {status} without the API's error envelope; " + _BASE_URL_ADVICE
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


def transport_error(req: ApiRequest[Any], exc: httpx.TransportError) -> EigenpalError:
    failure = classify(exc)
    where = {"method": req.method, "path": req.path}
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


def retry_delay(
    attempt: Attempt,
    failure: Failure,
    *,
    max_retries: int,
    jitter: Callable[[], float],
    response: httpx.Response | None = None,
) -> float | None:
    """Seconds to wait before the next attempt, or None to give up now."""
    req = attempt.request
    status = response.status_code if response is not None else None
    replayable = req.multipart is None or all(p.replayable for p in req.multipart.files)
    if not replayable and failure is not Failure.CONNECT:
        return None  # the body was consumed and cannot be sent again
    if not should_retry(
        req.retry, failure, status=status, retries_done=attempt.retries, max_retries=max_retries
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
        max_retries,
    )
    return delay


def log_answer(attempt: Attempt, response: httpx.Response, started: float, now: float) -> None:
    logger.debug(
        "%s %s -> %d in %d ms (request id %s, retries %d)",
        attempt.request.method,
        attempt.request.path,
        response.status_code,
        round((now - started) * 1000),
        response.headers.get("x-request-id", "-"),
        attempt.retries,
    )
