"""5. Comparing a large JSON output: evalkit's engine beside plain DeepDiff, and linear in size."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any

from deepdiff import DeepDiff

from benchmarks.scenario import Context, Scenario
from benchmarks.table import Row
from evalkit.compare import compare_json

TARGET_VS_DEEPDIFF = 1.3
#: per-megabyte time at the largest size over that at the smallest: "linear" within 50%
TARGET_LINEARITY = 1.5


def document(megabytes: float) -> dict[str, Any]:
    """An invoice with as many line items as make ``megabytes`` of JSON."""
    item = _item(0)
    count = max(1, round(megabytes * 1_000_000 / len(json.dumps(item))))
    return {"vendor": "ACME Corp", "currency": "EUR", "lineItems": [_item(n) for n in range(count)]}


def _item(n: int) -> dict[str, Any]:
    return {
        "id": f"line-{n}",
        "description": f"Widget number {n}, blue, boxed",
        "quantity": n % 7 + 1,
        "unitPrice": round(1.25 * n, 2),
        "amount": round(1.25 * n * (n % 7 + 1), 2),
        "tax": {"rate": 0.2, "code": "VAT"},
        "ok": True,
    }


def perturbed(expected: dict[str, Any]) -> dict[str, Any]:
    """One line item in 100 with a different amount."""
    actual = copy.deepcopy(expected)
    for item in actual["lineItems"][::100]:
        item["amount"] += 1
    return actual


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def run(context: Context) -> None:
    sizes = (0.05, 0.2, 0.8) if context.size == "small" else (1.0, 5.0, 20.0)
    judged = sizes[1]
    seconds: dict[float, float] = {}
    for megabytes in sizes:
        expected = document(megabytes)
        actual = perturbed(expected)
        context.log(f"compare_json of {megabytes:g} MB")
        repeats = 1 if megabytes == sizes[-1] else 3
        seconds[megabytes] = best_of(repeats, lambda: compare_json(expected, actual))  # noqa: B023
        if megabytes == judged:
            context.log(f"DeepDiff of {megabytes:g} MB")
            deepdiff = best_of(1, lambda: DeepDiff(expected, actual))  # noqa: B023
            context.add(
                Row(
                    scenario=SCENARIO.name,
                    label=f"{megabytes:g} MB: evalkit / DeepDiff",
                    figure=seconds[megabytes] / deepdiff,
                    unit="x",
                    target=TARGET_VS_DEEPDIFF,
                    details={
                        "evalkit_s": round(seconds[megabytes], 3),
                        "deepdiff_s": round(deepdiff, 3),
                    },
                )
            )
    per_mb = {size: seconds[size] / size for size in sizes}
    context.add(
        Row(
            scenario=SCENARIO.name,
            label=f"s/MB at {sizes[-1]:g} MB / at {sizes[0]:g} MB",
            figure=per_mb[sizes[-1]] / per_mb[sizes[0]],
            unit="x",
            target=TARGET_LINEARITY,
            details={f"{size:g}_MB_s": round(seconds[size], 3) for size in sizes},
        )
    )


SCENARIO = Scenario(
    name="compare",
    title="Comparing large JSON outputs",
    description=(
        "In this process (the engine `evalkit run` uses, without the command around it): "
        "evalkit.compare.compare_json of an invoice JSON of 1, 5 and 20 MB against a copy with "
        "1 line item in 100 changed, no rules (best of 3, of 1 at the largest); beside it plain "
        "DeepDiff(expected, actual) at 5 MB. Figures: the time ratio at 5 MB, and seconds per MB "
        "at 20 MB over that at 1 MB (linear: within 1.5x)."
    ),
    run=run,
)
