"""Which words name which field, in the invoice layouts the agent knows.

Labels are compared after ``normalise_label``, so "Invoice No.", "Invoice #" and
"INVOICE NUMBER:" are the same label, and "VAT (20%)" is just "vat".
To teach the agent a new layout, add its wording here.
"""

from __future__ import annotations

import re


def _labels(words: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in words.split("|"))


# Fields of the invoice as a whole (labels in text, preamble rows or columns in CSV).
DOCUMENT_LABELS: dict[str, tuple[str, ...]] = {
    "vendor": _labels(
        "vendor | from | seller | supplier | issued by | bill from | sold by | "
        "lieferant | verkäufer | rechnungssteller"
    ),
    "invoice_number": _labels(
        "invoice no | invoice | inv no | invoice id | invoice ref | bill no | "
        "document no | rechnungsnummer | rechnung no | rechnung"
    ),
    "issue_date": _labels(
        "date | invoice date | issue date | date of issue | issued | issued on | "
        "billing date | rechnungsdatum | datum"
    ),
    "due_date": _labels(
        "due date | due | due by | payment due | payment due date | pay by | "
        "zahlbar bis | fällig | fällig am | fälligkeitsdatum"
    ),
    "currency": _labels("currency | ccy | währung"),
    "subtotal": _labels(
        "subtotal | net | net total | total net | net amount | total excl vat | "
        "total excluding vat | total before tax | amount before tax | "
        "zwischensumme | nettobetrag | summe netto | netto"
    ),
    "tax": _labels(
        "tax | vat | sales tax | gst | consumption tax | tax amount | "
        "vat amount | total vat | total tax | mwst | ust | mehrwertsteuer | "
        "umsatzsteuer"
    ),
    "total": _labels(
        "total | total due | amount due | grand total | balance due | "
        "total amount | invoice total | total incl vat | total including vat | "
        "total gross | gesamtbetrag | rechnungsbetrag | summe brutto | "
        "gesamtsumme"
    ),
}

# Columns of the line-item table.
ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "description": _labels(
        "description | item | item description | article | product | service | "
        "details | bezeichnung | beschreibung | artikel | leistung"
    ),
    "quantity": _labels("qty | quantity | units | hours | menge | anzahl | qty hrs"),
    "unit_price": _labels(
        "unit price | price | rate | unit cost | price each | each | "
        "unit price net | einzelpreis | preis | ep"
    ),
    "amount": _labels(
        "amount | line total | total | line amount | net amount | amount net | "
        "betrag | gesamt | gesamtpreis | gp"
    ),
    "tax": _labels("vat amount | tax amount | line tax | vat | tax | mwst | mwst betrag"),
}

TOTAL_FIELDS = ("subtotal", "tax", "total")

_PARENTHESES = re.compile(r"\([^)]*\)")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")
_NUMBER_SIGN = re.compile(r"#|\bnumber\b|\bnr\b|\bnº|\bn°|\bno\b\.?")


def normalise_label(label: str) -> str:
    """Lower case, no rates or parentheses, "#"/"number"/"nr" as "no", punctuation dropped."""
    text = label.casefold().strip()
    text = _PARENTHESES.sub(" ", text)
    text = _PERCENT.sub(" ", text)
    text = _NUMBER_SIGN.sub(" no ", text)
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_label(label): name for name, labels in table.items() for label in labels}


_DOCUMENT_INDEX = _index(DOCUMENT_LABELS)
_ITEM_INDEX = _index(ITEM_COLUMNS)


def document_field(label: str) -> str | None:
    """The document field a label names ("Invoice #" -> "invoice_number"), or None."""
    return _DOCUMENT_INDEX.get(normalise_label(label))


def item_column(label: str) -> str | None:
    """The line-item column a table header names ("Unit Price" -> "unit_price"), or None."""
    return _ITEM_INDEX.get(normalise_label(label))


def is_items_header(columns: dict[int, str]) -> bool:
    """A table header must name a description and at least one money column."""
    names = set(columns.values())
    return "description" in names and bool(names & {"amount", "unit_price"})


def row_label(cells: list[str]) -> tuple[str, str] | None:
    """(field, value) for a table row like ``["", "Subtotal", "", "45.00"]``.

    The first filled cell must be a document label; the value is the last filled cell.
    """
    filled = [cell.strip() for cell in cells if cell.strip()]
    if len(filled) < 2:
        return None
    name = document_field(filled[0])
    return (name, filled[-1]) if name is not None else None
