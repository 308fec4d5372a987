"""json_schema rules: paths anchored through the manifest's resolver, problems at the rule's
key, schema files read once per version, relative paths never silently passed."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from evalkit.compare import CompareSpec, compare_json
from evalkit.compare.schema_files import _load, anchor_json_schemas
from evalkit.safe_paths import resolve_manifest_path


def resolver(root: Path, folder: Path) -> functools.partial[Path]:
    return functools.partial(resolve_manifest_path, root, start=folder)


def project(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir(parents=True)
    (tmp_path / "schemas" / "answer.json").write_text(
        json.dumps({"type": "object", "required": ["total"]}), encoding="utf-8"
    )
    return tmp_path


def test_paths_are_anchored_relative_to_the_manifest_folder(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "agents").mkdir()
    spec = CompareSpec.model_validate(
        {
            "rules": {"": {"json_schema": "../schemas/answer.json"}, "/n": {"weight": 2}},
            "files": {
                "out.json": {"compare": {"rules": {"": {"json_schema": "../schemas/answer.json"}}}}
            },
        }
    )
    anchored, problems = anchor_json_schemas(spec, resolver(root, root / "agents"))
    assert problems == []
    assert anchored is not None
    target = str((root / "schemas" / "answer.json").resolve())
    assert anchored.rules[""].json_schema == target
    assert anchored.rules["/n"] == spec.rules["/n"]
    inner = anchored.files["out.json"].compare
    assert inner is not None
    assert inner.rules[""].json_schema == target
    assert not compare_json({}, {"x": 1}, anchored).passed
    assert compare_json({}, {"total": 1}, anchored).passed


def test_a_block_without_schemas_is_returned_as_is(tmp_path: Path) -> None:
    spec = CompareSpec.model_validate({"rules": {"/a": {"contains": ["x"]}}})
    assert anchor_json_schemas(spec, resolver(tmp_path, tmp_path)) == (spec, [])
    assert anchor_json_schemas(None, resolver(tmp_path, tmp_path)) == (None, [])


@pytest.mark.parametrize(
    ("written", "content", "message"),
    [
        ("../outside.json", None, "leads outside"),
        ("schemas/nope.json", None, "json_schema file 'schemas/nope.json' not found"),
        ("schemas", None, "is a folder"),
        ("schemas/bad.json", "{not json", "json_schema file 'bad.json' is not valid JSON: "),
        ("schemas/bad.json", "[1, 2]", "json_schema file 'bad.json' is not a JSON Schema"),
        (
            "schemas/bad.json",
            '{"type": "nonsense"}',
            "json_schema file 'bad.json' is not a valid JSON Schema: $.type: 'nonsense' is not",
        ),
    ],
)
def test_unusable_schema_files_are_problems_at_the_rule(
    tmp_path: Path, written: str, content: str | None, message: str
) -> None:
    root = project(tmp_path / "project")
    if content is not None:
        (root / "schemas" / "bad.json").write_text(content, encoding="utf-8")
    spec = CompareSpec.model_validate({"rules": {"/a": {"json_schema": written}}})
    anchored, problems = anchor_json_schemas(spec, resolver(root, root))
    (problem,) = problems
    assert problem.loc == ("rules", "/a", "json_schema")
    assert message in problem.message
    assert problem.hint
    # the rule keeps its path as written: a run reports it rather than pass the value
    assert anchored is not None
    (difference,) = compare_json({"a": 1}, {"a": 1}, anchored).differences
    assert difference.rule == (
        f"json_schema {written!r} was not checked: its path was not resolved against the "
        "manifest's folder"
    )


def test_a_schema_broken_after_loading_is_a_difference_not_a_crash(tmp_path: Path) -> None:
    root = project(tmp_path)
    spec = CompareSpec.model_validate({"rules": {"": {"json_schema": "schemas/answer.json"}}})
    anchored, _ = anchor_json_schemas(spec, resolver(root, root))
    (root / "schemas" / "answer.json").write_text("{", encoding="utf-8")
    (difference,) = compare_json({}, {"total": 1}, anchored).differences
    assert difference.rule is not None
    assert difference.rule.startswith("json_schema cannot be used: json_schema file 'answer.json'")


@pytest.mark.parametrize(
    ("schema", "ref"),
    [
        ({"$ref": "https://example.com/s.json"}, "https://example.com/s.json"),
        (
            {"type": "object", "properties": {"a": {"$ref": "http://example.com/s.json#/x"}}},
            "http://example.com/s.json#/x",
        ),
        ({"$ref": "other.json"}, "other.json"),
        ({"$defs": {"a": {"$ref": "other.json#/$defs/b"}}}, "other.json#/$defs/b"),
        ({"$id": "https://example.com/root.json", "$ref": "item.json"}, "item.json"),
        ({"$ref": "file:///etc/passwd"}, "file:///etc/passwd"),
        ({"$ref": "#/$defs/missing"}, "#/$defs/missing"),
    ],
)
def test_a_ref_outside_the_schema_file_is_a_problem_at_the_rule(
    tmp_path: Path, schema: dict[str, object], ref: str
) -> None:
    root = project(tmp_path)
    (root / "schemas" / "other.json").write_text(json.dumps({"type": "string"}), "utf-8")
    (root / "schemas" / "answer.json").write_text(json.dumps(schema), encoding="utf-8")
    spec = CompareSpec.model_validate({"rules": {"/a": {"json_schema": "schemas/answer.json"}}})
    _, problems = anchor_json_schemas(spec, resolver(root, root))
    (problem,) = problems
    assert problem.loc == ("rules", "/a", "json_schema")
    why = (
        "points at nothing in the file"
        if ref.startswith("#")
        else "is not in the file (refs to other files and the network are never fetched)"
    )
    assert problem.message == f"json_schema file 'answer.json': $ref {ref!r} {why}"
    assert "$defs" in problem.hint


def test_refs_inside_the_schema_file_work(tmp_path: Path) -> None:
    root = project(tmp_path)
    schema = {
        "$id": "https://example.com/answer.json",
        "$defs": {
            "money": {"type": "number", "minimum": 0},
            "named": {"$anchor": "named", "type": "string"},
            "nested": {"$id": "nested.json", "$defs": {"n": {"type": "integer"}}},
        },
        "type": "object",
        "properties": {
            "total": {"$ref": "#/$defs/money"},
            "vendor": {"$ref": "#named"},
            "count": {"$ref": "nested.json#/$defs/n"},
            "again": {"$ref": "https://example.com/answer.json#/$defs/money"},
            "meta": {"$ref": "https://json-schema.org/draft/2020-12/schema"},
            "self": {"$ref": "#"},
        },
    }
    (root / "schemas" / "answer.json").write_text(json.dumps(schema), encoding="utf-8")
    spec = CompareSpec.model_validate({"rules": {"": {"json_schema": "schemas/answer.json"}}})
    anchored, problems = anchor_json_schemas(spec, resolver(root, root))
    assert problems == []
    good = {"total": 1, "vendor": "ACME", "count": 2, "again": 3, "meta": {"type": "string"}}
    assert compare_json({}, good, anchored).passed
    (difference,) = compare_json({}, {**good, "count": 2.5, "total": -1}, anchored).differences
    assert difference.rule is not None
    assert difference.rule.startswith("does not match schema answer.json: $.count")


def test_a_schema_file_is_read_once_per_version(tmp_path: Path) -> None:
    root = project(tmp_path)
    spec = CompareSpec.model_validate({"rules": {"": {"json_schema": "schemas/answer.json"}}})
    anchored, _ = anchor_json_schemas(spec, resolver(root, root))
    _load.cache_clear()
    for _ in range(50):
        compare_json({}, {"total": 1}, anchored)
    assert _load.cache_info().misses == 1
