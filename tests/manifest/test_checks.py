from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError
from evalkit.manifest.checks import validate_manifest
from tests.manifest.project_files import Files, write_files

MANIFEST = "version: 1\nagents:\n  - {slug: a, workspace: ws, examples: ws/examples}\n"
EXAMPLE: Files = {
    "ws/examples/one/input.json": {"q": 1},
    "ws/examples/one/expected.json": {"a": 1},
}


def test_a_valid_project_gives_a_summary(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": MANIFEST + "environments: {pr: {slug: '{slug}-pr'}}\n",
            "ws/AGENT.md": "# a\n",
            "ws/output-schema.json": {"type": "object", "required": ["a"]},
            **EXAMPLE,
        }
    )
    summary = validate_manifest(path, env={})
    assert summary.as_dict() == {
        "valid": True,
        "manifest": summary.manifest,
        "files": [summary.manifest],
        "agents": [{"slug": "a", "target_slug": "a", "workspace_files": 2, "examples": 1}],
        "workflows": [],
        "environments": ["pr"],
        "environment": None,
        "examples": 1,
        "digest": summary.digest,
        "warnings": [],
    }
    assert summary.manifest.endswith("evalkit.yaml")
    pr = validate_manifest(path, env={}, environment="pr")
    assert (pr.environment, pr.agents[0].target_slug) == ("pr", "a-pr")


def test_workspace_json_and_schemas_are_checked(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": MANIFEST,
            "ws/input-schema.json": {"type": "object", "properties": {"a": {"type": "strnig"}}},
            "ws/data/table.json": '{"rows": [1, 2,]}',
            "ws/custom.schema.json": {"minimum": "zero"},
            "ws/not-a-schema.json": {"type": "nothing-checked-here"},
            **EXAMPLE,
        }
    )
    with pytest.raises(ManifestError) as caught:
        validate_manifest(path, env={})
    found = sorted((Path(p.mark.file).name, p.mark.line, p.message) for p in caught.value.problems)
    assert [(name, line) for name, line, _ in found] == [
        ("custom.schema.json", 1),
        ("input-schema.json", 1),
        ("table.json", 1),
    ]
    assert "invalid JSON Schema at /minimum" in found[0][2]
    assert "invalid JSON Schema at /properties/a/type" in found[1][2]
    assert found[2][2].startswith("invalid JSON: Expecting value")


