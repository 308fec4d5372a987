from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.api.paths import unsafe_path_reason
from evalkit.errors import ManifestError
from evalkit.manifest import load_manifest
from evalkit.manifest.workspace import glob_regex
from tests.manifest.project_files import Files, write_files

WORKSPACE: Files = {
    "ws/AGENT.md": "# a\n",
    "ws/skills/pdf/SKILL.md": "skill\n",
    "ws/skills/pdf/__pycache__/x.cpython-311.pyc": b"\0",
    "ws/tool.py": "print()\n",
    "ws/tool.pyc": b"\0",
    "ws/.git/config": "[core]\n",
    "ws/.DS_Store": b"\0",
    "ws/skills/.DS_Store": b"\0",
    "ws/notes.md.swp": b"\0",
    "ws/.env": "API_KEY=secret\n",
    "ws/data/big.bin": b"\0" * 10,
    "ws/data/keep.txt": "keep\n",
    "ws/drafts/old.md": "old\n",
    "ws/examples/one/input.json": {"a": 1},
    "ws/examples/one/expected.json": {"b": 2},
    "ws/cases/two/input.json": {"a": 1},
    "ws/cases/two/expected.json": {"b": 2},
}


def agent_files(project: Callable[[Files], Path], workspace: str, **extra: str) -> list[str]:
    manifest = "version: 1\nagents:\n  - slug: a\n    workspace: " + workspace + "\n"
    for key, value in extra.items():
        manifest += f"    {key}: {value}\n"
    path = project({**WORKSPACE, "evalkit.yaml": manifest})
    return list(load_manifest(path, env={}).agents[0].workspace_files())


def test_junk_and_declared_examples_are_left_out(project: Callable[[Files], Path]) -> None:
    files = agent_files(project, "ws/", examples="ws/examples/")
    assert files == [
        "AGENT.md",
        "cases/two/expected.json",
        "cases/two/input.json",
        "data/big.bin",
        "data/keep.txt",
        "drafts/old.md",
        "skills/pdf/SKILL.md",
        "tool.py",
    ]


def test_exclude_globs_by_name_and_by_path(project: Callable[[Files], Path]) -> None:
    files = agent_files(
        project,
        "{path: ws/, exclude: ['*.bin', drafts/, 'skills/**/SKILL.md', /cases]}",
        examples="ws/examples/",
    )
    assert files == ["AGENT.md", "data/keep.txt", "tool.py"]


def test_default_excludes_can_be_switched_off(project: Callable[[Files], Path]) -> None:
    files = agent_files(project, "{path: ws/, default_excludes: false, exclude: [examples]}")
    assert ".DS_Store" in files
    assert ".env" in files
    assert ".git/config" in files
    assert not any(f.startswith("examples/") for f in files)


def test_an_examples_folder_elsewhere_in_the_workspace_is_not_listed(
    project: Callable[[Files], Path],
) -> None:
    files = agent_files(project, "{path: ws/, exclude: [examples]}", examples="ws/cases/")
    assert not any(f.startswith("cases/") for f in files)
    assert "data/keep.txt" in files


def test_files_are_sorted_relative_posix_paths_to_real_files(
    project: Callable[[Files], Path],
) -> None:
    path = project(
        {
            **WORKSPACE,
            "evalkit.yaml": (
                "version: 1\nagents:\n  - {slug: a, workspace: ws, examples: ws/examples}\n"
            ),
        }
    )
    files = load_manifest(path, env={}).agents[0].workspace_files()
    assert list(files) == sorted(files)
    assert files["skills/pdf/SKILL.md"] == (path.parent / "ws/skills/pdf/SKILL.md").resolve()
    assert all(p.is_file() for p in files.values())


