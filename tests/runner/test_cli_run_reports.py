"""``evalkit run`` end to end as a process: the reports it writes (and where they link), GitHub
Actions output exactly once, the workflow example on the local platform, version labels, shards
and retries, and baselines it cannot use."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from evalkit.runner.results_file import read_results_file
from tests.runner.test_cli_run import ROOT, evalkit, finish

MANIFEST = """
version: 1
agents:
  - slug: fixed
    config:
      runtime: {builtin: fixed, output: {ok: true, total: 3}}
    examples:
      - {name: right, expected: {ok: true, total: 3}}
      - {name: wrong, expected: {ok: true, total: 4}}
      - {name: known-bad, expected: {ok: false, total: 3}, tags: [quarantine]}
"""


#: where a CI job published the HTML report (``--html-link``)
LINK = "https://ci.example.com/artifacts/42/report.html"


def project(tmp_path: Path, manifest: str = MANIFEST) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()  # the project folder is the git checkout
    (folder / "evalkit.yaml").write_text(manifest)
    return folder


def clean_env(**extra: str) -> dict[str, str]:
    """GitHub's variables off unless a test sets them (the suite itself may run in Actions)."""
    return {"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": "", **extra}


def test_run_writes_html_junit_and_markdown_reports_that_describe_it(tmp_path: Path) -> None:
    folder = project(tmp_path)
    code, stdout, stderr = finish(
        evalkit("--json", "run", "--retries", "1", cwd=folder, env=clean_env())
    )
    assert code == 1, stderr  # "wrong" fails the default gate; "known-bad" is quarantined
    summary = json.loads(stdout)
    # The gate judged the two examples that are not quarantined.
    assert [(g["name"], g["actual"]) for g in summary["gates"]] == [("min_pass_rate", 0.5)]
    run_id = summary["metadata"]["run_id"]
    reports = folder / ".evalkit" / "reports" / run_id
    assert summary["reports"] == {
        "html": str(reports / "report.html"),
        "junit": str(reports / "junit.xml"),
        "markdown": str(reports / "summary.md"),
    }

    cases = {
        case.get("name"): [child.tag for child in case]
        for case in ElementTree.parse(reports / "junit.xml").getroot().iter("testcase")
    }
    assert cases == {
        "right": [],
        "wrong": ["failure"],
        "known-bad": ["skipped"],
        "min_pass_rate": ["failure"],  # the gates' own suite
    }
    markdown = (reports / "summary.md").read_text()
    assert markdown.startswith("## ❌ evalkit: gate failed")
    # pass rate, pass, partial, fail, error, flaky, quarantined
    assert "| 33.3% | 1 | 2 | 0 | 0 | 0 | 1 |" in markdown
    assert "`fixed/wrong`: **partial**" in markdown
    assert "/total: changed, expected 4, actual 3" in markdown
    html = (reports / "report.html").read_text()
    assert run_id in html
    assert "known-bad" in html
    assert "quarantined" in html
    assert "::error" not in stdout + stderr  # not in GitHub Actions

    results = {r.example: r for r in read_results_file(Path(summary["results_file"])).results}
    assert (results["known-bad"].model_extra or {}).get("quarantined") is True
    # --retries 1: what did not pass ran once more, as a new execution; it fails the same way.
    for name in ("wrong", "known-bad"):
        (earlier,) = (results[name].model_extra or {})["earlier_attempts"]
        assert earlier["verdict"] == "partial"
        assert earlier["execution_id"] != results[name].execution.id  # type: ignore[union-attr]
    assert "earlier_attempts" not in (results["right"].model_extra or {})


def test_report_dir_and_no_report(tmp_path: Path) -> None:
    folder = project(tmp_path)
    chosen = tmp_path / "chosen"
    code, stdout, stderr = finish(
        evalkit(
            "run",
            "--only",
            "fixed",
            "--example",
            "right",
            "--report-dir",
            str(chosen),
            cwd=folder,
            env=clean_env(),
        )
    )
    assert code == 0, stderr
    assert sorted(p.name for p in chosen.iterdir()) == ["junit.xml", "report.html", "summary.md"]
    assert f"html report: {chosen / 'report.html'}" in stdout

    code, stdout, stderr = finish(
        evalkit("run", "--example", "right", "--no-report", cwd=folder, env=clean_env())
    )
    assert code == 0, stderr
    assert not (folder / ".evalkit" / "reports").exists()
    assert "report:" not in stdout


