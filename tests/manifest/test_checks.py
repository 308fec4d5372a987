from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError
from evalkit.manifest.checks import validate_manifest
from tests.manifest.project_files import Files

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
