"""The example project's workflow runs end to end on the real invoice-extractor agent.

The invoker here is an adapter, not a fake: it runs the agent's real workspace through the
agent runtime, as the platform's queue would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from evalkit.emulator.runtime import AgentJob, InputFile, run_agent_job
from evalkit.emulator.workflows import AgentStepResult

from .conftest import Platform, PlatformFactory

ROOT = Path(__file__).resolve().parents[3]
PLATFORM_DIR = ROOT / "examples" / "workflow-suite" / "platform"
AGENT_DIR = ROOT / "examples" / "invoices" / "agents" / "invoice-extractor"
MANIFEST = ROOT / "examples" / "workflow-suite" / "evalkit.yaml"


class WorkspaceInvoker:
    """Runs the example agent from its folder with ``run_agent_job``."""

    def __init__(self, scratch_root: Path) -> None:
        self.scratch_root = scratch_root
        self.workspace = {
            path.relative_to(AGENT_DIR).as_posix(): path.read_bytes()
            for path in AGENT_DIR.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }

    def run_agent_and_wait(
        self,
        agent: str,
        input_json: dict[str, Any],
        *,
        cancel: threading.Event,
        timeout_seconds: float,
        input_files: Sequence[InputFile] = (),
    ) -> AgentStepResult:
        assert agent == "invoice-extractor"
        job = AgentJob(
            execution_id="exec_example",
            workspace=self.workspace,
            config={"runtime": {"timeoutSeconds": timeout_seconds}},
            input_json=input_json,
            input_files=list(input_files),
            scratch_root=self.scratch_root,
            cancel=cancel,
        )
        outcome = run_agent_job(job)
        return AgentStepResult(outcome.status, outcome.output, outcome.error, "exec_example")


def manifest_defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = yaml.safe_load(MANIFEST.read_text()).get("defaults", {})
    return defaults


def manifest_examples() -> list[tuple[str, dict[str, Any]]]:
    """(version, example) for every suite of the pipeline (one per pinned version)."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    suites = [w for w in manifest["workflows"] if w["workflow"] == "invoice-pipeline"]
    assert suites, f"{MANIFEST} has no invoice-pipeline suite"
    return [(suite.get("version", "latest"), ex) for suite in suites for ex in suite["examples"]]


@pytest.fixture
def example_platform(platform: PlatformFactory, tmp_path: Path) -> Platform:
    if not AGENT_DIR.joinpath("main.py").exists():
        pytest.fail(f"the example agent is missing: {AGENT_DIR}")
    return platform(definitions_dir=PLATFORM_DIR, invoker=WorkspaceInvoker(tmp_path / "scratch"))


def test_example_definitions_load_with_two_versions(example_platform: Platform) -> None:
    versions = example_platform.client.get("/api/v1/workflows/invoice-pipeline/versions").json()
    assert [(v["version"], v["isCurrent"]) for v in versions["data"]] == [
        ("v2", True),
        ("v1", False),
    ]


@pytest.mark.parametrize(
    ("version", "example"),
    [
        pytest.param(version, ex, id=f"{version}-{ex['name']}")
        for version, ex in manifest_examples()
    ],
)
def test_manifest_examples_pass_on_their_version(
    example_platform: Platform, version: str, example: dict[str, Any]
) -> None:
    (field, relative), *_ = example["input_files"].items()
    path = (MANIFEST.parent / relative).resolve()
    response = example_platform.client.post(
        "/api/v1/workflows/invoice-pipeline/run",
        params={"wait_for_completion": 60, "version": version},
        data={"_json": json.dumps({"input": example.get("input", {})})},
        files={field: (path.name, path.read_bytes())},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"] == "completed", answer.get("error")
    ignored = {path.lstrip("/") for path in manifest_defaults()["compare"].get("ignore", [])}
    result = {key: value for key, value in answer["result"].items() if key not in ignored}
    assert set(result) == set(example["expected"])
    for key, expected in example["expected"].items():
        if isinstance(expected, float):
            assert result[key] == pytest.approx(expected, abs=0.01)
        elif key == "vendor":
            assert result[key].casefold() == expected.casefold()
        else:
            assert result[key] == expected
