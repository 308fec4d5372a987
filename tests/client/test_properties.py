"""Properties of the pure rules, checked by hypothesis beyond the tables."""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from urllib.parse import unquote

import httpx
from hypothesis import given
from hypothesis import strategies as st

from evalkit.client import _http
from evalkit.client._config import resolve_options
from evalkit.client._request import ApiRequest, api_path, raw
from evalkit.client.pagination import iter_items
from evalkit.client.retry import MAX_BACKOFF_SECONDS, MAX_RETRY_AFTER_SECONDS, backoff_seconds
from evalkit.client.wait import hold_seconds_for, poll_delays

OPTIONS = resolve_options(
    api_key="k", base_url="http://x", timeout_seconds=7, verify_ssl=True, max_retries=3, environ={}
)


@given(st.integers(min_value=0, max_value=100), st.floats(min_value=0, max_value=0.999999))
def test_backoff_stays_within_bounds(retries_done: int, jitter: float) -> None:
    delay = backoff_seconds(retries_done, jitter=lambda: jitter)
    assert 0.375 - 1e-9 <= delay <= MAX_BACKOFF_SECONDS


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_retry_after_never_waits_past_the_cap(retry_after: float) -> None:
    assert backoff_seconds(0, retry_after=retry_after) <= MAX_RETRY_AFTER_SECONDS


@given(
    st.floats(min_value=0.001, max_value=5),
    st.floats(min_value=1.0, max_value=3),
    st.floats(min_value=0.001, max_value=10),
)
def test_poll_delays_never_shrink_and_respect_the_cap(
    first: float, growth: float, cap: float
) -> None:
    delays = list(itertools.islice(poll_delays(first=first, growth=growth, cap=cap), 30))
    assert all(d <= cap for d in delays)
    assert delays == sorted(delays)


@given(
    st.one_of(st.none(), st.floats(min_value=-10, max_value=10_000, allow_nan=False)),
    st.floats(min_value=-100, max_value=10_000, allow_nan=False),
    st.integers(min_value=1, max_value=600),
)
def test_hold_never_exceeds_server_or_deadline(
    requested: float | None, remaining: float, max_hold: int
) -> None:
    hold = hold_seconds_for(requested, remaining=remaining, max_hold=max_hold)
    assert 0 <= hold <= max_hold
    assert hold <= max(remaining, 0)


@given(st.integers(min_value=0, max_value=250), st.integers(min_value=1, max_value=100))
def test_paging_yields_every_item_once(total: int, page_size: int) -> None:
    items = list(range(total))

    def fetch(limit: int, offset: int) -> tuple[list[int], int]:
        return items[offset : offset + limit], total

    assert list(iter_items(fetch, page_size=page_size)) == items


@given(st.lists(st.text(min_size=1), min_size=1, max_size=4))
def test_each_segment_stays_one_segment(segments: list[str]) -> None:
    path = api_path(*segments)
    encoded = path.removeprefix("/api/v1/").split("/")
    assert [unquote(part) for part in encoded] == segments


@given(
    st.lists(st.text(max_size=12), min_size=1, max_size=4),
    st.dictionaries(st.text(max_size=8), st.text(max_size=12), max_size=4),
)
def test_a_request_s_address_is_httpx_s_own_joining_of_path_and_query(
    segments: list[str], params: dict[str, str]
) -> None:
    """The query is encoded once per distinct set of params and parsed with the address:
    the URL on the wire is exactly the one httpx makes of the path and ``params``."""
    path = api_path(*segments)
    attempt = _http.Attempt.start(ApiRequest("GET", path, raw, params=params))
    with httpx.Client() as client, ExitStack() as stack:
        request = _http.build_request(client, attempt, OPTIONS, stack)
        joined = client.build_request("GET", OPTIONS.base_url + path, params=params)
    assert request.url == joined.url
    assert request.url.raw_path == joined.url.raw_path
