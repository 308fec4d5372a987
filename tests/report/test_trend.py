"""The pass-rate trend in the HTML report (evalkit/report/trend.py), and time and cost per
agent in the HTML and Markdown reports (evalkit/report/usage.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalkit.cli.context import GlobalOptions
from evalkit.cli.report import report
from evalkit.report import load_results, render_html, render_markdown
from evalkit.report.history import AgentPoint, earlier_runs
from evalkit.report.trend import TrendPoint, trend_chart, trend_points
from tests.report.history_runs import RUN_NAMES, make_history


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_history(tmp_path_factory.mktemp("trend"))


def _trend_svgs(html: str) -> list[str]:
    return re.findall(r'<svg class="chart trend".*?</svg>', html, flags=re.S)


def test_three_runs_make_a_chart_of_three_points_per_agent(runs: Path) -> None:
    newest = runs / RUN_NAMES[-1]
    run = load_results(newest)
    run.history = earlier_runs([runs])  # the newest run among them counts once, as this run
    points = trend_points(run)
    assert [p.point.passed for p in points["climbing"]] == [1, 2, 3]
    assert points["climbing"][-1].current
    html = render_html(run)
    climbing, steady = _trend_svgs(html)
    assert climbing.count("<circle") == 3
    assert steady.count("<circle") == 3
    assert "<title>Pass rate of climbing over the last 3 runs</title>" in climbing
    # every figure readable without the picture: in the description and each point's tooltip
    assert re.search(r"<desc>[^<]*pass rate 33% \(1/3\), mean score 0.33;", climbing)
    assert "(this run): pass rate 100% (3/3)" in climbing
    assert "<script" not in "".join(_trend_svgs(html))


def test_without_history_there_is_no_trend(runs: Path) -> None:
    assert _trend_svgs(render_html(load_results(runs / RUN_NAMES[0]))) == []


def test_a_history_of_only_this_run_draws_nothing(runs: Path) -> None:
    run = load_results(runs / RUN_NAMES[0])
    run.history = earlier_runs([runs / RUN_NAMES[0]])
    assert trend_points(run) == {}


def test_time_and_cost_per_agent_in_html_and_markdown(runs: Path) -> None:
    run = load_results(runs / RUN_NAMES[0])
    html = render_html(run)
    assert 'aria-label="Time and cost per agent"' in html
    assert "credits 1.5" in html  # 3 executions at 0.5 credits each
    assert "m-1" in html
    markdown = render_markdown(run)
    assert "### Time and cost per agent" in markdown
    assert "| agent | executions | p50 | p95 | cost | model |" in markdown
    assert re.search(
        r"\| climbing \| 3 \| [\d.]+ m?s \| [\d.]+ m?s \| credits 1.5 \| m-1 \|", markdown
    )
    assert re.search(r"\| steady \| 1 \| [\d.]+ m?s \| [\d.]+ m?s \| - \| - \|", markdown)


def test_evalkit_report_history_option(runs: Path, tmp_path: Path) -> None:
    options = GlobalOptions(
        manifest=Path("evalkit.yaml"), base_url=None, api_key=None, local=False, verbose=0,
        json_output=False,
    )  # fmt: skip
    html = tmp_path / "r.html"
    args = [str(runs / RUN_NAMES[-1]), "--html", str(html), "--history", str(runs)]
    ran = CliRunner().invoke(report, args, obj=options, env={"GITHUB_ACTIONS": ""})
    assert ran.exit_code == 0, ran.output
    assert len(_trend_svgs(html.read_text())) == 2
    empty = tmp_path / "nothing"
    empty.mkdir()
    args = [str(runs / RUN_NAMES[-1]), "--html", str(html), "--history", str(empty)]
    ran = CliRunner().invoke(report, args, obj=options, env={"GITHUB_ACTIONS": ""})
    assert ran.exit_code == 0, ran.output  # a first run has no history: no trend, no error
    assert "warning: no trend: no run summaries" in ran.output
    assert _trend_svgs(html.read_text()) == []


def test_results_from_before_cost_and_model_render_without_a_cost_column(
    tmp_path: Path, runs: Path
) -> None:
    """A results file written before cost, model and usage existed still reads and renders."""
    old = tmp_path / "old"
    old.mkdir()
    lines = (runs / RUN_NAMES[0] / "results.jsonl").read_text().splitlines()
    stripped = [re.sub(r',"(cost|model)":(\{[^}]*\}|"[^"]*"|null)', "", line) for line in lines]
    assert all('"cost"' not in line and '"model"' not in line for line in stripped)
    (old / "results.jsonl").write_text("\n".join(stripped) + "\n")
    run = load_results(old)
    assert all(result.cost is None for result in run.results)
    markdown = render_markdown(run)
    assert "| agent | executions | p50 | p95 |\n" in markdown
    assert "credits" not in render_html(run)


def test_names_and_labels_from_summaries_are_text_in_the_chart() -> None:
    hostile = '<script>alert(1)</script>"'
    points = [
        TrendPoint(hostile, AgentPoint(examples=2, passed=1, mean_score=0.5)),
        TrendPoint("now (this run)", AgentPoint(examples=2, passed=2, mean_score=1.0), True),
    ]
    chart = str(trend_chart(hostile, points))
    assert "<script" not in chart
    assert "&lt;script&gt;" in chart
    assert chart.count("<circle") == 2


def test_the_markdown_summary_has_each_agents_trend(runs: Path) -> None:
    run = load_results(runs / RUN_NAMES[-1])
    assert "Pass-rate trend" not in render_markdown(run)
    run.history = earlier_runs([runs])
    markdown = render_markdown(run)
    assert "### Pass-rate trend (the last 2 earlier run(s), then this one)" in markdown
    assert "- `climbing`: 33% → 67% → **100%**" in markdown
    assert "- `steady`: 100% → 100% → **100%**" in markdown
