"""4. A plan with nothing to do: one request per agent and one more, and drift is still found."""

from __future__ import annotations

import base64
import re

from eigenpal import EigenpalClient

from benchmarks.processes import run_evalkit, serve
from benchmarks.project import Shape, agent_slug, write_project
from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row

#: the client's debug log line for each answer (evalkit -vv): "GET /api/v1/... -> 200 in 3 ms"
_ANSWER = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD) /\S* -> \d{3} in \d+ ms")
_CHANGES = 2  # evalkit plan --detailed-exitcode: there are changes


def run(context: Context) -> None:
    agents = context.pick(3, 50)
    examples = context.pick(2, 10)
    extra = context.pick(3, 19)  # full: AGENT.md + 19 files + 10 examples x 2 = 40 files
    root = context.workdir / "project"
    write_project(root, Shape(examples=examples, delay_ms=0, agents=agents, extra_files=extra))
    files = 1 + extra + 2 * examples
    with serve(context.workdir / "served" / "platform") as served:
        env = served.env()
        context.log(f"serve: evalkit sync of {agents} agents x {files} files (untimed)")
        run_evalkit(["sync", "--yes"], root, env=env)
        context.log("serve: evalkit plan with nothing to do, counted (-vv) and timed")
        counted = run_evalkit(["-vv", "plan"], root, env=env)
        timed = run_evalkit(["plan", "--detailed-exitcode"], root, env=env)
        requests = len(_ANSWER.findall(counted.stderr))
        context.add(
            Row(
                scenario=SCENARIO.name,
                label="no-op plan: requests",
                figure=requests,
                unit="req",
                target=agents + 1,
                details={
                    "agents": agents,
                    "files_per_agent": files,
                    "wall_s": round(timed.wall_seconds, 2),
                    "client_cpu_s": round(timed.cpu_seconds, 2),
                },
            )
        )
        context.log("serve: one file changed on the platform, then evalkit plan")
        changed = agent_slug(agents // 2)
        sdk = EigenpalClient(api_key=served.api_key, base_url=served.base_url)
        content = base64.b64encode(b"# changed outside git\n").decode()
        sdk.agents.put_file(changed, "skills/skill-000.md", content_base64=content)
        drift = run_evalkit(["plan", "--detailed-exitcode"], root, env=env, expect=(_CHANGES,))
        found = [slug for slug in _drifted(drift.stdout) if slug == changed]
        context.add(
            Row(
                scenario=SCENARIO.name,
                label="drift found after a change",
                figure=len(found),
                unit="agent",
                target=1,
                bound=">=",
                details={"changed": changed, "plan": drift.stdout[-2000:]},
            )
        )


def _drifted(plan: str) -> list[str]:
    """The agents a plan marks as drifted: "~ bench-agent-01  !1" (one file changed there)."""
    return re.findall(r"^[~+!]\s+(bench-agent-\d+)\s+!\d+", plan, flags=re.MULTILINE)


SCENARIO = Scenario(
    name="plan",
    title="A no-op plan of many agents",
    description=(
        "Against `evalkit serve`: after `evalkit sync`, `evalkit plan` of A agents of 40 "
        "workspace files each (examples included); figure: the requests it made, counted from "
        "its own -vv log of every answer. Then one file is changed through the official SDK "
        "and `evalkit plan --detailed-exitcode` must name that agent as drifted. Full: A=50."
    ),
    run=run,
)
