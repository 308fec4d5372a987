"""The scenarios of issue 15, in its order."""

from __future__ import annotations

from benchmarks.scenario import Scenario
from benchmarks.scenarios import (
    aged_platform,
    client_cpu,
    compare,
    memory,
    noop_plan,
    overhead,
    report,
    throughput,
)

SCENARIOS: tuple[Scenario, ...] = (
    throughput.SCENARIO,
    overhead.SCENARIO,
    client_cpu.SCENARIO,
    noop_plan.SCENARIO,
    compare.SCENARIO,
    report.SCENARIO,
    memory.SCENARIO,
    aged_platform.SCENARIO,
)
