"""The example invoice-extractor agent, run exactly as the local platform runs it.

Each dataset example is laid out in a scratch folder, ``main.py`` runs with a clean
environment, and its results are compared with the hand-written expected files under the
manifest's compare rules (see ``invoice_harness``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from .invoice_harness import (
    EXAMPLES,
    PROJECT,
    ROOT,
    WORKSPACE,
    csv_records,
    differences,
    lay_out_inputs,
    output_validator,
    run_agent,
    run_example,
    scratch_copy,
)

#: examples whose invoice disagrees with itself, so the agent must write issues.md
EXAMPLES_WITH_ISSUES = {"brightside-rounding-cent", "riverside-bakery-discount"}


# -- the examples ---------------------------------------------------------------------------


def test_the_dataset_has_enough_varied_examples() -> None:
    assert len(EXAMPLES) >= 8
    suffixes = Counter(next((e / "input").iterdir()).suffix for e in EXAMPLES)
    assert suffixes[".txt"] >= 2
    assert suffixes[".csv"] >= 2
    currencies = {json.loads((e / "expected.json").read_text())["currency"] for e in EXAMPLES}
    assert {"EUR", "USD", "GBP", "JPY", "CHF"} <= currencies


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_example_is_complete_and_its_expected_output_is_valid(example: Path) -> None:
    assert (example / "README.md").read_text(encoding="utf-8").startswith(f"# {example.name}")
    assert isinstance(json.loads((example / "input.json").read_text()), dict)
    assert [path.stem for path in (example / "input").iterdir()] == ["invoice"]
    expected = json.loads((example / "expected.json").read_text(encoding="utf-8"))
    output_validator().validate({**expected, "generatedAt": "2026-01-01T00:00:00.000Z"})
    header, _rows = csv_records((example / "expected" / "line_items.csv").read_text("utf-8"))
    assert header == ["description", "quantity", "unit_price", "amount"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_hand_written_expected_figures_add_up(example: Path) -> None:
    """The arithmetic of each expected.json, checked independently of the agent.

    Only the two examples about a one-cent disagreement may break one rule each: there the
    expected value is the invoice's own (stated) figure.
    """
    expected = json.loads(
        (example / "expected.json").read_text(encoding="utf-8"), parse_float=Decimal
    )
    cent = Decimal("0.01") if expected["currency"] != "JPY" else Decimal(1)
    for item in expected["lineItems"]:
        product = (Decimal(item["quantity"]) * item["unitPrice"]).quantize(cent, ROUND_HALF_UP)
        assert product == item["amount"], item
    lines = sum(Decimal(item["amount"]) for item in expected["lineItems"])
    if example.name == "brightside-rounding-cent":
        assert (lines, expected["subtotal"]) == (Decimal("525.00"), Decimal("524.99"))
    else:
        assert lines == expected["subtotal"]
    if example.name == "riverside-bakery-discount":
        assert expected["subtotal"] + expected["tax"] == expected["total"] - cent
    else:
        assert expected["subtotal"] + expected["tax"] == expected["total"]
    rows = csv_records((example / "expected" / "line_items.csv").read_text(encoding="utf-8"))[1]
    assert sum(rows.values()) == len(expected["lineItems"])
    for description, quantity, unit_price, amount in rows:
        item = next(i for i in expected["lineItems"] if i["description"] == description)
        assert Decimal(quantity) == item["quantity"]
        assert Decimal(unit_price) == item["unitPrice"]
        assert Decimal(amount) == item["amount"]
        decimals = amount.partition(".")[2]
        assert len(decimals) == (0 if cent == 1 else 2), amount  # money as the currency writes it


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_agent_output_matches_expected(example: Path, tmp_path: Path) -> None:
    scratch = run_example(example, tmp_path)

    output = json.loads((scratch / "output.json").read_text(encoding="utf-8"))
    output_validator().validate(output)
    expected = json.loads((example / "expected.json").read_text(encoding="utf-8"))
    assert differences(expected, output) == []

    produced = (scratch / "output" / "line_items.csv").read_text(encoding="utf-8")
    wanted = (example / "expected" / "line_items.csv").read_text(encoding="utf-8")
    assert csv_records(produced) == csv_records(wanted)

    assert (scratch / "issues.md").exists() == (example.name in EXAMPLES_WITH_ISSUES)
    trace = (scratch / "trace.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["step"] for line in trace] == ["read", "parse", "decide", "write"]


@pytest.mark.parametrize(
    ("name", "stated", "reported_in_issues"),
    [
        ("brightside-rounding-cent", {"subtotal": 524.99}, ["525.00", "524.99", "0.01 less"]),
        ("riverside-bakery-discount", {"total": 78}, ["77.99", "78.00", "0.01 more"]),
    ],
)
def test_a_cent_of_disagreement_is_reported_not_hidden(
    name: str, stated: dict[str, float], reported_in_issues: list[str], tmp_path: Path
) -> None:
    scratch = run_example(WORKSPACE / "examples" / name, tmp_path)
    output = json.loads((scratch / "output.json").read_text(encoding="utf-8"))
    assert {key: output[key] for key in stated} == stated  # the invoice's own figure
    issues = (scratch / "issues.md").read_text(encoding="utf-8")
    for text in reported_in_issues:
        assert text in issues


def test_ambiguous_dates_without_date_order_are_read_day_first_and_flagged(
    tmp_path: Path,
) -> None:
    scratch = scratch_copy(tmp_path)
    lay_out_inputs(
        scratch, {}, {"invoice": WORKSPACE / "examples/acme-us-letter/input/invoice.txt"}
    )
    assert run_agent(scratch).returncode == 0
    output = json.loads((scratch / "output.json").read_text())
    assert output["issueDate"] == "2026-01-03"  # 03/01/2026 read as 3 January
    assert output["dueDate"] == "2026-03-31"  # 03/31/2026 can only be month first
    issues = (scratch / "issues.md").read_text(encoding="utf-8")
    assert "'03/01/2026'" in issues
    assert '"date_order": "MDY"' in issues


# -- the comparison itself must be able to fail ---------------------------------------------


def test_comparison_applies_exactly_the_manifest_rules() -> None:
    expected = json.loads((EXAMPLES[0] / "expected.json").read_text(encoding="utf-8"))
    same = json.loads(json.dumps(expected))
    same["lineItems"].reverse()
    same["generatedAt"] = "2026-01-01T00:00:00.000Z"
    same["total"] += 0.009
    assert differences(expected, same) == []

    for path, change in [
        (("total",), 0.02),
        (("lineItems", 0, "amount"), 0.02),
        (("lineItems", 0, "quantity"), 0.001),
    ]:
        changed = json.loads(json.dumps(expected))
        parent = changed
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] += change
        assert differences(expected, changed), path

    renamed = {**expected, "vendor": expected["vendor"].upper()}
    assert differences(expected, renamed) == [
        f"/vendor: expected {expected['vendor']!r}, found {renamed['vendor']!r}"
    ]
    assert differences(expected, {**expected, "dueDate": "2099-01-01"})
    assert differences(expected, {**expected, "extra": 1}) == ["/extra: only in actual"]


def test_csv_records_ignore_row_order_but_not_content() -> None:
    text = "description,quantity,unit_price,amount\nA,1,2.00,2.00\nB,2,1.00,2.00\n"
    reordered = "description,quantity,unit_price,amount\nB,2,1.00,2.00\nA,1,2.00,2.00\n"
    assert csv_records(text) == csv_records(reordered)
    assert csv_records(text) != csv_records(reordered.replace("2.00\n", "2.0\n"))


# -- the deliberately broken agent, for the runner's own tests ------------------------------


def test_broken_agent_patch_makes_several_examples_fail(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to apply the patch")
    root = tmp_path / "root"
    shutil.copytree(WORKSPACE, root / WORKSPACE.relative_to(ROOT))
    subprocess.run(
        [git, "apply", str(PROJECT / "broken-agent.patch")], cwd=root, check=True, timeout=30
    )
    broken = root / WORKSPACE.relative_to(ROOT)
    failing = []
    for index, example in enumerate(EXAMPLES):
        scratch = run_example(example, tmp_path / str(index), workspace=broken)
        output = json.loads((scratch / "output.json").read_text(encoding="utf-8"))
        expected = json.loads((example / "expected.json").read_text(encoding="utf-8"))
        if differences(expected, output):
            failing.append(example.name)
    assert 3 <= len(failing) < len(EXAMPLES), failing
