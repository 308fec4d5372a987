"""JSON from an agent program is read with limits: a clear message, never a crash."""

from __future__ import annotations

import json

import pytest

from evalkit.emulator.runtime import bounded_json
from evalkit.emulator.runtime.bounded_json import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    BoundedJsonError,
    load_bounded_json,
)


def nested(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


def test_a_document_at_the_depth_limit_is_read() -> None:
    value = load_bounded_json(nested(MAX_DEPTH), "output.json")
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 100_000])
def test_a_document_past_the_depth_limit_is_refused_by_name(levels: int) -> None:
    with pytest.raises(BoundedJsonError) as caught:
        load_bounded_json(nested(levels), "output.json")
    assert str(caught.value) == (
        f"output.json is nested deeper than {MAX_DEPTH} levels of lists and objects; flatten it"
    )


def test_depth_counts_objects_too() -> None:
    document = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    with pytest.raises(BoundedJsonError, match="stdout is nested deeper than"):
        load_bounded_json(document.encode(), "stdout")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"ok": tru', "output.json is not valid JSON: Expecting value at line 1 column 8"),
        (b"\xff\xfe", "output.json is not UTF-8 text"),
        (b"[NaN]", "output.json is not valid JSON: NaN is not a JSON number"),
        (b"-Infinity", "output.json is not valid JSON: -Infinity is not a JSON number"),
        (b"[1e999]", "output.json holds a number too large for a float (e.g. 1e999)"),
        (
            b"1" * (MAX_INT_DIGITS + 1),
            f"output.json holds a number with more than {MAX_INT_DIGITS} digits",
        ),
        (
            b'{"text": "\\ud800"}',
            "output.json holds \\ud800, half of a surrogate pair and not a character",
        ),
        (
            b'{"\\udfff": 1}',
            "output.json holds \\udfff, half of a surrogate pair and not a character",
        ),
    ],
)
def test_values_other_readers_would_choke_on_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(BoundedJsonError) as caught:
        load_bounded_json(raw, "output.json")
    assert str(caught.value) == message


def test_ordinary_documents_are_unchanged() -> None:
    document = {"text": "€ and 😀", "n": [1, 2.5, None, True], "big": 10**100}
    assert load_bounded_json(json.dumps(document).encode(), "output.json") == document
    assert load_bounded_json(json.dumps(document, ensure_ascii=False).encode(), "x") == document


def walks(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether reading ``raw`` walks the value (``check_value``)."""
    walked: list[object] = []
    monkeypatch.setattr(bounded_json, "check_value", lambda value, source: walked.append(value))
    load_bounded_json(raw, "body")
    return bool(walked)


def test_a_document_that_can_hold_no_trouble_is_not_walked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ASCII, no ``\\u`` escape, fewer brackets than the depth limit: nothing to refuse."""
    assert not walks(b'{"input": {"n": [1, 2.5, "a"]}, "_metadata": null}', monkeypatch)
    assert not walks(nested(MAX_DEPTH), monkeypatch)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"text": "\\u00e9"}',  # an escape: maybe a lone surrogate
        '{"text": "é"}'.encode(),  # not ASCII
        nested(MAX_DEPTH + 1),  # enough brackets to nest too deep
        b"[1.5, 1e999]",  # an infinite number
    ],
)
def test_a_document_that_may_hold_trouble_is_walked(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert walks(raw, monkeypatch)
