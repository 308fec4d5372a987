from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError
from evalkit.manifest import load_manifest
from tests.manifest.project_files import Files

ENVIRONMENTS: Files = {
    "evalkit.yaml": (
        "version: 1\n"
        "agents:\n"
        "  - slug: invoices\n    name: Invoices\n"
        "    examples: [{name: one, expected: {a: 1}}]\n"
        "  - slug: receipts\n"
        "workflows:\n  - workflow: pipeline\n"
        "environments:\n"
        "  pr:\n    slug: '{slug}-pr-${PR_NUMBER:-local}'\n"
        "    name: '{name} (PR ${PR_NUMBER:-local})'\n"
        "  staging:\n    slug: 'staging-{slug}'\n"
    )
}


def test_an_environment_rewrites_every_agent_slug_and_name(
    project: Callable[[Files], Path],
) -> None:
    manifest = load_manifest(project(ENVIRONMENTS), env={"PR_NUMBER": "42"})
    pr = manifest.with_environment("pr")
    assert [(a.slug, a.name) for a in pr.agents] == [
        ("invoices-pr-42", "Invoices (PR 42)"),
        ("receipts-pr-42", "receipts (PR 42)"),
    ]
    assert [a.manifest_slug for a in pr.agents] == ["invoices", "receipts"]
    assert pr.agents[0].examples[0].agent_slug == "invoices-pr-42"
    assert pr.environment == "pr"
    assert pr.agent("invoices") is pr.agents[0]  # found by its manifest slug too
    # the original is untouched, and a second environment starts from the manifest's slugs
    assert manifest.agents[0].slug == "invoices"
    staging = pr.with_environment("staging")
    assert [(a.slug, a.name) for a in staging.agents] == [
        ("staging-invoices", "Invoices"),
        ("staging-receipts", "receipts"),
    ]
    assert [w.workflow for w in staging.workflows] == ["pipeline"]


def test_the_variable_default_applies_without_the_variable(
    project: Callable[[Files], Path],
) -> None:
    pr = load_manifest(project(ENVIRONMENTS), env={}).with_environment("pr")
    assert pr.agents[0].slug == "invoices-pr-local"


def test_an_unknown_environment_suggests_the_closest(project: Callable[[Files], Path]) -> None:
    manifest = load_manifest(project(ENVIRONMENTS), env={})
    with pytest.raises(ManifestError) as caught:
        manifest.with_environment("stagign")
    (problem,) = caught.value.problems
    assert problem.message == "unknown environment 'stagign' (known: pr, staging)"
    assert problem.hint == "did you mean 'staging'?"


def test_an_environment_value_that_makes_a_bad_slug_is_caught_at_load(
    project: Callable[[Files], Path],
) -> None:
    with pytest.raises(ManifestError, match="into invalid slug 'invoices-pr-feature/x'"):
        load_manifest(project(ENVIRONMENTS), env={"PR_NUMBER": "feature/x"})


def test_an_environment_may_not_land_on_another_agent(project: Callable[[Files], Path]) -> None:
    files = {
        "evalkit.yaml": (
            "version: 1\nagents: [{slug: a}, {slug: a-copy}]\n"
            "environments: {copy: {slug: '{slug}-copy'}}\n"
        )
    }
    with pytest.raises(ManifestError, match="maps 'a' onto the existing agent 'a-copy'"):
        load_manifest(project(files), env={})


def test_examples_lists_agents_then_workflows(project: Callable[[Files], Path]) -> None:
    files = {
        "evalkit.yaml": (
            "version: 1\nagents:\n  - slug: a\n    examples: [{name: e1, expected: 1}]\n"
            "workflows:\n  - workflow: w\n    examples: [{name: e2, expected: 2}]\n"
        )
    }
    manifest = load_manifest(project(files), env={})
    assert [(e.name, e.agent_slug, e.workflow) for e in manifest.examples()] == [
        ("e1", "a", None),
        ("e2", None, "w"),
    ]
    with pytest.raises(KeyError):
        manifest.agent("missing")