def test_links_out_of_the_project_and_folder_links_are_refused(tmp_path: Path) -> None:
    write_files(tmp_path / "outside", {"secret.txt": "s3cr3t"})
    project_dir = tmp_path / "p"
    write_files(
        project_dir,
        {
            "ws/AGENT.md": "# a\n",
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, workspace: ws}\n",
        },
    )
    (project_dir / "ws" / "stolen.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    (project_dir / "ws" / "linked").symlink_to(tmp_path / "outside")
    (project_dir / "ws" / "inside.md").symlink_to(project_dir / "ws" / "AGENT.md")
    agent = load_manifest(project_dir / "evalkit.yaml", env={}).agents[0]
    with pytest.raises(ManifestError) as caught:
        agent.workspace_files()
    messages = sorted((p.message, p.hint) for p in caught.value.problems)
    fix = "or replace it with a plain file in the project"
    assert messages == [
        (
            "workspace entry 'linked' is a link to a folder",
            f'exclude it (workspace: {{path: ..., exclude: ["linked"]}}), {fix}',
        ),
        (
            "workspace entry 'stolen.txt' links outside the project",
            f'exclude it (workspace: {{path: ..., exclude: ["stolen.txt"]}}), {fix}',
        ),
    ]


#: names a file system stores and the platform refuses (contract A7), each disguising a traversal
DISGUISED = ["%2e%2e", "%252e%252e", "a%2fb.md", "\uff0e\uff0e", "a\u2215b.md", "%2e"]


@pytest.mark.parametrize("name", DISGUISED)
def test_a_name_the_platform_refuses_is_a_problem_at_the_file(tmp_path: Path, name: str) -> None:
    write_files(
        tmp_path,
        {
            "ws/AGENT.md": "# a\n",
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, workspace: ws}\n",
        },
    )
    (tmp_path / "ws" / name).write_text("x\n")
    agent = load_manifest(tmp_path / "evalkit.yaml", env={}).agents[0]
    with pytest.raises(ManifestError) as caught:
        agent.workspace_files()
    [problem] = caught.value.problems
    assert problem.mark.file.endswith(f"ws/{name}")
    assert problem.message == (
        f"workspace entry {name!r} is not a safe relative path: {unsafe_path_reason(name)}"
    )
    assert problem.hint.startswith("rename it to a plain name")
    quoted = json.dumps(name, ensure_ascii=False)
    assert problem.hint.endswith(f"or exclude it (workspace: {{path: ..., exclude: [{quoted}]}})")


@pytest.mark.parametrize("name", [*DISGUISED, "100%.md", "caf\u00e9.md", "a b.md", "..x", ".env.x"])
def test_the_workspace_takes_exactly_the_names_the_platform_takes(
    tmp_path: Path, name: str
) -> None:
    """One rule: what validates is what plan and sync (and the platform) accept."""
    write_files(tmp_path, {"evalkit.yaml": "version: 1\nagents:\n  - {slug: a, workspace: ws}\n"})
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / name).write_text("x\n")
    agent = load_manifest(tmp_path / "evalkit.yaml", env={}).agents[0]
    try:
        listed = list(agent.workspace_files())
    except ManifestError:
        listed = []
    assert (listed == [name]) is (unsafe_path_reason(name) is None)


def test_an_agent_without_workspace_has_no_files(project: Callable[[Files], Path]) -> None:
    path = project({"evalkit.yaml": "version: 1\nagents:\n  - slug: a\n"})
    assert load_manifest(path, env={}).agents[0].workspace_files() == {}


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("*.pyc", ["a.pyc", "x/y/a.pyc"], ["a.py", "a.pyc.txt"]),
        ("__pycache__", ["__pycache__", "a/__pycache__/b.pyc"], ["__pycache__x"]),
        ("drafts/", ["drafts", "drafts/a.md", "x/drafts/a.md"], ["draftsx"]),
        ("/drafts", ["drafts", "drafts/a.md"], ["x/drafts/a.md"]),
        ("docs/*.md", ["docs/a.md"], ["docs/x/a.md", "a/docs/a.md"]),
        ("docs/**/*.md", ["docs/a.md", "docs/x/y/a.md"], ["docs/a.txt"]),
        ("**/tmp", ["tmp", "a/tmp", "a/b/tmp/c"], ["tmpx"]),
        ("file?.txt", ["file1.txt"], ["file10.txt"]),
        ("[!a]*.log", ["b.log"], ["a.log"]),
    ],
)
def test_glob_patterns(pattern: str, matching: list[str], not_matching: list[str]) -> None:
    regex = glob_regex(pattern)
    assert all(regex.match(p) for p in matching)
    assert not any(regex.match(p) for p in not_matching)


@pytest.mark.parametrize("pattern", ["/", "[abc"])
def test_bad_glob_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="exclude pattern"):
        glob_regex(pattern)
