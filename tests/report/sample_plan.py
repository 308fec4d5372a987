"""A sync plan as a run's summary carries it: one agent renamed, one prompt file changed (its
diff holds markup that must stay text)."""

from __future__ import annotations

from typing import Any

from evalkit.sync.plan import (
    Action,
    AgentChange,
    DesiredSnapshot,
    FieldChange,
    FileChange,
    FileFacts,
    LiveFingerprint,
    Plan,
)
from evalkit.sync.plan_file import plan_to_data

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def sample_plan() -> Plan:
    agent = AgentChange(
        slug="invoice-extractor",
        desired=DesiredSnapshot(name="Invoice extractor <v2>", config={}, files={}),
        live=LiveFingerprint(exists=True),
        fields=(
            FieldChange(
                field="name", action=Action.UPDATE, before="Old", after="Invoice extractor <v2>"
            ),
        ),
        files=(
            FileChange(
                path="prompt.md",
                action=Action.UPDATE,
                after=FileFacts(sha256="b" * 64, size=30),
                before=FileFacts(sha256="a" * 64, size=28),
                text_diff=f"--- live\n+++ manifest\n@@ -1 +1 @@\n-old {HOSTILE}\n+new line",
            ),
        ),
    )
    return Plan(created_at="2026-03-01T09:00:00Z", base_dir=".", agents=(agent,))


def sample_plan_data() -> dict[str, Any]:
    return plan_to_data(sample_plan())


def hostile_plan_data() -> dict[str, Any]:
    """A plan whose every text tries to inject markup: slug, name, field values, file path and
    diff (labelled as ``tests.report.sample_runs.hostile`` labels them: ``plan ...:``)."""
    from tests.report.sample_runs import hostile

    agent = AgentChange(
        slug=hostile("plan slug"),
        desired=DesiredSnapshot(name=hostile("plan name"), config={}, files={}),
        live=LiveFingerprint(exists=True),
        fields=(
            FieldChange(
                field="name",
                action=Action.UPDATE,
                before=hostile("plan before"),
                after=hostile("plan after"),
            ),
        ),
        files=(
            FileChange(
                path=hostile("plan path"),
                action=Action.UPDATE,
                after=FileFacts(sha256="b" * 64, size=30),
                before=FileFacts(sha256="a" * 64, size=28),
                text_diff=f"--- live\n+++ manifest\n@@ -1 +1 @@\n-{hostile('plan diff')}\n+new",
            ),
        ),
    )
    plan = Plan(created_at="2026-03-01T09:00:00Z", base_dir=".", agents=(agent,))
    return plan_to_data(plan)


#: what of the hostile plan the page shows (the slug and path in code, the rest as text)
HOSTILE_PLAN_PLACES = ("plan slug", "plan before", "plan after", "plan path", "plan diff")
