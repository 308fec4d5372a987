"""CSV invoices, as accounting tools export them. Two shapes, which may be mixed:

* a few "Label,value" rows, the line-item table (a header row naming the columns), then
  "Subtotal,...,value" rows (the value is the last filled cell);
* one row per line item that repeats the invoice's fields in columns
  ("Invoice No,Invoice Date,Supplier,Item,Qty,Price,Net Amount,VAT Amount").

The delimiter (",", ";" or tab) is the one under which a line-item header can be found.
"""

from __future__ import annotations

import csv
import io

from invoice_parsers.errors import InvoiceError
from invoice_parsers.labels import document_field, is_items_header, item_column, row_label
from invoice_parsers.model import RawInvoice, RawItem, RawValue

Row = tuple[int, list[str]]  # (line number in the file, cells)

_DELIMITERS = (",", ";", "\t")


def parse_csv(text: str, source: str) -> RawInvoice:
    best: tuple[list[Row], int, dict[int, str], dict[int, str]] | None = None
    for delimiter in _DELIMITERS:
        rows = _rows(text, delimiter, source)
        found = _find_header(rows)
        if found is not None and (best is None or len(found[1]) > len(best[2])):
            best = (rows, *found)
    if best is None:
        raise InvoiceError(
            f"{source}: found no line-item header row; the CSV needs a row naming a "
            "description column and an amount or price column, e.g. "
            "'Description,Quantity,Unit Price,Amount'"
        )
    rows, header_at, item_columns, document_columns = best
    invoice = RawInvoice(source=source)
    _read_preamble(rows[:header_at], invoice)
    _read_body(rows[header_at + 1 :], item_columns, document_columns, invoice)
    return invoice


def _rows(text: str, delimiter: str, source: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, [cell.strip() for cell in cells]))
    except csv.Error as err:
        raise InvoiceError(f"{source} line {reader.line_num}: not valid CSV ({err})") from None
    return rows


def _find_header(rows: list[Row]) -> tuple[int, dict[int, str], dict[int, str]] | None:
    """Index of the header row, its line-item columns and its invoice-field columns."""
    for index, (_line, cells) in enumerate(rows):
        items: dict[int, str] = {}
        fields: dict[int, str] = {}
        for position, cell in enumerate(cells):
            item = item_column(cell)
            if item is not None:
                items[position] = item
            elif (name := document_field(cell)) is not None:
                fields[position] = name
        if is_items_header(items):
            return index, items, fields
    return None


def _read_preamble(rows: list[Row], invoice: RawInvoice) -> None:
    """ "Label,value" rows (or "Label: value" in one cell); a lone first cell names the vendor."""
    for line, cells in rows:
        where = f"{invoice.source} line {line}"
        filled = [cell for cell in cells if cell]
        labelled = row_label(cells)
        if labelled is None and len(filled) == 1 and ":" in filled[0]:
            labelled = row_label(filled[0].split(":", 1))
        if labelled is not None:
            invoice.set_field(labelled[0], RawValue(labelled[1], where))
        elif len(filled) == 1 and "vendor" not in invoice.fields:
            invoice.set_field("vendor", RawValue(filled[0], where))


def _read_body(
    rows: list[Row],
    item_columns: dict[int, str],
    document_columns: dict[int, str],
    invoice: RawInvoice,
) -> None:
    numbers: dict[str, str] = {}  # invoice number -> first line, to refuse multi-invoice files
    for line, cells in rows:
        where = f"{invoice.source} line {line}"
        if not any(cells):
            continue
        labelled = row_label(cells)
        if labelled is not None:
            invoice.set_field(labelled[0], RawValue(labelled[1], where))
            continue
        invoice.items.append(_item(cells, item_columns, where))
        for position, name in document_columns.items():
            value = _cell(cells, position)
            if value:
                invoice.set_field(name, RawValue(value, f"{where}, column {name}"))
                if name == "invoice_number":
                    numbers.setdefault(value, where)
    if len(numbers) > 1:
        listed = ", ".join(f"{number} ({where})" for number, where in numbers.items())
        raise InvoiceError(
            f"{invoice.source}: this CSV holds {len(numbers)} invoices ({listed}); "
            "the agent reads one invoice per file, so split the export by invoice number"
        )


def _item(cells: list[str], columns: dict[int, str], where: str) -> RawItem:
    values = {name: _cell(cells, position) for position, name in columns.items()}
    if not values.get("description"):
        raise InvoiceError(
            f"{where}: this line-item row has no description: {','.join(cells)!r}; "
            "fill in the description, or remove the row"
        )

    def raw(name: str) -> RawValue | None:
        text = values.get(name, "")
        return RawValue(text, f"{where}, column {name}") if text else None

    return RawItem(
        description=values["description"],
        quantity=raw("quantity"),
        unit_price=raw("unit_price"),
        amount=raw("amount"),
        tax=raw("tax"),
        where=where,
    )


def _cell(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""
