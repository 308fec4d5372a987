"""The example agent refuses what it cannot read: exit status 1, one clear line on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .invoice_harness import WORKSPACE, lay_out_inputs, run_agent, scratch_copy

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
