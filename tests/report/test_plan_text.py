from __future__ import annotations

from evalkit.report import RunResults, render_html
from evalkit.report.plan_text import plan_markdown
from evalkit.sync.changes import (
    Action,
    AgentChange,
    DesiredSnapshot,
    FieldChange,
    LiveFingerprint,
    Plan,
)
from evalkit.sync.plan_file import plan_to_data


def _plan() -> Plan:
    agent = AgentChange(
        slug="invoice-extractor",
        desired=DesiredSnapshot(name="Invoice extractor <v2>", config={}, files={}),
        live=LiveFingerprint(exists=True),
        fields=(
            FieldChange(
                field="name", action=Action.UPDATE, before="Old", after="Invoice extractor <v2>"
            ),
        ),
    )
    return Plan(created_at="2026-03-01T09:00:00Z", base_dir=".", agents=(agent,))


def test_no_plan_renders_nothing() -> None:
    assert plan_markdown(None) is None


def test_a_plan_renders_as_the_sync_modules_markdown() -> None:
    text = plan_markdown(plan_to_data(_plan()))
    assert text is not None
    assert "invoice-extractor" in text


def test_something_that_is_not_a_plan_says_so() -> None:
    text = plan_markdown({"kind": "evalkit-plan", "agents": "nope"})
    assert text is not None
    assert text.startswith("(the sync plan in the summary could not be read:")


def test_the_html_report_shows_the_plan_escaped(failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(update={"sync_plan": plan_to_data(_plan())})
    html = render_html(RunResults(results=failing_run.results, summary=summary))
    assert "Sync plan applied before the run" in html
    assert "Invoice extractor &lt;v2&gt;" in html
    assert "Invoice extractor <v2>" not in html
