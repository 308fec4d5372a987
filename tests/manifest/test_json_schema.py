from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from evalkit.manifest.json_schema import (
    SCHEMA_PATH,
    manifest_json_schema,
    render_schema,
    undescribed_fields,
)
from evalkit.manifest.scaffold import SCHEMA_NAME

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "evalkit/manifest/templates/project/evalkit.yaml"
EXAMPLE_MANIFESTS = sorted((ROOT / "examples").glob("*/evalkit.yaml"))


def test_committed_schema_is_up_to_date() -> None:
    committed = (ROOT / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == render_schema(), "run 'evalkit schema' and commit the result"


def test_every_field_has_a_description() -> None:
    assert undescribed_fields(manifest_json_schema()) == []


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(manifest_json_schema())


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [*EXAMPLE_MANIFESTS, TEMPLATE], ids=lambda p: p.parent.name)
def test_shipped_manifests_satisfy_the_schema_and_point_at_it(path: Path) -> None:
    errors = list(Draft202012Validator(manifest_json_schema()).iter_errors(_load(path)))
    assert errors == []
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# yaml-language-server: $schema=")
    target = (path.parent / header.split("$schema=", 1)[1]).resolve()
    # examples point at the committed schema; init writes the schema beside its manifest
    expected = path.parent / SCHEMA_NAME if path == TEMPLATE else ROOT / SCHEMA_PATH
    assert target == expected.resolve()


def test_the_schema_rejects_what_validation_rejects() -> None:
    validator = Draft202012Validator(manifest_json_schema())
    bad = {"version": 1, "agents": [{"slug": "Bad Slug", "nmae": "x"}]}
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert len(messages) == 2
    assert any("nmae" in m for m in messages)
    assert any("Bad Slug" in m for m in messages)


def test_the_schema_knows_local_platform_and_ignored_files() -> None:
    validator = Draft202012Validator(manifest_json_schema())
    good = {
        "version": 1,
        "local_platform": {"workflows": "platform/"},
        "defaults": {"compare": {"files": {"*.log": {"ignore": True}}}},
    }
    assert list(validator.iter_errors(good)) == []
    bad = {"version": 1, "local_platform": {"workflows": 3, "extra": 1}}
    (error,) = validator.iter_errors(bad)  # 'local_platform' may also be null: one anyOf error
    reasons = sorted(e.message for e in error.context or [])
    assert any("'extra' was unexpected" in r for r in reasons)
    assert any("3 is not valid" in r for r in reasons)


def test_the_gates_description_states_the_every_example_must_pass_default() -> None:
    gates = manifest_json_schema()["$defs"]["Gates"]["description"]
    assert "every example must" in gates
    assert "not checked" not in gates
