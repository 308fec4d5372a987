"""What the agent hands back: output.json, output/line_items.csv, issues.md, trace.jsonl."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from invoice_parsers.model import Invoice
from invoice_parsers.totals import to_minor_units

CSV_HEADER = ("description", "quantity", "unit_price", "amount")


def json_number(value: Decimal) -> int | float:
    """Whole numbers as JSON integers (¥12000, 3 units), others as decimals (19.99)."""
    return int(value) if value == value.to_integral_value() else float(value)


def money_text(value: Decimal, minor_units: int) -> str:
    """ "45.00", "12000", or "0.125" when a unit price is finer than the currency's cents."""
    rounded = to_minor_units(value, minor_units)
    return f"{rounded if rounded == value else value.normalize():f}"


def invoice_json(invoice: Invoice, now: datetime | None = None) -> dict[str, Any]:
    generated = (now or datetime.now(timezone.utc)).isoformat(timespec="milliseconds")
    return {
        "vendor": invoice.vendor,
        "invoiceNumber": invoice.invoice_number,
        "issueDate": invoice.issue_date.isoformat(),
        "dueDate": invoice.due_date.isoformat() if invoice.due_date else None,
        "currency": invoice.currency,
        "lineItems": [
            {
                "description": item.description,
                "quantity": json_number(item.quantity),
                "unitPrice": json_number(item.unit_price),
                "amount": json_number(item.amount),
            }
            for item in invoice.line_items
        ],
        "subtotal": json_number(invoice.subtotal),
        "tax": json_number(invoice.tax),
        "total": json_number(invoice.total),
        "generatedAt": generated.replace("+00:00", "Z"),
    }


def write_outputs(invoice: Invoice, folder: Path) -> None:
    (folder / "output.json").write_text(
        json.dumps(invoice_json(invoice), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "output").mkdir(exist_ok=True)
    with (folder / "output" / "line_items.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for item in invoice.line_items:
            writer.writerow(
                (
                    item.description,
                    f"{item.quantity.normalize():f}",
                    money_text(item.unit_price, invoice.minor_units),
                    money_text(item.amount, invoice.minor_units),
                )
            )


def write_issues(issues: list[str], invoice_number: str, folder: Path) -> None:
    """``issues.md`` only when there is something for a person to look at."""
    if issues:
        lines = [
            f"# Issues found in invoice {invoice_number}",
            "",
            *(f"- {issue}" for issue in issues),
            "",
        ]
        (folder / "issues.md").write_text("\n".join(lines), encoding="utf-8")


def write_trace(events: list[dict[str, Any]], folder: Path) -> None:
    with (folder / "trace.jsonl").open("w", encoding="utf-8") as file:
        for event in events:
            file.write(json.dumps(event, ensure_ascii=False) + "\n")
