"""Safe relative paths (contract A7): the table of what is refused, and why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.emulator.problems import ApiProblem
from evalkit.emulator.store.paths import check_path, unsafe_path_reason


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "empty"),
        ("../x", "'..'"),
        ("a/../b", "'..'"),
        ("./a", "'.'"),
        ("/abs", "absolute"),
        ("C:/x", "absolute"),
        ("a\\b", "backslash"),
        ("a//b", "empty segment"),
        ("a/", "empty segment"),
        ("a\x00b", "control"),
        ("a\nb", "control"),
        ("a\x7fb", "control"),
        ("x" * 1025, "longer"),
        ("x" * 256, "longer than 255 bytes"),
        ("dir/" + "é" * 128, "longer than 255 bytes"),  # 256 bytes in UTF-8
        ("%2e%2e/x", "percent-decoded"),
        ("a/%2E%2E", "percent-decoded"),
        ("%252e%252e/x", "percent-decoded"),  # encoded twice
        ("a%2fb", "percent-decoded"),
        ("a%5cb", "percent-decoded"),
        ("a%00b", "control character once"),
        ("\uff0e\uff0e/x", "Unicode-normalised"),  # fullwidth full stops
        ("a/\u2025/b", "Unicode-normalised"),  # two dot leader
        ("\ufe52", "Unicode-normalised"),  # small full stop
        ("a\uff0fb", "Unicode-normalised"),  # fullwidth solidus
        ("a\uff3cb", "Unicode-normalised"),  # fullwidth reverse solidus
        ("a\u2215b", "Unicode-normalised"),  # division slash
        ("a\u2044b", "Unicode-normalised"),  # fraction slash
        ("\uff05\uff12\uff45\uff05\uff12\uff45", "percent-decoded"),  # fullwidth %2e%2e
    ],
)
def test_unsafe_paths(path: str, reason: str) -> None:
    found = unsafe_path_reason(path)
    assert found is not None
    assert reason in found


@pytest.mark.parametrize(
    "path",
    [
        "x" * 255,
        "é" * 127,
        "AGENT.md",
        "examples/one/input.json",
        "a/b/c.d.e",
        "..hidden",
        "spaced name.txt",
        "é.md",
        "100%.txt",
        "%41.txt",
        "\ufb01le.txt",  # the fi ligature normalises to letters only
        "\u65e5\u672c.txt",
    ],
)
def test_safe_paths(path: str) -> None:
    assert unsafe_path_reason(path) is None
    assert check_path(path, "query.path") == path


def test_check_path_names_the_field() -> None:
    with pytest.raises(ApiProblem) as caught:
        check_path("../up", "body.files[2].path")
    assert caught.value.status == 400
    assert caught.value.field == "body.files[2].path"
    assert "'..'" in caught.value.message


@given(st.text(max_size=60))
def test_an_accepted_path_never_leaves_its_folder(path: str) -> None:
    if unsafe_path_reason(path) is not None:
        return
    root = Path("/srv/workspace")
    resolved = Path(os.path.normpath(root / path))
    assert resolved == root or root in resolved.parents
