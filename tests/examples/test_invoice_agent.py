"""The example invoice-extractor agent, run exactly as the local platform runs it.

Each dataset example is laid out in a scratch folder (the workspace minus ``examples/``, plus
``input.json`` and ``input/``), ``main.py`` runs with a clean environment, and its results are
compared with the hand-written expected files under the manifest's compare rules.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import os
import shutil
import subprocess
import sys
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "examples" / "invoices"
WORKSPACE = PROJECT / "agents" / "invoice-extractor"
EXAMPLES = sorted(path for path in (WORKSPACE / "examples").iterdir() if path.is_dir())
#: examples whose invoice disagrees with itself, so the agent must write issues.md
EXAMPLES_WITH_ISSUES = {"brightside-rounding-cent", "riverside-bakery-discount"}

# The manifest's compare rules for this agent ("*" matches one list index).
IGNORED = {("generatedAt",)}
TOLERANCE = 0.01
TOLERANT_PATHS = {
    ("subtotal",),
    ("tax",),
    ("total",),
    ("lineItems", "*", "amount"),
    ("lineItems", "*", "unitPrice"),
}
UNORDERED_PATHS = {("lineItems",)}


# -- running the agent the way the platform does --------------------------------------------


def scratch_copy(tmp_path: Path, workspace: Path = WORKSPACE) -> Path:
    """The workspace minus examples/ (the agent never sees expected outputs)."""
    scratch = tmp_path / "scratch"
    shutil.copytree(
        workspace,
        scratch,
        ignore=lambda folder, names: [
            name
            for name in names
            if name == "__pycache__" or (Path(folder) == workspace and name == "examples")
        ],
    )
    return scratch


def lay_out_inputs(scratch: Path, scalars: dict[str, Any], files: dict[str, Path]) -> None:
    document = dict(scalars)
    (scratch / "input").mkdir()
    for field, source in files.items():
        relative = f"input/{field}{source.suffix}"
        shutil.copyfile(source, scratch / relative)
        content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        document[field] = {"file": relative, "filename": source.name, "contentType": content_type}
    (scratch / "input.json").write_text(json.dumps(document), encoding="utf-8")


def run_agent(scratch: Path) -> subprocess.CompletedProcess[str]:
    """``python main.py`` with the clean environment of docs/agent-runtime.md (no parent env)."""
    (scratch / ".home").mkdir()
    (scratch / ".tmp").mkdir()
    clean_env = {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(scratch / ".home"),
        "TMPDIR": str(scratch / ".tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "EIGENPAL_EXECUTION_ID": "exec_test",
    }
    return subprocess.run(
        [sys.executable, "main.py"],
        cwd=scratch,
        env=clean_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def run_example(example: Path, tmp_path: Path, workspace: Path = WORKSPACE) -> Path:
    scratch = scratch_copy(tmp_path, workspace)
    scalars = json.loads((example / "input.json").read_text(encoding="utf-8"))
    files = {path.stem: path for path in (example / "input").iterdir()}
    lay_out_inputs(scratch, scalars, files)
    result = run_agent(scratch)
    assert result.returncode == 0, f"{example.name} failed: {result.stderr}"
    return scratch


# -- the comparison, under exactly the manifest's rules -------------------------------------


def _matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(pattern) == len(path) and all(
        p in ("*", s) for p, s in zip(pattern, path, strict=True)
    )


def differences(expected: Any, actual: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Where ``actual`` departs from ``expected``; empty when they match."""
    where = _pointer(path)
    if any(_matches(pattern, path) for pattern in IGNORED):
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        return _dict_differences(expected, actual, path)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items expected, {len(actual)} found"]
        if path in UNORDERED_PATHS:
            return _unordered_differences(expected, actual, path)
        return [
            diff
            for index, (want, got) in enumerate(zip(expected, actual, strict=True))
            for diff in differences(want, got, (*path, str(index)))
        ]
    if _is_number(expected) and _is_number(actual):
        tolerant = any(_matches(pattern, path) for pattern in TOLERANT_PATHS)
        close = abs(expected - actual) <= TOLERANCE + 1e-9 if tolerant else expected == actual
        return [] if close else [f"{where}: expected {expected}, found {actual}"]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{where}: expected {expected!r}, found {actual!r}"]
    return []


def _dict_differences(
    expected: dict[str, Any], actual: dict[str, Any], path: tuple[str, ...]
) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(actual)):
        child = (*path, key)
        if any(_matches(pattern, child) for pattern in IGNORED):
            continue
        if key in expected and key in actual:
            found += differences(expected[key], actual[key], child)
        else:
            found.append(
                f"{_pointer(child)}: only in {'expected' if key in expected else 'actual'}"
            )
    return found


