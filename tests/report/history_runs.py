"""Three runs on the local platform whose pass rate climbs, kept as ``evalkit run`` keeps them
(``<project>/.evalkit/runs/<run id>/``), for the history tests."""

from __future__ import annotations

from pathlib import Path

from evalkit.conventions import RUNS_FOLDER
from tests.runner.platform_harness import create_agent, job, local_platform, run_jobs

#: run folders in the order the runs started: folder names that sort otherwise
RUN_NAMES = ("run-c", "run-a", "run-b")
#: the climbing agent's passes in each run, of 3 examples
PASSES = (1, 2, 3)


def make_history(project: Path) -> Path:
    """Run the three runs into ``project``'s runs folder; return that folder."""
    runs = project / RUNS_FOLDER
    runtime = {"builtin": "echo", "cost": {"credits": 0.5}, "model": "m-1"}
    with local_platform(project / "platform") as running:
        create_agent(running, "climbing", runtime)
        create_agent(running, "steady", {"builtin": "echo"})
        for name, passes in zip(RUN_NAMES, PASSES, strict=True):
            jobs = [
                # echo answers the input: an example passes when its expected is its input
                job("climbing", f"e{i}", {"n": i if i < passes else -1}, input_json={"n": i})
                for i in range(3)
            ]
            jobs.append(job("steady", "s", {"n": 0}, input_json={"n": 0}))
            run_jobs(running, jobs, runs / name, feedback=False)
    return runs
