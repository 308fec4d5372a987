"""How fast the comparison engine is: compile once, then compare 1,000-leaf documents.

Run: python benchmarks/compare_speed.py
Prints milliseconds per comparison for several shapes and rule sets, and the share of the time
spent compiling rules (done once per rule set, not per example).
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from typing import Any

from evalkit.compare import CompareSpec, compare_example, compare_json, compile_rules

LINE_ITEMS = 125  # 125 items x 8 leaves = 1,000 leaves


def invoice(items: int = LINE_ITEMS) -> dict[str, Any]:
    return {
        "vendor": "ACME Corp",
        "lineItems": [
            {
                "id": f"line-{i}",
                "description": f"Widget number {i}",
                "quantity": i % 7 + 1,
                "unitPrice": round(1.25 * i, 2),
                "amount": round(1.25 * i * (i % 7 + 1), 2),
                "tax": {"rate": 0.2, "code": "VAT"},
                "ok": True,
            }
            for i in range(items)
        ],
    }


def perturbed(document: dict[str, Any]) -> dict[str, Any]:
    """Every 10th amount off by 0.004, every 25th description in capitals, order reversed."""
    actual = copy.deepcopy(document)
    for i, item in enumerate(actual["lineItems"]):
        if i % 10 == 0:
            item["amount"] += 0.004
        if i % 25 == 0:
            item["description"] = item["description"].upper()
        item["id"] = f"other-{i}"
    actual["lineItems"].reverse()
    return actual


RULES = CompareSpec.model_validate(
    {
        "ignore": ["/lineItems/*/id"],
        "rules": {
            "/lineItems": {"order": "ignore"},
            "/lineItems/*/amount": {"tolerance": 0.01},
            "/lineItems/*/description": {"text": ["casefold"]},
        },
    }
)


def timed(label: str, run: Callable[[], object], repeat: int = 20) -> float:
    run()  # warm caches (compiled rules, resolved paths) the way a run of many examples does
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples) * 1000
    print(f"{label:<58} {median:8.2f} ms (median of {repeat})")
    return median


def main() -> None:
    expected = invoice()
    same = copy.deepcopy(expected)
    actual = perturbed(expected)
    compiled = compile_rules(RULES)
    print(f"document: {LINE_ITEMS} line items, ~{LINE_ITEMS * 8} leaves")
    timed("identical, no rules", lambda: compare_json(expected, same))
    timed("identical, rules", lambda: compare_json(expected, same, compiled))
    scattered = copy.deepcopy(expected)
    for item in scattered["lineItems"][::10]:
        item["quantity"] += 1
    timed("no rules, 1 in 10 elements changed", lambda: compare_json(expected, scattered))
    everywhere = copy.deepcopy(expected)
    for item in everywhere["lineItems"]:
        item["tax"]["rate"] = 0.21
    timed("no rules, every element changed", lambda: compare_json(expected, everywhere))
    timed(
        "unordered + tolerance + casefold, all excused",
        lambda: compare_json(expected, actual, compiled),
    )
    broken = perturbed(expected)
    for item in broken["lineItems"][::5]:
        item["quantity"] += 1
    timed("unordered, 1 in 5 elements wrong", lambda: compare_json(expected, broken, compiled))
    csv_rules = CompareSpec.model_validate(
        {**RULES.model_dump(exclude_unset=True), "files": {"*.csv": {"order": "ignore"}}}
    )
    timed(
        "verdict with a 1,000-row CSV file",
        lambda: compare_example(
            expected,
            actual,
            {"rows.csv": _csv(1000)},
            {"rows.csv": _csv(1000, shift=True)},
            csv_rules,
        ),
        repeat=5,
    )
    start = time.perf_counter()
    for index in range(100):
        spec = CompareSpec.model_validate(
            {**RULES.model_dump(exclude_unset=True), "ignore": [f"/new{index}"]}
        )
        compile_rules(spec)
    per_compile = (time.perf_counter() - start) / 100 * 1000
    print(f"{'compile a new rule set':<58} {per_compile:8.2f} ms")


def _csv(rows: int, shift: bool = False) -> bytes:
    lines = ["id,name,amount"]
    order = range(rows - 1, -1, -1) if shift else range(rows)
    lines += [f"{i},name {i},{i * 1.5}" for i in order]
    return ("\n".join(lines) + "\n").encode()


if __name__ == "__main__":
    main()
