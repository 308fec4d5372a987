from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.conventions import MANIFEST_NAME
from evalkit.emulator.runtime import AgentJob, run_agent_job
from evalkit.errors import ConfigError
from evalkit.manifest import load_manifest
from evalkit.manifest.checks import validate_manifest
from evalkit.manifest.json_schema import render_schema
from evalkit.manifest.scaffold import SCHEMA_NAME, scaffold_project


def test_init_writes_a_project_that_validates_at_once(tmp_path: Path) -> None:
    target = tmp_path / "new-project"
    written = scaffold_project(target)
    names = sorted(p.relative_to(target).as_posix() for p in written)
    assert names == [
        ".gitignore",
        "agents/greeter/AGENT.md",
        "agents/greeter/examples/ada/expected.json",
        "agents/greeter/examples/ada/input.json",
        "agents/greeter/input-schema.json",
        "agents/greeter/main.py",
        "agents/greeter/output-schema.json",
        SCHEMA_NAME,
        MANIFEST_NAME,
    ]
    summary = validate_manifest(target / MANIFEST_NAME, env={})
    assert [(a.slug, a.examples) for a in summary.agents] == [("greeter", 1)]
    assert (target / SCHEMA_NAME).read_text() == render_schema()
    assert (target / ".gitignore").read_text() == ".evalkit/\n"


def test_the_scaffolded_agent_passes_its_example_on_the_local_runtime(tmp_path: Path) -> None:
    scaffold_project(tmp_path / "p")
    manifest = load_manifest(tmp_path / "p" / MANIFEST_NAME, env={})
    agent = manifest.agents[0]
    (example,) = agent.examples
    workspace = {name: path.read_bytes() for name, path in agent.workspace_files().items()}
    workspace.update(example.platform_content())
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    outcome = run_agent_job(
        AgentJob(
            execution_id="exec_test",
            workspace=workspace,
            config=agent.config,
            input_json=example.input_json,
            input_files=[],
            scratch_root=scratch,
        )
    )
    assert outcome.error is None
    assert outcome.status == "completed"
    assert outcome.output == example.expected_json
    assert outcome.schema_valid is True


def test_init_refuses_to_overwrite_and_lists_the_clashes(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("version: 1\n")
    with pytest.raises(ConfigError, match=r"these files exist already: evalkit\.yaml"):
        scaffold_project(tmp_path)
    assert (tmp_path / MANIFEST_NAME).read_text() == "version: 1\n"
    scaffold_project(tmp_path, force=True)
    assert "greeter" in (tmp_path / MANIFEST_NAME).read_text()


def test_init_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/")
    scaffold_project(tmp_path)
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n.evalkit/\n"


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is not a folder"):
        scaffold_project(tmp_path / "file")
