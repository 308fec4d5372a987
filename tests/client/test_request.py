"""Paths, query values and bodies in wire form."""

from __future__ import annotations

import pytest

from evalkit.api import FileKind, SortOrder
from evalkit.client._request import api_path, drop_none, query


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        (("agents",), "/api/v1/agents"),
        (("agents", "a/b"), "/api/v1/agents/a%2Fb"),
        (("agents", "../x"), "/api/v1/agents/..%2Fx"),
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
