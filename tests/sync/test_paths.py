from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import PlanError
from evalkit.sync.paths import check_workspace_path, example_name, local_target


@pytest.mark.parametrize(
    "path", ["", "/etc/passwd", "a/../b", "..", "a//b", "a\\b", "./a", "a/", "a\x00b"]
)
def test_unsafe_paths_are_refused_with_the_reason(path: str) -> None:
    with pytest.raises(PlanError, match="is not allowed because"):
        check_workspace_path(path, where="agent 'x'")


def test_safe_paths_land_inside_the_folder(tmp_path: Path) -> None:
    assert local_target(tmp_path, "skills/a.md", where="x") == (tmp_path / "skills/a.md").resolve()


def test_a_symlink_cannot_lead_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside)
    with pytest.raises(PlanError, match="outside"):
        local_target(root, "link/file.txt", where="x")


@pytest.mark.parametrize(
    ("path", "name"),
    [("examples/case-1/input.json", "case-1"), ("examples/x", None), ("AGENT.md", None)],
)
def test_example_name(path: str, name: str | None) -> None:
    assert example_name(path) == name