def _unordered_differences(
    expected: list[Any], actual: list[Any], path: tuple[str, ...]
) -> list[str]:
    unmatched = list(actual)
    missing = []
    for want in expected:
        # Paths below an unordered list use "*" for the index, as the manifest's rules do.
        match = next((got for got in unmatched if not differences(want, got, (*path, "*"))), None)
        if match is None:
            missing.append(f"{_pointer(path)}: no item matches {want!r}")
        else:
            unmatched.remove(match)
    return missing


def _pointer(path: tuple[str, ...]) -> str:
    return "".join(f"/{segment}" for segment in path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_records(text: str) -> tuple[list[str], Counter[tuple[str, ...]]]:
    """The header, and the rows as a multiset (the manifest compares CSV rows in any order)."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, Counter(tuple(row) for row in rows)


def output_validator() -> Draft202012Validator:
    schema = json.loads((WORKSPACE / "output-schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


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


# -- bad input fails clearly ----------------------------------------------------------------

GARBLED_TEXT = b"Dear customer,\nthank you for your order!\n\nKind regards,\nthe team\n"
TWO_INVOICES_CSV = (
    b"Invoice No,Item,Qty,Price,Amount\nA-1,Widget,1,5.00,5.00\nA-2,Gadget,2,3.00,6.00\n"
)
MIXED_MARKS = (
    b"From: X\nInvoice: 1\nDate: 2026-01-01\n\nItem  Amount\nA  1.234,50 EUR\nB  12.50 EUR\n"
)
UNALIGNED_ROW = (
    b"From: X\nInvoice: 1\nDate: 2026-01-01\n\nItem|Qty|Price|Amount\nWidget|1|5.00|5.00|oops\n"
)


@pytest.mark.parametrize(
    ("name", "content", "scalars", "message"),
    [
        pytest.param(
            "letter.txt",
            GARBLED_TEXT,
            {},
            "could not find the invoice number, the issue date and the line items",
            id="not-an-invoice",
        ),
        pytest.param(
            "scan.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "binary data", id="binary"
        ),
        pytest.param("invoice.txt", b"%PDF-1.7\n%\xe2\xe3", {}, "this is a PDF", id="pdf-as-txt"),
        pytest.param(
            "invoice.pdf", b"%PDF-1.7\n", {}, "plain-text (.txt) and CSV (.csv)", id="pdf"
        ),
        pytest.param(
            "export.csv",
            TWO_INVOICES_CSV,
            {"default_currency": "EUR"},
            "holds 2 invoices",
            id="two-invoices",
        ),
        pytest.param(
            "export.csv", b"Name,Email\nAda,ada@example.com\n", {}, "no line-item header", id="csv"
        ),
        pytest.param("mixed.txt", MIXED_MARKS, {}, "mix decimal commas", id="mixed-marks"),
        pytest.param(
            "rows.txt", UNALIGNED_ROW, {}, "line 6: this line-item row has 5 cells", id="row"
        ),
        pytest.param(
            "invoice.txt",
            GARBLED_TEXT,
            {"date_order": "YMD"},
            "input 'date_order' is 'YMD'",
            id="bad-date-order",
        ),
        pytest.param(
            "invoice.txt",
            GARBLED_TEXT,
            {"default_currency": "EURO"},
            "input 'default_currency' is 'EURO'",
            id="bad-currency",
        ),
    ],
)
def test_unreadable_invoice_fails_with_a_helpful_message(
    tmp_path: Path, name: str, content: bytes, scalars: dict[str, Any], message: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    scratch = scratch_copy(tmp_path)
    lay_out_inputs(scratch, scalars, {"invoice": source})

    result = run_agent(scratch)

    assert result.returncode == 1
    assert result.stderr.startswith("invoice-extractor: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (scratch / "output.json").exists()


def test_missing_currency_names_the_input_that_fixes_it(tmp_path: Path) -> None:
    scratch = scratch_copy(tmp_path)
    invoice = WORKSPACE / "examples/lumen-semicolon-csv-eur/input/invoice.csv"
    lay_out_inputs(scratch, {}, {"invoice": invoice})
    result = run_agent(scratch)
    assert result.returncode == 1
    assert "no currency is stated" in result.stderr
    assert "default_currency" in result.stderr


def test_invoice_path_outside_the_working_folder_is_refused(tmp_path: Path) -> None:
    scratch = scratch_copy(tmp_path)
    (tmp_path / "secret.txt").write_text("From: X\nInvoice: 1\nDate: 2026-01-01\n")
    document = {"invoice": {"file": "../secret.txt", "filename": "secret.txt"}}
    (scratch / "input.json").write_text(json.dumps(document))
    result = run_agent(scratch)
    assert result.returncode == 1
    assert "'../secret.txt' is not a file inside the working folder" in result.stderr


def test_missing_invoice_input_says_what_to_attach(tmp_path: Path) -> None:
    scratch = scratch_copy(tmp_path)
    (scratch / "input.json").write_text("{}")
    result = run_agent(scratch)
    assert result.returncode == 1
    assert "attach the invoice as a file input named 'invoice'" in result.stderr


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
