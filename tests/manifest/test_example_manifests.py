"""The manifests shipped in examples/ validate, and say what the brief asks of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evalkit.compare.rules import FileMode, ListOrder
from evalkit.manifest import load_manifest
from evalkit.manifest.checks import validate_manifest
from tests.manifest.project_files import write_files

ROOT = Path(__file__).resolve().parents[2]
INVOICES = ROOT / "examples/invoices/evalkit.yaml"
SUITE = ROOT / "examples/workflow-suite/evalkit.yaml"


@pytest.mark.parametrize("path", [INVOICES, SUITE], ids=lambda p: p.parent.name)
def test_example_manifests_validate(path: Path) -> None:
    summary = validate_manifest(path, env={})
    assert summary.example_count > 0


def test_invoice_manifest_rules_on_a_stand_in_agent(tmp_path: Path) -> None:
    """The manifest alone (copied next to a minimal workspace), so that what it declares is
    checked whatever the agent's own examples are."""
    shutil.copy(INVOICES, tmp_path / "evalkit.yaml")
    write_files(
        tmp_path / "agents/invoice-extractor",
        {
            "main.py": "print('{}')\n",
            "examples/one/input/invoice.txt": "Invoice\n",
            "examples/one/expected.json": {"total": 1},
            "examples/one/expected/line_items.csv": "a\n",
        },
    )
    manifest = load_manifest(tmp_path / "evalkit.yaml", env={"PR_NUMBER": "42"})
    (agent,) = manifest.agents
    assert (agent.slug, agent.config) == (
        "invoice-extractor",
        {"triggers": {"api": {"enabled": True}}},
    )
    assert list(agent.workspace_files()) == ["main.py"]
    (example,) = agent.examples
    rules = example.compare.rules
    assert example.compare.ignore == ["/generatedAt"]
    for pointer in ("/subtotal", "/tax", "/total", "/lineItems/*/amount", "/lineItems/*/unitPrice"):
        assert rules[pointer].tolerance == 0.01
    assert rules["/lineItems"].order is ListOrder.IGNORE
    csv = example.compare.files["line_items.csv"]
    assert (csv.mode, csv.order) == (FileMode.CSV, ListOrder.IGNORE)
    assert agent.gates.min_pass_rate == 1.0
    assert agent.gates.max_regressions == 0
    assert manifest.with_environment("pr").agents[0].slug == "invoice-extractor-pr-42"
    local = load_manifest(tmp_path / "evalkit.yaml", env={}).with_environment("pr")
    assert local.agents[0].slug == "invoice-extractor-pr-local"


def test_workflow_suite_reuses_the_invoice_agent_inside_the_checkout() -> None:
    manifest = load_manifest(SUITE, env={})
    assert manifest.project_root == ROOT
    (agent,) = manifest.agents
    assert agent.workspace is not None
    assert agent.workspace.path == ROOT / "examples/invoices/agents/invoice-extractor"
    current, pinned = manifest.workflows
    assert (current.workflow, current.version) == ("invoice-pipeline", "latest")
    assert (pinned.workflow, pinned.version) == ("invoice-pipeline", "v1")
    assert [e.name for e in current.examples] == ["harbor-usd", "nordlicht-eur"]
    assert all(set(e.input_files) == {"invoice"} for e in manifest.examples())


def test_workflow_suite_names_the_folder_its_local_platform_loads() -> None:
    folder = load_manifest(SUITE, env={}).local_workflows_dir
    assert folder == ROOT / "examples/workflow-suite/platform"
    assert folder is not None
    assert sorted(p.name for p in folder.glob("*.yaml")) == [
        "invoice-pipeline.yaml",
        "invoice-pipeline@v1.yaml",
    ]


def test_pinned_v1_expects_what_the_agent_example_expects() -> None:
    """v1's result is the extractor's output: the same as the agent example's expected.json."""
    manifest = load_manifest(SUITE, env={})
    agent_example = next(
        e for e in manifest.agents[0].examples if e.name == "harbor-quoted-csv-usd"
    )
    (pinned,) = manifest.workflows[1].examples
    assert pinned.expected_json == agent_example.expected_json
    assert pinned.input_files == agent_example.input_files
