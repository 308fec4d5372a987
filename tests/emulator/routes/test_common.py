"""What every route shares: the platform reaches a route without a trip to the thread pool."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.routes.common import parse_json_object

from ..helpers import TestClient, create_agent


def test_a_request_sends_only_its_endpoint_to_the_thread_pool(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_agent(client, "pooled")
    sent: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(repr(func))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    assert client.get("/api/v1/agents").status_code == 200
    # A sync dependency would be a second trip (platform_of) for one attribute read.
    assert len(sent) == 1, sent
    assert "list_agents" in sent[0]


# A JSON body is parsed from its bytes as they came (no text copy of a large body first); what
# it is refused with, and what counts as empty, are those of its text.
BODIES: list[tuple[bytes, dict[str, Any] | str]] = [
    (b'{"a": [1, "\xc3\xa9"]}', {"a": [1, "é"]}),
    (b"", {}),
    (b" \n\t ", {}),
    ("\u2003\u3000".encode(), {}),  # whitespace to Python, not to JSON: empty, as before
    (b"\x1c", {}),
    (b"\xff{}", "the body is not UTF-8 text: 'utf-8' codec can't decode byte 0xff"),
    (b"\xef\xbb\xbf{}", "is not valid JSON: Unexpected UTF-8 BOM"),
    (b"[1]", "expected a JSON object, got list"),
    (b'{"a": 1e400}', "a number too large for a float"),
    (b'{"a": NaN}', "NaN is not a JSON number"),
    (b'{"a": "\\ud800"}', "surrogate"),
]


@pytest.mark.parametrize(("raw", "expected"), BODIES)
def test_a_json_body_is_read_as_its_text_would_be(
    raw: bytes, expected: dict[str, Any] | str
) -> None:
    for body in (raw, raw.decode("utf-8", "surrogateescape")):
        if isinstance(body, str) and "\udcff" in body:
            continue  # not text
        if isinstance(expected, dict):
            assert parse_json_object(body, "body") == expected
            continue
        with pytest.raises(ApiProblem) as caught:
            parse_json_object(body, "body")
        assert expected in str(caught.value.message), caught.value.message
        assert caught.value.field == "body"


def test_an_empty_body_is_refused_where_an_object_is_required() -> None:
    with pytest.raises(ApiProblem, match="expected a JSON object, got nothing"):
        parse_json_object(b"  ", "body", empty_ok=False)


def test_a_large_body_is_parsed_without_copies_of_its_text() -> None:
    """A sync's PATCH carries 400 KB of config: its bytes were decoded, encoded again and
    decoded again (3 copies alive at once, besides the parsed value); now only the decoding
    the parse needs."""
    body = json.dumps({"config": {"big": "x" * 1_000_000}}).encode()
    tracemalloc.start()
    try:
        parsed = parse_json_object(body, "body")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed["config"]["big"] == "x" * 1_000_000
    assert peak < 2.5 * len(body)  # the text json.loads reads, and the value it makes
