"""A realistic plan, made by the real diff from files on disk (render and JSON tests)."""

from __future__ import annotations

from pathlib import Path

from evalkit.sync.diff import diff_agent
from evalkit.sync.plan import EnvironmentCopy, OrphanAgent, OrphanFile, Plan

from .helpers import desired, live, record

AGENT_MD_OLD = b"""# Invoice extractor

Read the invoice and return vendor, date and total.
Amounts are in the invoice's currency.
"""
AGENT_MD_NEW = b"""# Invoice extractor

Read the invoice and return vendor, date, total and line items.
Amounts are in the invoice's currency.
"""


def realistic_plan(root: Path) -> Plan:
    new_agent = desired(
        root / "new",
        "receipt-reader",
        {
            "AGENT.md": b"# Receipt reader\n",
            "examples/coffee/input.json": b'{"currency": "EUR"}',
            "examples/coffee/expected.json": b'{"total": 3.2}',
        },
        name="Receipt reader",
        config={"triggers": {"api": {"enabled": True}}},
    )
    old_files = {
        "AGENT.md": AGENT_MD_OLD,
        "logo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000,
        "notes/[bold]old.md": b"left over\n",
        "examples/acme/expected.json": b'{"total": 10}',
    }
    last = record(
        {k: v for k, v in old_files.items() if k != "notes/[bold]old.md"},
        name="Invoice extractor",
        config={"model": "small", "temperature": 0.1, "triggers": {"api": {"enabled": True}}},
    )
    current = live(
        "invoice-extractor",
        old_files,
        name="Invoice extractor",
        config={
            "model": "small",
            "temperature": 0.7,  # changed in the dashboard
            "triggers": {"api": {"enabled": True, "rateLimit": 10}},  # rateLimit: server-added
        },
        last=last,
    )
    changed = desired(
        root / "changed",
        "invoice-extractor",
        {
            "AGENT.md": AGENT_MD_NEW,
            "logo.png": b"\x89PNG\r\n\x1a\n" + b"\x01" * 2400,
            "examples/acme/expected.json": b'{"total": 10.5}',
            "examples/globex/input.json": b"{}",
        },
        name="Invoice extractor",
        description="Reads invoices",
        config={"model": "large", "temperature": 0.1, "triggers": {"api": {"enabled": True}}},
    )
    same_files = {"AGENT.md": b"same\n"}
    same = desired(root / "same", "triage", same_files, name="triage")
    same_live = live("triage", same_files, last=record(same_files, name="triage"))
    changed_plan = diff_agent(changed, current)
    acknowledged_file = OrphanFile(path="scratch.bak", acknowledged_by="*.bak")
    changed_plan = changed_plan.model_copy(
        update={"orphan_files": (*changed_plan.orphan_files, acknowledged_file)}
    )
    return Plan(
        created_at="2026-01-01T00:00:00.000Z",
        base_dir=str(root),
        agents=(
            changed_plan,
            diff_agent(new_agent, None),
            diff_agent(same, same_live),
        ),
        orphan_agents=(
            OrphanAgent(slug="legacy-bot", name="Legacy", was_managed=True),
            OrphanAgent(slug="old-demo", name="Demo", acknowledged_by="old-*"),
            OrphanAgent(
                slug="triage-qa", name="QA", was_managed=True, environment="qa", copy_of="triage"
            ),
        ),
        environment_copies=(
            EnvironmentCopy(
                slug="invoice-extractor-pr-41",
                name="Invoice extractor",
                environment="pr",
                copy_of="invoice-extractor",
                created_at="2025-12-20T09:00:00.000Z",
                updated_at="2025-12-31T21:30:00.000Z",
                recognised_by="record",
            ),
            EnvironmentCopy(
                slug="triage-pr-7",
                name="triage",
                environment="pr",
                copy_of="triage",
                created_at="2025-12-31T23:59:30.000Z",
                updated_at="2025-12-31T23:59:30.000Z",
                recognised_by="name",
            ),
        ),
    )
