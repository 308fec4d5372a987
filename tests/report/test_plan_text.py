from __future__ import annotations

from evalkit.report import RunResults, render_html
from evalkit.report.plan_text import markdown_html, plan_html, plan_markdown
from evalkit.sync.plan import Action, FileChange, FileFacts
from evalkit.sync.plan_file import RECORD_EXAMPLES_SHOWN, plan_record, plan_to_data
from tests.report.sample_plan import HOSTILE, sample_plan, sample_plan_data


def test_no_plan_renders_nothing() -> None:
    assert plan_markdown(None) is None


def test_a_plan_renders_as_the_sync_modules_markdown() -> None:
    text = plan_markdown(sample_plan_data())
    assert text is not None
    assert "invoice-extractor" in text


def test_something_that_is_not_a_plan_says_so() -> None:
    text = plan_markdown({"kind": "evalkit-plan", "agents": "nope"})
    assert text is not None
    assert text.startswith("(the sync plan in the summary could not be read:")


def test_the_html_report_shows_the_plan_escaped(failing_run: RunResults) -> None:
    assert failing_run.summary is not None
    summary = failing_run.summary.model_copy(update={"sync_plan": sample_plan_data()})
    html = render_html(RunResults(results=failing_run.results, summary=summary))
    assert "Sync plan applied before the run" in html
    assert "Invoice extractor &lt;v2&gt;" in html
    assert "Invoice extractor <v2>" not in html


def test_the_plan_is_rendered_as_html_not_shown_as_markdown_source() -> None:
    """Issue 10 item 11: the report showed the plan's raw Markdown ("### evalkit plan")."""
    html = str(plan_html(sample_plan_data()))
    assert "<h3>evalkit plan</h3>" in html
    assert "<h4><code>~</code> <code>invoice-extractor</code>" in html
    assert "<code>~</code> name: <code>&quot;Old&quot;</code> →" in html
    assert "<details><summary>diff</summary>" in html
    assert '<pre><code class="language-diff">' in html
    assert "###" not in html
    assert "&lt;img src=x" in html  # the diff line, as text
    assert "<img" not in html


def test_markdown_never_passes_raw_html_links_or_images_through() -> None:
    html = str(
        markdown_html(
            f"{HOSTILE}\n\n<script>window.__pwned=2</script>\n\npara <b>bold</b> {HOSTILE}\n\n"
            "[link](https://evil.test) ![image](https://evil.test/i.png) <https://evil.test>\n\n"
            "<details><summary>diff</summary> trailing\n\n<details open>\n"
        )
    )
    for raw in ("<img", "<script", "<b>", "<a ", "<details", 'onerror="'):
        assert raw not in html, raw
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "[link](https://evil.test)" in html


def test_an_unreadable_plan_is_a_note_in_the_page() -> None:
    html = str(plan_html({"kind": "evalkit-plan", "agents": "<b>nope</b>"}))
    assert html.startswith('<p class="warn">(the sync plan in the summary could not be read:')
    assert "<b>" not in html
    assert plan_html(None) is None


def test_a_runs_bounded_record_renders_with_and_n_more(failing_run: RunResults) -> None:
    """Issue 15: the report parsed the whole plan back and rendered every example's name."""
    assert failing_run.summary is not None
    plan = sample_plan()
    changes = tuple(
        FileChange(
            path=f"examples/ex{n:05d}/input.json",
            action=Action.CREATE,
            after=FileFacts(sha256="c" * 64, size=9),
            example=f"ex{n:05d}",
        )
        for n in range(RECORD_EXAMPLES_SHOWN + 30)
    )
    agent = plan.agents[0]
    plan = plan.model_copy(
        update={"agents": (agent.model_copy(update={"files": (*agent.files, *changes)}),)}
    )
    summary = failing_run.summary.model_copy(update={"sync_plan": plan_record(plan)})
    html = render_html(RunResults(results=failing_run.results, summary=summary))
    assert "<code>ex00049</code>, and 30 more" in html
    assert "ex00050" not in html
    assert "Invoice extractor &lt;v2&gt;" in html


def test_a_summary_holding_the_whole_plan_still_renders(failing_run: RunResults) -> None:
    """Runs of earlier evalkit kept the whole plan (``plan_to_data(..., contents=False)``)."""
    assert failing_run.summary is not None
    old = plan_to_data(sample_plan(), contents=False)
    summary = failing_run.summary.model_copy(update={"sync_plan": old})
    html = render_html(RunResults(results=failing_run.results, summary=summary))
    assert "<h4><code>~</code> <code>invoice-extractor</code>" in html
    assert plan_markdown(old) == plan_markdown(plan_record(sample_plan()))