def test_validate_reads_each_manifest_file_once(
    project: Callable[[Files], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from evalkit.manifest import blocks, loader, yaml_source

    read: list[Path] = []
    read_yaml = yaml_source.read_yaml

    def counting(path: Path, display: str) -> object:
        read.append(path)
        return read_yaml(path, display)

    monkeypatch.setattr(loader, "read_yaml", counting)
    monkeypatch.setattr(blocks, "read_yaml", counting)
    path = project(
        {
            "evalkit.yaml": "version: 1\ninclude: [more.yaml]\n",
            "more.yaml": (
                "version: 1\nagents:\n  - slug: a\n    examples:\n"
                "      - {name: one, input: {}, expected: {total: 1},"
                " compare: {rules: {/totl: {tolerance: 1}}}}\n"
            ),
        }
    )
    summary = validate_manifest(path, env={})
    assert [w.key for w in summary.warnings] == ['agents[0].examples[0].compare.rules["/totl"]']
    assert sorted(read) == sorted({path.resolve(), (path.parent / "more.yaml").resolve()})


def expected_file_problems(path: Path) -> list[tuple[str, int, int, str, str]]:
    with pytest.raises(ManifestError) as caught:
        validate_manifest(path, env={})
    return sorted(
        (Path(p.mark.file).name, p.mark.line, p.mark.column, p.message, p.hint)
        for p in caught.value.problems
    )


@pytest.mark.parametrize("depth", [65, 100, 5000])
def test_an_expected_json_file_nested_too_deep_is_refused_at_its_place(
    project: Callable[[Files], Path], depth: int
) -> None:
    path = project(
        {
            "evalkit.yaml": MANIFEST,
            "ws/examples/one/input.json": {"q": 1},
            "ws/examples/one/expected/t.json": "[" * depth + "]" * depth,
        }
    )
    assert expected_file_problems(path) == [
        (
            "t.json",
            1,
            65,
            "lists and objects nested more than 64 deep",
            "evalkit reads at most 64 levels; flatten this value",
        )
    ]


def test_expected_json_files_follow_the_rules_of_expected_json(
    project: Callable[[Files], Path],
) -> None:
    path = project(
        {
            "evalkit.yaml": MANIFEST,
            "ws/examples/one/input.json": {"q": 1},
            "ws/examples/one/expected/a.json": '{"a": 1,\n "a": 2}',
            "ws/examples/one/expected/ok.json": "[" * 64 + "]" * 64,
        }
    )
    [(name, line, column, message, _)] = expected_file_problems(path)
    assert (name, line, column) == ("a.json", 2, 2)
    assert message == "invalid JSON: the key 'a' appears twice in one object"


def test_an_expected_csv_file_naming_a_column_twice_is_refused(
    project: Callable[[Files], Path],
) -> None:
    path = project(
        {
            "evalkit.yaml": MANIFEST,
            "ws/examples/one/input.json": {"q": 1},
            "ws/examples/one/expected/t.csv": "a,a\n9,2\n",
        }
    )
    assert expected_file_problems(path) == [
        (
            "t.csv",
            1,
            1,
            "the expected file's header names the column 'a' twice (columns 1 and 2): each "
            "cell is compared by its column's name, so give each column its own name",
            "rename one of them, or compare the file as text "
            '(compare: {files: {"t.csv": {mode: text}}})',
        )
    ]


def test_expected_files_are_read_in_the_mode_their_rule_gives(
    project: Callable[[Files], Path],
) -> None:
    files_rules = "compare: {files: {t.csv: {mode: text}, deep.json: {ignore: true}}}"
    path = project(
        {
            "evalkit.yaml": MANIFEST.replace(
                "examples: ws/examples}", f"examples: ws/examples, {files_rules}}}"
            ),
            "ws/AGENT.md": "# a\n",
            "ws/examples/one/input.json": {"q": 1},
            "ws/examples/one/expected.json": {"a": 1},
            "ws/examples/one/expected/t.csv": "a,a\n9,2\n",
            "ws/examples/one/expected/deep.json": "[" * 100 + "]" * 100,
            "ws/examples/one/expected/t.txt.json": "not json",
        }
    )
    assert [p[:2] for p in expected_file_problems(path)] == [("t.txt.json", 1)]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """A mistake in one part of the manifest does not hide the problems of another: an agent's
    workspace is walked (links out of the project refused) while another agent's entry or
    examples are wrong, and a scorer of a valid agent is checked beside them."""
    outside = tmp_path / "outside"
    write_files(outside, {"secret.txt": "s3cr3t"})
    root = tmp_path / "p"
    manifest = """version: 1
agents:
  - slug: a
    descripton: typo
    workspace: missing/
  - slug: b
    examples:
      - {name: x, input: {q: 1}}
  - slug: c
    workspace: ws
    compare: {rules: {/x: {python: "../evil_scorer.py:f"}}}
"""
    write_files(root, {"evalkit.yaml": manifest, "ws/AGENT.md": "# c\\n"})
    (root / "ws" / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "ws" / "etcdir").symlink_to(outside)
    with pytest.raises(ManifestError) as caught:
        validate_manifest(root / "evalkit.yaml", env={})
    found = [(Path(p.mark.file).name, p.mark.line, p.message) for p in caught.value.problems]
    assert found == [
        ("evalkit.yaml", 4, "unknown key 'descripton' in agents[0]"),
        ("evalkit.yaml", 8, "example 'x' expects nothing"),
        (
            "evalkit.yaml",
            11,
            f"python: path '../evil_scorer.py' leads outside the project folder {root}",
        ),
        ("etcdir", 0, "workspace entry 'etcdir' is a link to a folder"),
        ("leak.txt", 0, "workspace entry 'leak.txt' links outside the project"),
    ]


def test_a_rejected_entry_says_that_more_may_follow(project: Callable[[Files], Path]) -> None:
    """What an entry holds is checked only once the entry is valid: its problems say so."""
    path = project({"evalkit.yaml": MANIFEST.replace("{slug: a,", "{slug: a, descripton: x,")})
    with pytest.raises(ManifestError) as caught:
        validate_manifest(path, env={})
    [problem] = caught.value.problems
    assert problem.message == "unknown key 'descripton' in agents[0]"
    assert problem.hint.endswith("; more problems in agents[0] may show once this is fixed")
