"""Plain-text invoices: "Label: value" lines, and one table of line items.

ACME Office Supplies, Inc.          <- the vendor, when no "From:" line names it
Invoice #:   INV-2026-0042          <- a label, then ":" or two spaces, then the value
Date:        03/01/2026

Description        Qty   Unit Price    Amount   <- a header naming the columns
Copy paper A4       10       $4.50     $45.00   <- cells apart by 2+ spaces, tabs or "|"
                                                <- a blank line or a totals label ends it
Subtotal                               $45.00
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from invoice_parsers.errors import InvoiceError
from invoice_parsers.labels import (
    TOTAL_FIELDS,
    document_field,
    is_items_header,
    item_column,
    row_label,
)
from invoice_parsers.model import RawInvoice, RawItem, RawValue

_LABELLED = (
    re.compile(r"^\s*(?P<label>[^:|\t]{1,40}?)\s*:\s*(?P<value>\S.*?)\s*$"),
    re.compile(r"^\s*(?P<label>\S[^|\t]{0,39}?)(?:\s{2,}|\t)(?P<value>\S.*?)\s*$"),
)
_RULE = re.compile(r"^[\s\-=_+|*.]*$")  # "-----", "|---|---|", "=====" under headers
_TITLES = {"invoice", "tax invoice", "rechnung", "facture", "請求書", "commercial invoice"}


def split_cells(line: str, separator: str | None) -> list[str]:
    if separator is None:
        cells = re.split(r"\s{2,}|\t", line.strip())
    else:
        cells = line.strip().strip(separator).split(separator)
    return [cell.strip() for cell in cells]


def _labelled(line: str) -> tuple[str, str] | None:
    """(field, value) when the line is "Known label: value"."""
    for pattern in _LABELLED:
        match = pattern.match(line)
        if match:
            name = document_field(match["label"])
            if name is not None:
                return name, match["value"]
    return None


_SPACED_CELL = re.compile(r"\S+(?: \S+)*")  # words apart by single spaces


def _spans(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in _SPACED_CELL.finditer(line)]


def _aligned(line: str, header: list[tuple[int, int]]) -> list[str] | None:
    """Cells placed under the header column they overlap most (or sit closest to).

    Lets a space-aligned table leave cells empty ("Discount  ...  -10.00" with no quantity).
    None when two cells land in one column.
    """
    cells = [""] * len(header)
    for start, end in _spans(line):

        def distance(column: tuple[int, int], start: int = start, end: int = end) -> int:
            overlap = min(end, column[1]) - max(start, column[0])
            return -overlap if overlap > 0 else min(abs(start - column[0]), abs(end - column[1]))

        position = min(range(len(header)), key=lambda i: distance(header[i]))
        if cells[position]:
            return None
        cells[position] = line[start:end]
    return cells


@dataclass(frozen=True)
class _Table:
    columns: dict[int, str]
    separator: str | None
    width: int
    #: where each header cell sits, for space-aligned tables
    header_spans: list[tuple[int, int]]

    def add_row(self, line: str, where: str, items: list[RawItem]) -> None:
        """Append the row as an item; a lone cell continues the previous description."""
        cells = split_cells(line, self.separator)
        if len(cells) == 1 and items:
            items[-1] = replace(items[-1], description=f"{items[-1].description} {cells[0]}")
            return
        if len(cells) != self.width and len(self.header_spans) == self.width:
            cells = _aligned(line, self.header_spans) or cells
        if len(cells) != self.width:
            raise InvoiceError(
                f"{where}: this line-item row has {len(cells)} cells but the table header has "
                f"{self.width}; keep cells apart by two spaces, a tab or '|': {line.strip()!r}"
            )
        values = {name: cells[i] for i, name in self.columns.items()}

        def raw(name: str) -> RawValue | None:
            text = values.get(name, "")
            return RawValue(text, f"{where}, column {name}") if text else None

        items.append(
            RawItem(
                description=values.get("description", ""),
                quantity=raw("quantity"),
                unit_price=raw("unit_price"),
                amount=raw("amount"),
                tax=raw("tax"),
                where=where,
            )
        )


def _header(line: str) -> _Table | None:
    """The table a header line opens: which cell is which column, how cells are apart."""
    separator = "|" if "|" in line else None
    cells = split_cells(line, separator)
    names = {i: item_column(cell) for i, cell in enumerate(cells)}
    columns = {i: name for i, name in names.items() if name is not None}
    if len(cells) < 2 or not is_items_header(columns):
        return None
    return _Table(columns, separator, len(cells), _spans(line) if separator is None else [])


def parse_text(text: str, source: str) -> RawInvoice:
    invoice = RawInvoice(source=source)
    table: _Table | None = None
    first_line: RawValue | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{source} line {number}"
        if not line.strip():
            if table is not None and invoice.items:
                table = None
            continue
        if _RULE.match(line):
            continue
        if table is not None:
            # "Subtotal  45.00" or "| | Subtotal | 45.00 |" under the items ends the table.
            labelled = _labelled(line) or row_label(split_cells(line, table.separator))
            if labelled is None or labelled[0] not in TOTAL_FIELDS:
                table.add_row(line, where, invoice.items)
                continue
            table = None
        else:
            # A header is checked first: "Date  Description  Amount" is a header, not a date.
            table = _header(line)
            if table is not None:
                continue
            labelled = _labelled(line)
        if labelled is not None:
            invoice.set_field(labelled[0], RawValue(labelled[1], where))
        elif first_line is None and line.strip().casefold() not in _TITLES:
            first_line = RawValue(line.strip(), where)
    if "vendor" not in invoice.fields and first_line is not None:
        invoice.set_field("vendor", first_line)
    return invoice
