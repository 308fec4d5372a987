"""Paths from a manifest or the API never become paths outside their folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.safe_paths import (
    MAX_NAME_SHOWN,
    UnsafePath,
    is_inside,
    join_inside,
    resolve_manifest_path,
)


@pytest.mark.parametrize(
    "name",
    ["../x", "a/../../x", "/etc/passwd", "a//b", "a\\b", "", ".", "a/./b", "C:evil", "nul\x00"],
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePath) as refused:
        join_inside(tmp_path, "files", name)
    assert refused.value.why == "not plain"
    assert str(refused.value).startswith(f"{name!r} is not a safe relative path: ")


def test_nested_names_stay_inside(tmp_path: Path) -> None:
    assert (
        join_inside(tmp_path, "files", "out/report.csv")
        == tmp_path / "files" / "out" / "report.csv"
    )
    assert join_inside(tmp_path, "out/report.csv") == tmp_path / "out" / "report.csv"


def test_a_symlink_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(UnsafePath, match="leaves") as refused:
        join_inside(root, "link/x.txt")
    assert refused.value.why == "outside"
    assert str(refused.value) == f"'link/x.txt' leaves {root}"


def test_a_symlink_that_stays_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert join_inside(tmp_path, "link/x.txt") == tmp_path / "link" / "x.txt"
    assert resolve_manifest_path(tmp_path, "link/x.txt") == tmp_path / "real" / "x.txt"


def test_a_refused_name_is_clipped_in_the_message(tmp_path: Path) -> None:
    """A 10 kB name from the API must not land whole in results.jsonl and the reports."""
    with pytest.raises(UnsafePath) as refused:
        join_inside(tmp_path, "files", "../" + "n" * 10_000)
    message = str(refused.value)
    assert len(message) < MAX_NAME_SHOWN + 200, message
    assert message.startswith("'../nnn")
    assert "(9803 more characters)" in message
    assert refused.value.path == "../" + "n" * 10_000  # the path itself is kept whole


# -- a path a person wrote in a manifest: '..' may be used while it stays inside ------------


def test_a_manifest_path_may_go_up_while_it_stays_inside(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    found = resolve_manifest_path(tmp_path, "../shared/a.yaml", start=sub)
    assert found == tmp_path / "shared" / "a.yaml"
    assert resolve_manifest_path(tmp_path, "./x/../y") == tmp_path / "y"


@pytest.mark.parametrize(
    ("path", "why", "reason"),
    [
        ("a\\b", "backslash", "contains '\\'"),
        ("/etc/passwd", "absolute", "is absolute"),
        ("C:/evil", "absolute", "is absolute"),
        ("../x", "outside", "leads outside"),
        ("a/../../x", "outside", "leads outside"),
    ],
)
def test_a_manifest_path_is_refused_with_the_rule_it_broke(
    tmp_path: Path, path: str, why: str, reason: str
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    with pytest.raises(UnsafePath) as refused:
        resolve_manifest_path(root, path)
    assert refused.value.why == why
    assert refused.value.reason.startswith(reason)
    assert str(refused.value).startswith(f"{path!r} {reason}")


def test_a_manifest_path_cannot_leave_through_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "ws").symlink_to(outside)
    with pytest.raises(UnsafePath) as refused:
        resolve_manifest_path(root, "ws")
    assert refused.value.why == "outside"
    assert str(refused.value) == f"'ws' leads outside {root}"


def test_is_inside_follows_links_on_both_sides(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "a").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(real)
    assert is_inside(real / "a", tmp_path / "alias")
    assert is_inside(real, real)
    assert not is_inside(tmp_path, real)
    (real / "out").symlink_to(tmp_path)
    assert not is_inside(real / "out", real)
