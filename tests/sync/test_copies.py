"""Telling an environment's copy from an orphan: by the record first, by the slug template next."""

from __future__ import annotations

import pytest

from evalkit.sync.copies import CopyFinder, CopyOf, slug_pattern
from evalkit.sync.record import LastApplied

from .helpers import record

SLUGS = ("invoice-extractor", "triage")
PR = "{slug}-pr-${PR_NUMBER:-local}"


@pytest.mark.parametrize(
    ("slug", "copy_of"),
    [
        ("invoice-extractor-pr-41", "invoice-extractor"),
        ("invoice-extractor-pr-42", "invoice-extractor"),
        ("invoice-extractor-pr-local", "invoice-extractor"),
        ("triage-pr-7", "triage"),
        ("invoice-extractor-pr-feature-x", "invoice-extractor"),  # a branch name, say
        ("invoice-extractor-prototype", None),
        ("invoice-extractor-pr-", None),
        ("invoice-extractor-pr", None),
        ("invoice-extractor", None),
        ("invoice-extractor-pr-41-", None),
        ("invoice-extractor-pr-Ab", None),
        ("other-agent-pr-41", None),
        ("xinvoice-extractor-pr-41", None),
        ("invoice-extractor-pr-41\n", None),
    ],
)
def test_a_template_fits_every_value_of_its_variables_and_nothing_else(
    slug: str, copy_of: str | None
) -> None:
    pattern = slug_pattern(PR, SLUGS)
    assert pattern is not None
    found = pattern.fullmatch(slug)
    assert (found.group("slug") if found else None) == copy_of


@pytest.mark.parametrize(
    ("template", "slug", "fits"),
    [
        ("{slug}-staging", "triage-staging", True),  # no variable: only that slug
        ("{slug}-staging", "triage-staging-2", False),
        ("${TEAM}-{slug}", "ops-triage", True),
        ("pr${N}-{slug}", "pr12-triage", True),
        ("{slug}-{slug}-${N}", "triage-triage-3", True),
        ("{slug}-{slug}-${N}", "triage-invoice-extractor-3", False),
        ("{slug}-$${N}", "triage-7", False),  # '$${' is a literal '${', not a variable
        ("{slug}.${N}", "triage-1", False),  # '.' is literal, not "any character"
    ],
)
def test_template_shapes(template: str, slug: str, fits: bool) -> None:
    pattern = slug_pattern(template, SLUGS)
    assert pattern is not None
    assert bool(pattern.fullmatch(slug)) is fits


def test_the_longest_declared_slug_wins() -> None:
    pattern = slug_pattern("{slug}-${N}", ["bot", "bot-v2"])
    assert pattern is not None
    found = pattern.fullmatch("bot-v2-9")
    assert found is not None
    assert found.group("slug") == "bot-v2"


def test_no_pattern_without_agents_or_with_a_broken_template() -> None:
    assert slug_pattern(PR, []) is None
    assert slug_pattern("{slug}-${", SLUGS) is None


def finder() -> CopyFinder:
    return CopyFinder.build({"pr": PR, "qa": "{slug}-qa"}, SLUGS)


def with_origin(manifest_slug: str, environment: str | None) -> LastApplied:
    base = record({})
    return LastApplied(
        files=base.files,
        config=base.config,
        name=base.name,
        description=base.description,
        latest_commit=base.latest_commit,
        applied_at=base.applied_at,
        evalkit_version=base.evalkit_version,
        manifest_slug=manifest_slug,
        environment=environment,
    )


def test_the_record_is_believed_before_the_name() -> None:
    copies = finder()
    said = with_origin("triage", "qa")
    # named like nothing, but the record says it is triage's qa copy
    assert copies.find("renamed-by-hand", said) == (CopyOf("qa", "triage"), "record")
    # named like a copy, but the record says it is a production agent (of some manifest)
    assert copies.find("triage-pr-3", with_origin("triage-pr-3", None)) is None
    # the record names an environment or an agent this manifest does not declare
    assert copies.find("triage-old-1", with_origin("triage", "old")) is None
    assert copies.find("gone-pr-1", with_origin("gone", "pr")) is None


def test_an_older_record_falls_back_to_the_name() -> None:
    old = record({})  # no manifestSlug / environment: written by an earlier evalkit
    assert not old.knows_origin
    assert finder().find("triage-pr-41", old) == (CopyOf("pr", "triage"), "name")
    assert finder().find("invoice-extractor-qa", old) == (CopyOf("qa", "invoice-extractor"), "name")
    assert finder().find("invoice-extractor-prototype", old) is None


def test_an_agent_evalkit_never_wrote_is_not_a_copy_only_named_like_one() -> None:
    copies = finder()
    assert copies.find("triage-pr-41", None) is None
    assert copies.resembles("triage-pr-41", None) == CopyOf("pr", "triage")
    assert copies.resembles("stray", None) is None
    assert copies.resembles("x", with_origin("gone", "pr")) == CopyOf("pr", "gone")
    assert copies.resembles("triage-pr-3", with_origin("triage-pr-3", None)) is None
