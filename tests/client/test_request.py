"""Paths, query values and bodies in wire form."""

from __future__ import annotations

import httpx
import pytest

from evalkit.api import FileKind, SortOrder
from evalkit.client._request import api_path, drop_none, query


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (("agents",), "/api/v1/agents"),
        (("agents", "a/b"), "/api/v1/agents/a%2Fb"),
        (("agents", "../x"), "/api/v1/agents/..%2Fx"),
        (("files", "output", ".."), "/api/v1/files/output/%2E%2E"),
        (("files", "output", "."), "/api/v1/files/output/%2E"),
        (("x", "..."), "/api/v1/x/..."),
        (("x", "a b?c#d&e=f"), "/api/v1/x/a%20b%3Fc%23d%26e%3Df"),
        (("x", "é"), "/api/v1/x/%C3%A9"),
        (("files", FileKind.OUTPUT), "/api/v1/files/output"),
    ],
)
def test_segments_are_encoded_with_nothing_safe(segments: tuple[str, ...], expected: str) -> None:
    assert api_path(*segments) == expected


def test_query_values() -> None:
    assert query(a=True, b=False, c=None, d=["x", "y"], e=("z",), f=3, g=SortOrder.ASC, h="s") == {
        "a": "true",
        "b": "false",
        "d": "x,y",
        "e": "z",
        "f": "3",
        "g": "asc",
        "h": "s",
    }


def test_drop_none_keeps_falsy_values() -> None:
    assert drop_none(a=None, b=0, c="", d=False, e={}) == {"b": 0, "c": "", "d": False, "e": {}}


@pytest.mark.parametrize("name", [".", "..", "../..", "a/..", "%2e%2e"])
def test_no_segment_is_removed_by_the_url_parser(name: str) -> None:
    url = httpx.URL("http://x" + api_path("files", "output", name))
    prefix = "/api/v1/files/output/"
    assert url.raw_path.decode().startswith(prefix), url.raw_path
    assert "/" not in url.raw_path.decode()[len(prefix) :], url.raw_path
