"""The support project as a user runs it: ``evalkit -m examples/support/evalkit.yaml run`` on a
fresh copy passes, every reply is graded by the judge agent, and every report shows the judge's
agreement with its labelled examples; the broken reply is caught by the judge alone; a judge
without labels is reported uncalibrated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from evalkit.manifest.checks import validate_manifest
from tests.runner.test_cli_run import evalkit, finish

from .support_harness import PROJECT

MANIFEST = "examples/support/evalkit.yaml"
CALIBRATION = "reply-judge: agreement 9/10 (90%), Cohen's kappa 0.80 on 10 labelled examples"


def _checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(
        PROJECT,
        root / "examples" / "support",
        ignore=shutil.ignore_patterns(".evalkit", "__pycache__"),
    )
    return root


def _run(root: Path, out: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, summary.json, and what the terminal showed (stdout and stderr)."""
    code, stdout, stderr = finish(
        evalkit("-m", MANIFEST, "run", "--out", str(out), *args, cwd=root)
    )
    assert "Traceback" not in stderr, stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return code, summary, stdout + stderr


def _results(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    return {(record["agent"], record["example"]): record for record in records}


def _report(root: Path, run_id: str, name: str) -> str:
    path = root / "examples" / "support" / ".evalkit" / "reports" / run_id / name
    return path.read_text(encoding="utf-8")


def test_the_project_validates() -> None:
    summary = validate_manifest(PROJECT / "evalkit.yaml", env={})
    assert summary.example_count == 16


@pytest.mark.slow
def test_a_fresh_copy_passes_with_every_reply_judged_and_the_judge_calibrated(
    tmp_path: Path,
) -> None:
    root = _checkout(tmp_path)
    code, summary, terminal = _run(root, tmp_path / "out")
    assert code == 0, terminal
    assert (summary["counts"]["total"], summary["counts"]["passed"]) == (16, 15)
    assert summary["status"] == "passed"
    # Every reply was graded by the judge agent, whose reason is in the results.
    results = _results(tmp_path / "out")
    replies = [record for (agent, _), record in results.items() if agent == "support-reply"]
    assert len(replies) == 6
    for record in replies:
        (judgement,) = record["comparison"]["judgements"]
        assert (judgement["agent"], judgement["pointer"], judgement["passed"]) == (
            "reply-judge",
            "/reply",
            True,
        )
        assert judgement["reason"].startswith("meets all 7 criteria")
    assert summary["judgements"]["total"] == 6
    # The judge's labelled examples ran as its suite; the one it gets wrong fails there.
    assert results[("reply-judge", "condescending")]["verdict"] == "fail"
    (calibration,) = summary["calibration"]
    assert (calibration["judge"], calibration["labelled"], calibration["agreed"]) == (
        "reply-judge",
        10,
        9,
    )
    assert calibration["accuracy"] == pytest.approx(0.9)
    assert calibration["kappa"] == pytest.approx(0.8)
    assert len(calibration["verdicts"]) == 10
    # ... and every report says so.
    run_id = summary["metadata"]["run_id"]
    assert f"judge calibration: {CALIBRATION}" in terminal
    markdown = _report(root, run_id, "summary.md")
    assert "Judge calibration: agreement with people's labels" in markdown
    assert f"- {CALIBRATION}" in markdown
    html = _report(root, run_id, "report.html")
    assert CALIBRATION.replace("'", "&#39;") in html


@pytest.mark.slow
def test_the_broken_reply_is_caught_by_the_judge_and_nothing_else(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to apply the broken-reply patch")
    import subprocess

    root = _checkout(tmp_path)
    patch = root / "examples" / "support" / "broken-reply.patch"
    subprocess.run([git, "init", "-q"], cwd=root, check=True)
    subprocess.run([git, "apply", str(patch)], cwd=root, check=True)
    code, summary, terminal = _run(root, tmp_path / "out", "--only", "support-reply")
    assert code == 1, terminal
    results = _results(tmp_path / "out")
    failed = sorted(
        example
        for (agent, example), record in results.items()
        if agent == "support-reply" and record["verdict"] != "pass"
    )
    assert failed == ["late-delivery", "third-time-escalated"]
    for example in failed:
        differences = results[("support-reply", example)]["comparison"]["differences"]
        assert [d["pointer"] for d in differences] == ["/reply"]
        (difference,) = differences
        assert "blames the customer (you should have)" in json.dumps(difference)
    assert summary["calibration"][0]["agreed"] == 9  # the judge itself did not change


@pytest.mark.slow
def test_a_judge_without_labelled_examples_is_reported_uncalibrated(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    manifest = root / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    labels = "    examples:\n      - folder: agents/reply-judge/examples/\n"
    assert labels in text
    manifest.write_text(text.split(labels)[0], encoding="utf-8")  # the judge's examples cut
    shutil.rmtree(root / "examples" / "support" / "agents" / "reply-judge" / "examples")
    code, summary, terminal = _run(root, tmp_path / "out")
    assert code == 0, terminal
    assert summary["counts"]["total"] == 6
    (calibration,) = summary["calibration"]
    assert (calibration["labelled"], calibration["verdicts"]) == (0, [])
    line = "reply-judge: uncalibrated: no labelled examples"
    assert line in terminal
    assert line in _report(root, summary["metadata"]["run_id"], "summary.md")


@pytest.mark.slow
def test_shards_merged_report_the_calibration_of_the_whole_run(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    parts = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"shard-{shard[0]}"
        code, summary, terminal = _run(root, out, "--shard", shard)
        assert code in (0, 1), terminal  # a shard may hold too few judge examples for its gate
        parts.append(out)
    merged = tmp_path / "merged"
    code, stdout, stderr = finish(
        evalkit(
            "report",
            *map(str, parts),
            "--merged",
            str(merged),
            "--out",
            str(tmp_path / "r"),
            cwd=root,
        )
    )
    assert code == 0, stdout + stderr
    summary = json.loads((merged / "summary.json").read_text(encoding="utf-8"))
    (calibration,) = summary["calibration"]
    assert (calibration["agreed"], len(calibration["verdicts"])) == (9, 10)
    assert calibration["kappa"] == pytest.approx(0.8)
    assert f"- {CALIBRATION}" in (tmp_path / "r" / "summary.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_example_brings_the_calibration_unless_told_not_to(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    one = ("--example", "refund-charged-twice")
    code, summary, terminal = _run(root, tmp_path / "with", *one)
    assert code == 0, terminal
    assert summary["counts"]["total"] == 11  # the example and the judge's 10 labelled ones
    assert summary["calibration"][0]["agreed"] == 9
    code, summary, terminal = _run(root, tmp_path / "without", *one, "--no-calibration")
    assert code == 0, terminal
    assert summary["counts"]["total"] == 1
    assert summary["calibration"][0]["verdicts"] == []
    assert "reply-judge: not measured in this run: none of its 10 labelled examples ran" in (
        terminal
    )
