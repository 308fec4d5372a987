"""The contract's safe relative path (A7): its shortcut for plain ASCII names says what the
whole rule says. (The table of refused paths and reasons: tests/emulator/store/test_paths.py.)"""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from evalkit.api import paths
from evalkit.api.paths import MAX_NAME_BYTES, unsafe_path_reason


def _whole_rule(path: str) -> str | None:
    """``unsafe_path_reason`` with every segment decoded and normalised, no shortcut."""
    reason = unsafe_path_reason(path)
    if reason is not None:
        return reason
    for segment in path.split("/"):
        if paths._disguised(segment):
            return "disguised"
    return None


_ASCII = st.text(alphabet=string.printable + "\x00\x7f", max_size=40)
_ANY = st.text(
    alphabet=st.sampled_from(
        [*"ab./\\%25eEfF0", "\x00", "\x1f", "\x7f", "\u2215", "\uff0e", "\uff05", "é", "\ud800"]
    ),
    max_size=12,
)


@given(st.one_of(_ASCII, _ANY))
def test_the_ascii_shortcut_agrees_with_the_whole_rule(path: str) -> None:
    assert unsafe_path_reason(path) == _whole_rule(path)


@given(st.one_of(_ASCII, _ANY))
def test_a_control_character_is_refused_wherever_it_is(path: str) -> None:
    has_control = any(ord(char) < 32 or ord(char) == 127 for char in path)
    reason = unsafe_path_reason(path) or ""
    if has_control and path and len(path) <= paths.MAX_PATH_LENGTH:
        assert "control character" in reason


def test_name_length_counts_utf8_bytes_but_for_ascii_names() -> None:
    assert unsafe_path_reason("d/" + "x" * MAX_NAME_BYTES) is None
    assert unsafe_path_reason("d/" + "x" * (MAX_NAME_BYTES + 1)) is not None
    assert unsafe_path_reason("d/" + "é" * (MAX_NAME_BYTES // 2 + 1)) is not None
    assert unsafe_path_reason("d/" + "é" * (MAX_NAME_BYTES // 2)) is None


def test_plain_paths_are_safe_and_disguised_ones_are_not() -> None:
    assert unsafe_path_reason("examples/ex00001/expected.json") is None
    assert unsafe_path_reason("skills/a b-c_d.md") is None
    assert unsafe_path_reason("a/%2e%2e/b") is not None
    assert unsafe_path_reason("a/\uff0e\uff0e/b") is not None


def test_a_file_field_is_one_safe_name() -> None:
    """A file input's field becomes the file ``input/<field><ext>``: one name of a safe path."""
    assert paths.file_field_reason("invoice") is None
    assert paths.file_field_reason("doc.v2") is None
    assert paths.file_field_reason("a/b") == "it contains '/'"
    assert paths.file_field_reason("../doc") == "it contains '/'"
    for field in ("", "..", ".", "%2e%2e", "a\\b", "tab\there"):
        assert paths.file_field_reason(field) == unsafe_path_reason(field), field
        assert paths.file_field_reason(field) is not None, field
