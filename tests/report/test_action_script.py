"""The action's main script (the ``evalkit`` step of action.yml), run with bash as a runner
would: quoted ``args`` survive as words, nothing in them is evaluated, and ``merge`` turns a
missing shard red. A stand-in ``evalkit`` records its arguments where only they matter; the
merge runs the real one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from evalkit.report import RunResults
from evalkit.report.github import OUTPUTS
from evalkit.report.shard_merge import write_run
from tests.report.sample_runs import ROOT, with_summary

ACTION = ROOT / "action.yml"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="the action's steps run in bash")


def _action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def _script() -> str:
    return str(next(s["run"] for s in _action()["runs"]["steps"] if s.get("id") == "evalkit"))


def _fake_evalkit(folder: Path) -> Path:
    """An ``evalkit`` that writes its arguments, one JSON list a line, to $ARGV_LOG (and for
    ``run``, an empty results file in its ``--out``)."""
    folder.mkdir()
    fake = folder / "evalkit"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, os, pathlib, sys\n"
        "with open(os.environ['ARGV_LOG'], 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "if sys.argv[1] == 'run':  # a run leaves its results\n"
        "    out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])\n"
        "    out.mkdir(parents=True)\n"
        "    (out / 'results.jsonl').touch()\n"
    )
    fake.chmod(0o755)
    return folder


def _run(tmp_path: Path, *, fake: bool = True, **inputs: str) -> tuple[dict[str, str], list[Any]]:
    """Run the step with these inputs (env names); return its outputs and the calls made."""
    outputs, log = tmp_path / "outputs", tmp_path / "argv.log"
    outputs.touch()
    log.touch()
    path = [str(Path(sys.executable).parent), "/usr/bin", "/bin"]
    if fake:
        path.insert(0, str(_fake_evalkit(tmp_path / "fake-bin")))
    env = {
        "PATH": os.pathsep.join(path),
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/invoices",
        "GITHUB_RUN_ID": "42",
        "GITHUB_ACTIONS": "true",
        "ARGV_LOG": str(log),
        "COMMAND": "run",
        "MANIFEST": "evalkit.yaml",
        "ENVIRONMENT": "",
        "ARGS": "",
        "BASELINE": "",
        "RUN_DIR": str(tmp_path / "run"),
        "REPORT_DIR": str(tmp_path / "reports"),
        "SHARDS": "",
        "HTML_LINK": "",
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        **inputs,
    }
    assert BASH is not None
    subprocess.run(
        [BASH, "-e", "-c", _script()],  # GitHub runs bash steps with -e
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return values, [json.loads(line) for line in log.read_text().splitlines()]


def test_quoted_args_survive_as_words(tmp_path: Path) -> None:
    args = """--only "invoice extractor" --example 'acme *' plain\\ word --tag=a"b c" """
    outputs, calls = _run(tmp_path, COMMAND="sync", ARGS=args, ENVIRONMENT="pr one")
    assert outputs["exit-code"] == "0"
    words = ["--only", "invoice extractor", "--example", "acme *", "plain word", "--tag=ab c"]
    assert calls == [["sync", "-m", "evalkit.yaml", "--env", "pr one", "--yes", *words]]


def test_nothing_in_args_is_evaluated(tmp_path: Path) -> None:
    args = "$(touch made-1) `touch made-2`; touch made-3 | x && y $HOME *"
    _, calls = _run(tmp_path, COMMAND="sync", ARGS=args)
    assert calls[0][4:] == args.split(" ")  # words as written, none evaluated
    assert not list(tmp_path.glob("made-*"))


def test_an_unclosed_quote_stops_with_exit_code_2(tmp_path: Path) -> None:
    outputs, calls = _run(tmp_path, COMMAND="sync", ARGS='--only "invoice')
    assert outputs["exit-code"] == "2"
    assert calls == []


def test_run_links_the_workflow_run_and_passes_the_args(tmp_path: Path) -> None:
    outputs, calls = _run(tmp_path, ARGS='--tag "needs review"', BASELINE="main/summary.json")
    run, report = calls
    run_dir, report_dir = str(tmp_path / "run"), str(tmp_path / "reports")
    baseline = ["--baseline", "main/summary.json"]
    tagged = ["--tag", "needs review"]
    assert run == ["run", "-m", "evalkit.yaml", *baseline, "--out", run_dir, "--no-report", *tagged]
    link = "https://github.com/acme/invoices/actions/runs/42"
    assert report == ["report", run_dir, "--out", report_dir, "--github", "--html-link", link]
    assert outputs["html-link"] == link


def test_the_html_link_input_wins(tmp_path: Path) -> None:
    link = "https://ci.example/reports/42/report.html"
    outputs, calls = _run(tmp_path, HTML_LINK=link)
    assert calls[1][-2:] == ["--html-link", link]
    assert outputs["html-link"] == link


def _shard_folders(run: RunResults, folder: Path, count: int) -> list[Path]:
    folders = []
    for index in range(1, count + 1):
        shard = with_summary(run.results[index - 1 :: count], None)
        assert shard.summary is not None
        shard.summary.metadata.selection["shard"] = [f"{index}/{count}"]
        # as download-artifact lays them out: shards/<artifact>/shard
        folders.append(write_run(shard, folder / f"evalkit-shard-{index}" / "shard"))
    return folders


def test_merge_with_a_crashed_shard_is_red(tmp_path: Path, failing_run: RunResults) -> None:
    """The sharded workflow merges with ``if: always()``: shard 1's job crashed before its
    upload, so its folder is absent; the merge must not be green."""
    passing = RunResults([r for r in failing_run.results if r.verdict.value == "pass"])
    folders = _shard_folders(passing, tmp_path / "shards", 3)
    shutil.rmtree(folders[0].parent)
    outputs, _ = _run(tmp_path, fake=False, COMMAND="merge", SHARDS="shards/*/shard")
    assert outputs["exit-code"] == "2"
    assert "verdict" not in outputs
    outputs, _ = _run(
        tmp_path,
        fake=False,
        COMMAND="merge",
        SHARDS="shards/*/shard",
        ARGS="--allow-missing-shards",
    )
    assert outputs["exit-code"] == "1"
    assert outputs["verdict"] == "gate_failed"


def test_merge_publishes_the_outputs(tmp_path: Path, failing_run: RunResults) -> None:
    _shard_folders(failing_run, tmp_path / "shards", 2)
    outputs, _ = _run(tmp_path, fake=False, COMMAND="merge", SHARDS="shards/*/shard")
    assert outputs["exit-code"] == "1"
    assert outputs["verdict"] == "gate_failed"
    assert outputs["pass-rate"] == "0.5000"
    assert (outputs["total"], outputs["passed"], outputs["failed"]) == ("10", "5", "1")
    assert outputs["markdown"] == str(tmp_path / "reports" / "summary.md")
    assert Path(outputs["html"]).is_file()
    link = "(https://github.com/acme/invoices/actions/runs/42)"
    assert link in Path(outputs["markdown"]).read_text()
    declared = set(_action()["outputs"])
    assert set(OUTPUTS) <= declared
    assert set(outputs) <= declared


def _pip_cache_step(tmp_path: Path, spec: str) -> dict[str, str]:
    outputs = tmp_path / f"pip-{len(spec)}"
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "pip-cache")
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_OS": "Linux",
        "SPEC": spec,
        "ACTION_REF": "v1",
        "PYTHON_VERSION": "3.11",
    }
    assert BASH is not None
    subprocess.run([BASH, "-e", "-c", step["run"]], env=env, check=True, timeout=60)
    return dict(line.split("=", 1) for line in outputs.read_text().splitlines())


def test_pip_downloads_are_cached_by_what_is_installed(tmp_path: Path) -> None:
    """Issue 10 item 14: pip's cache kept between runs, its key changing with the evalkit
    installed; spelt any way (commas are not allowed in cache keys)."""
    steps = _action()["runs"]["steps"]
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    assert cache["with"]["key"] == "${{ steps.pip-cache.outputs.key }}"
    install = next(i for i, s in enumerate(steps) if s.get("name") == "Install evalkit")
    assert steps.index(cache) < install
    first = _pip_cache_step(tmp_path, "evalkit>=0.2,<0.3")
    second = _pip_cache_step(tmp_path, "")
    assert Path(first["dir"]).is_absolute()
    assert first["key"].startswith("evalkit-pip-Linux-")
    assert len(first["key"]) == len("evalkit-pip-Linux-") + 16
    assert "," not in first["key"]
    assert first["key"] != second["key"]
