"""One rule for a usable API key, the client's (sending) and the platform's (accepting)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.api.keys import api_key_problem


@pytest.mark.parametrize(
    "key",
    ["eg_local_abc-DEF_123", "k", "eg live key"],  # an inner space travels as it is
)
def test_a_key_a_header_carries_as_it_is_is_usable(key: str) -> None:
    assert api_key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "is empty"),
        (" eg_padded ", "around it"),
        ("eg_from_a_file\n", "around it"),
        ("eg_a\r\nX-Injected: 1", "control character"),
        ("eg_\x00", "control character"),
        ("eg_sécret", "non-ASCII"),
    ],
)
def test_an_unusable_key_is_told_why_without_being_quoted(key: str, problem: str) -> None:
    found = api_key_problem(key)
    assert found is not None
    assert problem in found
    assert key.strip() == "" or key.strip() not in found


@given(st.text(max_size=20))
def test_every_usable_key_makes_a_header_http_sends(key: str) -> None:
    import httpx

    if api_key_problem(key) is None:
        httpx.Request("GET", "http://h", headers={"Authorization": f"Bearer {key}"})