def test_reports_that_cannot_be_written_leave_the_verdict_alone(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    blocked = tmp_path / "a-file" / "reports"
    code, stdout, stderr = finish(
        evalkit(
            "run", "--example", "right", "--report-dir", str(blocked), cwd=folder, env=clean_env()
        )
    )
    assert code == 0, stderr  # the gate passed; the reports are an error message
    assert f"the reports could not be written into {blocked}" in stderr
    assert "Traceback" not in stderr
    assert "passed: all gates passed" in stdout


def test_a_run_folder_that_cannot_be_made_stops_the_run_before_it_starts(
    tmp_path: Path,
) -> None:
    folder = project(tmp_path)
    (tmp_path / "a-file").write_text("not a folder")
    blocked = tmp_path / "a-file" / "run"
    started = evalkit("run", "--out", str(blocked), cwd=folder, env=clean_env())
    code, stdout, stderr = finish(started)
    assert code == 2, stderr
    assert f"cannot create the run folder {blocked}" in stderr
    assert "pass a writable folder with --out" in stderr
    assert "Traceback" not in stderr
    assert "run run-" not in stderr  # no execution started
    assert stdout == ""


@pytest.mark.parametrize("json_output", [False, True])
def test_in_github_actions_the_step_summary_and_annotations_come_once(
    tmp_path: Path, json_output: bool
) -> None:
    folder = project(tmp_path)
    step_summary = tmp_path / "step-summary.md"
    env = clean_env(
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(step_summary),
        GITHUB_WORKSPACE=str(folder),
    )
    step_outputs = tmp_path / "step-outputs.txt"
    env["GITHUB_OUTPUT"] = str(step_outputs)
    args = ("--json", "run") if json_output else ("run",)
    code, stdout, stderr = finish(evalkit(*args, "--html-link", LINK, cwd=folder, env=env))
    assert code == 1, stderr
    annotations = [line for line in (stdout + stderr).splitlines() if line.startswith("::error ")]
    # One per failing example; the quarantined one fails no gate and is not annotated.
    assert len(annotations) == 1
    assert "fixed/wrong" in annotations[0]
    assert annotations[0].startswith("::error file=evalkit.yaml,line=")
    text = step_summary.read_text()
    assert text.count("evalkit: gate failed") == 1
    # --html-link: the step summary and summary.md link the HTML report there.
    assert f"]({LINK})" in text
    run_id = json.loads(stdout)["metadata"]["run_id"] if json_output else None
    reports = folder / ".evalkit" / "reports"
    (markdown,) = reports.glob("*/summary.md")
    assert f"]({LINK})" in markdown.read_text()
    assert run_id is None or markdown.parent.name == run_id
    # The step outputs name the reports written.
    assert f"html={markdown.parent / 'report.html'}" in step_outputs.read_text().splitlines()
    if json_output:  # standard output stays one JSON document
        assert json.loads(stdout)["status"] == "gate_failed"


@pytest.mark.parametrize("reports", ["--no-report", "cannot be written"])
def test_in_github_actions_the_step_summary_outputs_and_annotations_need_no_report_files(
    tmp_path: Path, reports: str
) -> None:
    """``--no-report``, or a report folder that cannot be written: GitHub still gets its step
    summary, outputs and annotations, without links to report files that are not there."""
    folder = project(tmp_path)
    step_summary, step_outputs = tmp_path / "step-summary.md", tmp_path / "step-outputs.txt"
    env = clean_env(
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(step_summary),
        GITHUB_OUTPUT=str(step_outputs),
        GITHUB_WORKSPACE=str(folder),
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="acme/invoices",
        GITHUB_RUN_ID="42",
    )
    if reports == "--no-report":
        args: tuple[str, ...] = ("--no-report",)
    else:
        (tmp_path / "a-file").write_text("not a folder")
        args = ("--report-dir", str(tmp_path / "a-file" / "reports"))
    code, stdout, stderr = finish(evalkit("run", *args, "--html-link", LINK, cwd=folder, env=env))
    assert code == 1, stderr  # "wrong" fails the gate either way
    annotations = [line for line in stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert "fixed/wrong" in annotations[0]
    text = step_summary.read_text()
    assert text.count("evalkit: gate failed") == 1
    assert LINK not in text
    assert "actions/runs/42" not in text
    outputs = dict(line.split("=", 1) for line in step_outputs.read_text().splitlines())
    assert outputs["verdict"] == "gate_failed"
    assert outputs["failed"] == "0"
    assert outputs["partial"] == "2"
    assert not {"html", "junit", "markdown"} & set(outputs)
    assert not (folder / ".evalkit" / "reports").exists()
    assert "report:" not in stdout
    if reports == "--no-report":
        assert "could not be written" not in stderr
    else:
        assert "the reports could not be written into" in stderr
    assert "Traceback" not in stderr


DEEP = "[" * 300 + "]" * 300
BAD_BASELINES = {
    "not-utf-8": (b'{"format": 1,\n"metadata": "\xff"}\n', ":2: byte 14 (0xff) is not UTF-8"),
    "deep": (f'{{"format": 1, "x": {DEEP}}}'.encode(), "nested more than 256 deep"),
    "huge-number": (b'{"format": 1, "x": ' + b"9" * 5000 + b"}", "a number of 5,000 digits"),
    "not-a-summary": (b'{"format": 1}\n', "not an evalkit run summary"),
}


@pytest.mark.parametrize("case", BAD_BASELINES)
def test_a_baseline_that_cannot_be_used_stops_the_run_before_it_starts(
    tmp_path: Path, case: str
) -> None:
    content, said = BAD_BASELINES[case]
    folder = project(tmp_path)
    baseline = tmp_path / "summary.json"
    baseline.write_bytes(content)
    code, stdout, stderr = finish(
        evalkit("run", "--baseline", str(baseline), cwd=folder, env=clean_env())
    )
    assert code == 2, stderr
    assert stdout == ""
    assert f"{baseline}:" in stderr
    assert said in stderr
    assert "Traceback" not in stderr
    assert "run run-" not in stderr  # nothing started
    assert not (folder / ".evalkit" / "runs").exists()


@pytest.mark.slow
def test_the_workflow_example_runs_on_the_local_platform(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    (root / ".git").mkdir(parents=True)
    for name in ("invoices", "workflow-suite"):
        shutil.copytree(
            ROOT / "examples" / name,
            root / "examples" / name,
            ignore=shutil.ignore_patterns(".evalkit"),
        )
    manifest = "examples/workflow-suite/evalkit.yaml"
    code, stdout, stderr = finish(
        evalkit("-m", manifest, "--json", "run", "--no-report", cwd=root, env=clean_env())
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    suites = {(b["kind"], b["agent"]) for b in summary["examples"]}
    assert ("workflow", "invoice-pipeline") in suites
    assert ("workflow", "invoice-pipeline@v1") in suites
    assert summary["counts"]["passed"] == summary["counts"]["total"]
    v1 = [b for b in summary["examples"] if b["agent"] == "invoice-pipeline@v1"]
    assert [b["example"] for b in v1] == ["harbor-usd-v1"]


WORKFLOW_MANIFEST = """
version: 1
local_platform: {workflows: platform/}
workflows:
  - workflow: pipeline
    version: v7
    examples:
      - {name: a, expected: {v: 1}}
"""


def test_an_unknown_version_label_stops_before_anything_runs(tmp_path: Path) -> None:
    folder = project(tmp_path, WORKFLOW_MANIFEST)
    (folder / "platform").mkdir()
    (folder / "platform" / "pipeline.yaml").write_text(
        "steps:\n  - {id: a, builtin: fixed, output: {v: 1}}\n"
    )
    (folder / "platform" / "pipeline@v1.yaml").write_text(
        "steps:\n  - {id: a, builtin: fixed, output: {v: 0}}\n"
    )
    out = tmp_path / "out"
    code, _, stderr = finish(evalkit("run", "--out", str(out), cwd=folder, env=clean_env()))
    assert code == 2, stderr
    assert "workflow 'pipeline' has no version 'v7'" in stderr
    assert "labels: current, v1" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


@pytest.mark.slow
def test_shards_split_a_run_and_merge_back_whole(tmp_path: Path) -> None:
    examples = "".join(
        f"      - {{name: ex{i}, expected: {{ok: true, total: 3}}}}\n" for i in range(12)
    )
    manifest = MANIFEST.split("    examples:\n")[0] + "    examples:\n" + examples
    folder = project(tmp_path, manifest)
    shards = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard{index}"
        code, stdout, stderr = finish(
            evalkit(
                "--json",
                "run",
                "--shard",
                f"{index}/3",
                "--out",
                str(out),
                "--no-report",
                cwd=folder,
                env=clean_env(),
            )
        )
        assert code == 0, stderr
        summary = json.loads(stdout)
        assert summary["metadata"]["selection"] == {"shard": [f"{index}/3"]}
        shards.append({b["example"] for b in summary["examples"]})
    assert set().union(*shards) == {f"ex{i}" for i in range(12)}
    assert sum(len(shard) for shard in shards) == 12
    merged = tmp_path / "merged"
    code, _, stderr = finish(
        evalkit(
            "report",
            *(str(tmp_path / f"shard{i}") for i in (1, 2, 3)),
            "--merged",
            str(merged),
            "--gate",
            cwd=folder,
            env=clean_env(),
        )
    )
    assert code == 0, stderr
    assert len(read_results_file(merged / "results.jsonl").results) == 12


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    folder = project(tmp_path)
    code, _, stderr = finish(evalkit("run", "--shard", "4/3", cwd=folder, env=clean_env()))
    assert code == 2
    assert "--shard 4/3: K/N needs 1 <= K <= N" in stderr
    assert "Traceback" not in stderr


NOTES_MANIFEST = """
version: 1
agents:
  - slug: fixed
    config:
      runtime: {builtin: fixed, output: {ok: true, total: 3}}
    examples:
      - {folder: agents/fixed/examples/}
      - {name: inline, expected: {ok: true, total: 5}, notes: "Inline: totals <b>round</b>."}
"""


def test_an_examples_notes_reach_the_results_and_every_report(tmp_path: Path) -> None:
    """docs/harvest.md: the reviewer's note becomes the example's README.md, "which reports
    show as the example's notes". They were in none of them."""
    folder = project(tmp_path, NOTES_MANIFEST)
    example = folder / "agents" / "fixed" / "examples" / "harvested"
    example.mkdir(parents=True)
    (example / "input.json").write_text("{}")
    (example / "expected.json").write_text('{"ok": true, "total": 4}')
    (example / "README.md").write_text("The late fee is part of the total.\n\nSee ticket 12.\n")
    code, stdout, stderr = finish(evalkit("--json", "run", cwd=folder, env=clean_env()))
    assert code == 1, stderr
    summary = json.loads(stdout)
    readme = "The late fee is part of the total.\n\nSee ticket 12."
    results = {r.example: r for r in read_results_file(Path(summary["results_file"])).results}
    assert {name: (r.model_extra or {}).get("notes") for name, r in results.items()} == {
        "harvested": readme,
        "inline": "Inline: totals <b>round</b>.",
    }
    reports = Path(summary["reports"]["html"]).parent
    html = (reports / "report.html").read_text()
    assert "late fee is part of the total" in html
    assert "<b>round</b>" not in html  # in the page's data, escaped
    cases = {
        case.get("name"): case.findtext("system-out")
        for case in ElementTree.parse(reports / "junit.xml").getroot().iter("testcase")
    }
    assert cases["harvested"] == f"notes: {readme}"
    assert cases["inline"] == "notes: Inline: totals <b>round</b>."
    markdown = (reports / "summary.md").read_text()
    assert "  - notes: The late fee is part of the total. See ticket 12." in markdown
    assert "  - notes: Inline: totals &lt;b&gt;round&lt;/b&gt;." in markdown
