"""The data the parsers hand over, and the invoice the agent finally reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RawValue:
    """A value exactly as written in the invoice, with where it was found (for messages)."""

    text: str
    where: str


@dataclass(frozen=True)
class RawItem:
    """One line item as written; the numbers are still text (their format is decided later)."""

    description: str
    quantity: RawValue | None
    unit_price: RawValue | None
    amount: RawValue | None
    tax: RawValue | None
    where: str


@dataclass
class RawInvoice:
    """What a format parser found: labelled fields and line items, still as text."""

    #: the file's name, for messages
    source: str
    fields: dict[str, RawValue] = field(default_factory=dict)
    items: list[RawItem] = field(default_factory=list)

    def set_field(self, name: str, value: RawValue) -> None:
        """Keep the first occurrence: headers come before repeats in footers."""
        if value.text.strip():
            self.fields.setdefault(name, value)


@dataclass(frozen=True)
class LineItem:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    vendor: str
    invoice_number: str
    issue_date: date
    due_date: date | None
    currency: str
    #: digits after the decimal point in this currency (JPY 0, EUR 2)
    minor_units: int
    line_items: tuple[LineItem, ...]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
