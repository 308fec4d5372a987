"""The real thing: ``evalkit run`` on the example project, good then with the broken agent,
and ``evalkit report`` on what it wrote, down to a screenshot in headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import JUnitXml

from scripts.screenshot import chromium, open_report
from tests.report.sample_runs import ROOT

INVOICES = ROOT / "examples" / "invoices"
BROKEN = {"nordlicht-german-eur", "lumen-semicolon-csv-eur", "pinecone-hours-cad"}


def _evalkit(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("EIGENPAL_", "GITHUB_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "evalkit", *args],
        cwd=cwd,
        env={**environment, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_reports_of_the_broken_agent_from_a_real_run(tmp_path: Path, artifacts: Path) -> None:
    git = shutil.which("git")
    assert git is not None, "git applies the broken-agent patch"
    root = tmp_path / "repo"
    shutil.copytree(
        INVOICES, root / "examples" / "invoices", ignore=shutil.ignore_patterns(".evalkit")
    )
    project = root / "examples" / "invoices"

    good = _evalkit("run", "--out", str(tmp_path / "good"), cwd=project)
    assert good.returncode == 0, good.stderr
    subprocess.run([git, "apply", str(INVOICES / "broken-agent.patch")], cwd=root, check=True)
    baseline = str(tmp_path / "good" / "summary.json")
    broken = _evalkit("run", "--out", str(tmp_path / "broken"), "--baseline", baseline, cwd=project)
    assert broken.returncode == 1, broken.stderr

    step_summary = tmp_path / "step-summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    reports = tmp_path / "reports"
    result = _evalkit(
        "report", str(tmp_path / "broken"), "--out", str(reports), "--gate", cwd=project, env=env
    )
    assert result.returncode == 1, result.stderr  # --gate: the run's gate failed

    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 3
    for line in annotations:
        assert line.startswith("::error file=agents/invoice-extractor/examples/")
        assert "/quantity: changed" in line

    suite = next(iter(JUnitXml.fromfile(str(reports / "junit.xml"))))
    failed = {case.name for case in suite if case.result}
    assert failed == BROKEN

    markdown = (reports / "summary.md").read_text()
    assert markdown.startswith("## ❌ evalkit: gate failed")
    assert "### Regressions (3)" in markdown
    # the same summary, linking the workflow run (where the artifact is) instead of the file
    assert markdown.split("📄")[0] in step_summary.read_text()

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        open_report(page, reports / "report.html")
        assert page.locator("#shown").inner_text() == "10 of 10 examples shown"
        page.check("#status-filter input[value=regression]")
        assert page.locator("#shown").inner_text() == "3 of 10 examples shown"
        page.locator("tr.example").first.click()
        assert page.locator("td.detail pre.doc .line.changed").count() == 2
        page.screenshot(path=str(artifacts / "report-example-broken-agent.png"), full_page=True)
        assert problems == []
    assert "Sync plan applied before the run" in (reports / "report.html").read_text()
