"""From what a parser found (text) to the invoice the agent reports (typed, checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoice_parsers.currency import decide_currency, minor_units
from invoice_parsers.dates import DateOrder, DateReader
from invoice_parsers.errors import InvoiceError
from invoice_parsers.model import Invoice, LineItem, RawInvoice, RawItem, RawValue
from invoice_parsers.numbers import DecimalMark, decide_style, parse_number, parse_quantity
from invoice_parsers.totals import line_item, row_disagreement, settle_totals

_REQUIRED = {
    "vendor": "the vendor",
    "invoice_number": "the invoice number",
    "issue_date": "the issue date",
}


@dataclass(frozen=True)
class Options:
    """The scalar inputs (see input-schema.json)."""

    default_currency: str | None = None
    date_order: DateOrder | None = None


@dataclass
class Normalised:
    invoice: Invoice
    issues: list[str]
    decisions: dict[str, str]


def normalise(raw: RawInvoice, options: Options) -> Normalised:
    _require(raw)
    issues: list[str] = []
    money = [value.text for value in _money_values(raw)]
    mark = decide_style(money + [i.quantity.text for i in raw.items if i.quantity], raw.source)
    stated_currency = raw.fields.get("currency")
    currency, currency_source = decide_currency(
        stated_currency.text if stated_currency else None,
        money,
        options.default_currency,
        raw.source,
    )
    units = minor_units(currency)
    items = [_line_item(item, mark, units) for item in raw.items]
    issues += [note for item in items if (note := row_disagreement(item, units))]
    line_taxes = [parse_number(i.tax.text, mark, i.tax.where) for i in raw.items if i.tax]
    subtotal, tax, total = settle_totals(
        items,
        _amount(raw.fields.get("subtotal"), mark),
        _amount(raw.fields.get("tax"), mark),
        _amount(raw.fields.get("total"), mark),
        sum(line_taxes, Decimal(0)) if line_taxes else None,
        issues,
    )
    issue_date, due_date = _dates(raw, options.date_order, issues)
    invoice = Invoice(
        vendor=raw.fields["vendor"].text.strip(),
        invoice_number=raw.fields["invoice_number"].text.strip(),
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        minor_units=units,
        line_items=tuple(items),
        subtotal=subtotal,
        tax=tax,
        total=total,
    )
    decisions = {"decimalMark": mark, "currency": currency, "currencyFrom": currency_source}
    return Normalised(invoice, issues, decisions)


def _dates(raw: RawInvoice, order: DateOrder | None, issues: list[str]) -> tuple[date, date | None]:
    reader = DateReader(order)
    issued = reader.read(raw.fields["issue_date"].text, raw.fields["issue_date"].where)
    due_field = raw.fields.get("due_date")
    due = reader.read(due_field.text, due_field.where) if due_field else None
    issues += [
        f"The date {text!r} could be day/month or month/day; it was read as day/month. "
        'Pass {"date_order": "MDY"} for US-style dates.'
        for text in reader.guessed
    ]
    if due is not None and due < issued:
        issues.append(f"The due date {due} is before the issue date {issued}.")
    return issued, due


def _require(raw: RawInvoice) -> None:
    missing = [label for name, label in _REQUIRED.items() if name not in raw.fields]
    if not raw.items:
        missing.append("the line items")
    if missing:
        doubt = "Is this an invoice? " if len(missing) >= 3 else ""
        raise InvoiceError(
            f"{raw.source}: could not find {_listing(missing)}. {doubt}The agent looks for "
            "labels such as 'Invoice No:' and 'Date:', and for a line-item table whose header "
            "names a description and an amount or unit price column (see AGENT.md for the "
            "layouts it reads)"
        )


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _money_values(raw: RawInvoice) -> list[RawValue]:
    values = [raw.fields[name] for name in ("subtotal", "tax", "total") if name in raw.fields]
    for item in raw.items:
        values += [v for v in (item.unit_price, item.amount, item.tax) if v is not None]
    return values


def _amount(value: RawValue | None, mark: DecimalMark) -> Decimal | None:
    return None if value is None else parse_number(value.text, mark, value.where)


def _line_item(item: RawItem, mark: DecimalMark, units: int) -> LineItem:
    if item.amount is None and item.unit_price is None:
        raise InvoiceError(
            f"{item.where}: the line item {item.description!r} has neither an amount nor a "
            "unit price; fill in at least one of them"
        )
    quantity = (
        parse_quantity(item.quantity.text, mark, item.quantity.where) if item.quantity else None
    )
    return line_item(
        item.description.strip(),
        quantity,
        _amount(item.unit_price, mark),
        _amount(item.amount, mark),
        units,
    )
