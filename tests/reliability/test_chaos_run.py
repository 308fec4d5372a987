"""``evalkit run`` against a platform that fails: nothing is lost, nothing is done twice.

The platform answers 5xx, rate-limits in bursts with Retry-After, drops connections after doing
the work (the answer is lost), delays answers and fails some executions. Afterwards the
platform's state is read back and compared with the results file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evalkit.client import EigenpalClient

from .processes import SOAK, evalkit, serve
from .projects import write_echo_project

KEY = "eg_chaos_suite"
EXAMPLES = 200 * SOAK
FAULTS = [
    "--fault-error-rate", "0.2",
    "--fault-drop-rate", "0.03",
    "--fault-drop-after",
    "--fault-latency-ms", "10",
    "--rate-limit", "60",
    "--rate-limit-burst", "20",
    "--fault-execution-failure-rate", "0.05",
    "--fault-seed", "20261204",
]  # fmt: skip


def _results(project: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    (run,) = (project / ".evalkit" / "runs").iterdir()
    lines = (run / "results.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines], json.loads((run / "summary.json").read_text())


@pytest.mark.slow
def test_a_run_under_faults_loses_nothing_and_starts_nothing_twice(tmp_path: Path) -> None:
    project = tmp_path / "project"
    manifest = write_echo_project(project, EXAMPLES)
    data = tmp_path / "platform"
    with serve(data, KEY) as served:
        synced = evalkit("-m", str(manifest), "sync", "--yes", cwd=project, env=served.env())
        assert synced.code == 0, synced.printed
    with serve(data, KEY, *FAULTS) as served:
        run = evalkit("-m", str(manifest), "run", cwd=project, env=served.env(), timeout=900)
    assert "Traceback" not in run.printed
    results, summary = _results(project)

    # Every example exactly once in the results.
    names = [result["example"] for result in results]
    assert len(names) == EXAMPLES
    assert set(names) == {f"ex{index:04d}" for index in range(EXAMPLES)}

    with serve(data, KEY) as served, EigenpalClient(api_key=KEY, base_url=served.base_url) as api:
        executions = list(
            api.agents.executions.iter_list(
                "echo", batch_id=summary["metadata"]["run_id"], include="feedback,expected,files"
            )
        )
    by_example: dict[str, list[Any]] = {}
    for execution in executions:
        by_example.setdefault(execution.example_id or "", []).append(execution)
    # Nothing started twice: the lost answers of dropped starts were adopted, not rerun.
    assert sorted(by_example) == sorted(names)
    assert all(len(found) == 1 for found in by_example.values()), "an example ran twice"

    for result in results:
        (execution,) = by_example[result["example"]]
        assert result["execution"]["id"] == execution.id
        if execution.status.value == "completed":
            # A completed execution is judged, never turned into an error by a failed read.
            assert result["verdict"] == "pass", result
            assert execution.feedback is not None
            assert execution.feedback.rating == "pass"
            assert execution.expected == json.loads(
                (project / "agents/echo/examples" / result["example"] / "expected.json").read_text()
            )
            assert [item.name for item in execution.expected_files or []] == ["doc.txt"]
        else:
            assert execution.status.value == "failed", execution
            assert result["verdict"] == "error", result
            assert result["error"]["kind"] == "failed", result

    failed = sum(1 for result in results if result["verdict"] != "pass")
    assert 0 < failed < EXAMPLES // 4, "the injected execution failures show, and only they"
    assert summary["counts"]["total"] == EXAMPLES
    assert run.code == summary["exit_code"] == 1, run.printed  # the pass-rate gate fails

    # Every verdict is on its execution, and the faults the run went through are counted.
    assert summary["feedback_failures"] == []
    traffic = summary["traffic"]
    assert traffic["server_errors"] > 0
    assert traffic["rate_limited"] > 0
    assert traffic["unanswered"] > 0
    assert "platform: " in run.stdout  # the closing summary says how the platform answered
    lost = EXAMPLES - len(results)
    twice = sum(len(found) - 1 for found in by_example.values())
    adopted = sum(1 for result in results if result["adopted"])
    print(  # the figures, with pytest -s
        f"\n{EXAMPLES} examples under faults: {traffic}; adopted {adopted}; "
        f"results lost {lost}; duplicate starts {twice}"
    )
