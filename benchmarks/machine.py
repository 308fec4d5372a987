"""Which machine the figures were taken on, and how fast its cores are.

Two machines of one kind (2 cores, Linux x86_64, the same Python) can differ by a third in what
one core does per second, and every figure here that is time, or a ratio of time to a fixed
wait, moves with it. So each run names the processor and measures a fixed single-core workload
before and after its scenarios: the figures of two runs are comparable when these are.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
#: the fixed workload is timed this many times; the fastest counts (the others met a busy core)
CALIBRATION_ROUNDS = 5
#: what the workload does, once: objects as evalkit handles them (JSON, dicts, strings)
_DOCUMENT = {
    "invoice": {
        "number": "INV-0042",
        "lines": [{"sku": f"A{i}", "qty": i, "price": i * 1.5} for i in range(40)],
    },
    "notes": "net 30 days; " * 20,
}
_REPEATS = 800


@dataclass(frozen=True)
class Calibration:
    """Milliseconds the fixed workload took, at the start and at the end of the run."""

    before_ms: float
    after_ms: float | None = None

    def text(self) -> str:
        after = f", after {self.after_ms:.0f} ms" if self.after_ms is not None else ""
        return f"a fixed single-core workload in {self.before_ms:.0f} ms{after}"


def cpu_model(cpuinfo: Path = CPUINFO) -> str | None:
    """The processor's model name, as the kernel reports it (None where it does not)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model") and value.strip():
            return value.strip()
    return None


def describe(model: str | None = None) -> str:
    """'2 cores (AMD EPYC), Linux x86_64, Python 3.11.7'."""
    model = model if model is not None else cpu_model()
    cores = f"{os.cpu_count()} cores" + (f" ({model})" if model else "")
    return f"{cores}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def single_core_ms(rounds: int = CALIBRATION_ROUNDS) -> float:
    """The fastest of ``rounds`` timings of the fixed workload, in milliseconds."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - began)
    return best * 1000


def _workload() -> int:
    total = 0
    for index in range(_REPEATS):
        text = json.dumps(_DOCUMENT, separators=(",", ":"))
        loaded = json.loads(text)
        lines = loaded["invoice"]["lines"]
        total += sum(line["qty"] for line in lines) + len(text.replace("A", "B")) + index
        total += len({f"{line['sku']}/{index}": line for line in lines})
    return total
