"""Whatever a manifest holds, loading it ends in a manifest or a ManifestError: never another
exception (which the CLI would show as a traceback)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest import load_manifest
from evalkit.manifest.checks import validate_manifest
from tests.manifest.project_files import write_files

KEYS = [
    "version",
    "include",
    "defaults",
    "gates",
    "agents",
    "workflows",
    "environments",
    "slug",
    "name",
    "config",
    "workspace",
    "examples",
    "folder",
    "input",
    "input_files",
    "expected",
    "expected_files",
    "compare",
    "rules",
    "ignore",
    "files",
    "mode",
    "tolerance",
    "regex",
    "workflow",
    "tags",
    "exclude",
    "/total",
    "*.csv",
    "data",
    "data/a.json",
    "${X}",
    "../x",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-2, 2)
    | st.sampled_from(
        ["", "1", "x", "data", "data/", "data/a.json", "../..", "/etc", "${UNSET}", "$${X}", "[a-"]
    )
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=25,
)
example = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["case", "one", "Bad Name", ""]),
        "folder": st.sampled_from(["data", "data/case", "missing", "../.."]),
        "input": values,
        "input_files": st.dictionaries(st.sampled_from(["doc", "a"]), scalars, max_size=2),
        "expected": values,
        "expected_files": st.dictionaries(st.sampled_from(["out.csv", "../x"]), scalars),
        "examples": st.dictionaries(st.sampled_from(["case", "cse"]), values, max_size=2),
        "compare": values,
        "tags": values,
    },
)
agent = st.fixed_dictionaries(
    {"slug": st.sampled_from(["a", "b", "Bad Slug"])},
    optional={
        "name": scalars,
        "config": values,
        "workspace": st.sampled_from(["data", "data/", "missing", "/etc", "data/a.json"])
        | st.fixed_dictionaries({"path": scalars}, optional={"exclude": values}),
        "examples": st.sampled_from(["data", "data/case"]) | st.lists(example, max_size=3),
        "compare": values,
        "gates": values,
        "tags": values,
    },
)
manifests = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 1, 2, "1"])},
    optional={
        **dict.fromkeys(["include", "defaults", "gates", "environments"], values),
        "agents": st.lists(agent, max_size=3) | values,
        "workflows": st.lists(
            st.fixed_dictionaries(
                {"workflow": st.sampled_from(["w", "W W"])},
                optional={"version": scalars, "examples": st.lists(example, max_size=2)},
            ),
            max_size=2,
        ),
    },
)


def outcome(root: Path) -> list[ManifestProblem] | None:
    try:
        validate_manifest(root / "evalkit.yaml", env={"X": "1"})
    except ManifestError as err:
        return err.problems
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests)
def test_loading_anything_raises_only_manifest_errors(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_files(
            root,
            {
                "evalkit.yaml": json.dumps(data),
                "data/a.json": {"a": 1},
                "data/case/input.json": {},
                "data/case/expected.json": {"b": 1},
            },
        )
        problems = outcome(root)
        if problems is None:
            load_manifest(root / "evalkit.yaml", env={"X": "1"})
    assert problems is None or all(p.message for p in problems)
