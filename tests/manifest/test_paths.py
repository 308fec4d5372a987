"""Manifest paths keep their own wording when the shared rule (evalkit.safe_paths) refuses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.manifest.paths import PathProblem, display_path, resolve_inside


@pytest.mark.parametrize(
    ("relative", "message", "hint"),
    [
        ("a\\b.yaml", "path 'a\\\\b.yaml' contains '\\'", "use '/' between folders"),
        ("/etc/passwd", "path '/etc/passwd' is absolute", "paths are relative to the manifest"),
        ("../x.yaml", "path '../x.yaml' leads outside the project folder ", "keep every file"),
    ],
)
def test_each_refusal_reads_as_a_manifest_problem(
    tmp_path: Path, relative: str, message: str, hint: str
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    with pytest.raises(PathProblem) as refused:
        resolve_inside(root, relative, root)
    assert str(refused.value).startswith(message)
    assert refused.value.hint.startswith(hint)


def test_a_path_may_go_up_from_the_manifest_while_it_stays_in_the_project(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    found = resolve_inside(tmp_path / "suites", "../shared/base.yaml", tmp_path)
    assert found == tmp_path.resolve() / "shared" / "base.yaml"


def test_a_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / "ws").symlink_to(tmp_path / "outside")
    with pytest.raises(PathProblem, match="leads outside the project folder"):
        resolve_inside(root, "ws", root)


def test_a_path_below_the_working_folder_is_shown_without_resolving_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shown relative to the working folder as written: resolving it (a system call for each
    part, for each problem and each example's mark) is needed only for a path elsewhere. A
    looping link, which cannot be resolved, is shown too."""
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "loop" / "input.json") == "loop/input.json"
    assert display_path(Path("cases/x.json")) == "cases/x.json"
    assert display_path(Path("/")) == "/"


def test_a_path_is_shown_relative_only_below_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text shortcut for a path below the working folder says what comparing the paths
    says: a sibling folder whose name starts the same is not below it."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "project2").mkdir()
    monkeypatch.chdir(tmp_path / "proj")
    assert display_path(tmp_path / "proj") == "."
    assert display_path(tmp_path / "proj" / "a" / ".." / "b.json") == "b.json"
    assert display_path(Path("./x/./y.json")) == "x/y.json"
    sibling = tmp_path / "project2" / "a.json"
    assert display_path(sibling) == str(sibling)
