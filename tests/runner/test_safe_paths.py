"""Names from the API never become paths outside their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.runner.safe_paths import MAX_NAME_SHOWN, UnsafePath, safe_join


@pytest.mark.parametrize(
    "name",
    ["../x", "a/../../x", "/etc/passwd", "a//b", "a\\b", "", ".", "a/./b", "C:evil", "nul\x00"],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePath):
        safe_join(tmp_path, "files", name)


def test_nested_names_stay_inside(tmp_path: Path) -> None:
    assert (
        safe_join(tmp_path, "files", "out/report.csv") == tmp_path / "files" / "out" / "report.csv"
    )


def test_a_symlink_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(UnsafePath, match="leaves"):
        safe_join(root, "link/x.txt")


def test_a_refused_name_is_clipped_in_the_message(tmp_path: Path) -> None:
    """A 10 kB name from the API must not land whole in results.jsonl and the reports."""
    with pytest.raises(UnsafePath) as refused:
        safe_join(tmp_path, "files", "../" + "n" * 10_000)
    message = str(refused.value)
    assert len(message) < MAX_NAME_SHOWN + 200, message
    assert message.startswith("'../nnn")
    assert "(9803 more characters)" in message
