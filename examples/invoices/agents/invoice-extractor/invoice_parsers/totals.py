"""Line amounts and invoice totals: what the invoice states, what is derived, what disagrees.

The agent reports what the invoice *states*. Where a figure is missing it is derived from the
others; where stated figures disagree, the disagreement goes to ``issues.md`` for a person.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from invoice_parsers.model import LineItem


def to_minor_units(value: Decimal, minor_units: int) -> Decimal:
    """``value`` rounded half-up to the currency's smallest unit (cents, or yen)."""
    return value.quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_UP)


def line_item(
    description: str,
    quantity: Decimal | None,
    unit_price: Decimal | None,
    amount: Decimal | None,
    minor_units: int,
) -> LineItem:
    """Fill in the one figure a row may leave out (a missing quantity means 1)."""
    quantity = Decimal(1) if quantity is None else quantity
    if amount is None:
        assert unit_price is not None, "the caller checks that a row has a price or an amount"
        amount = to_minor_units(quantity * unit_price, minor_units)
    if unit_price is None:
        unit_price = amount / quantity if quantity else amount
        unit_price = to_minor_units(unit_price, max(minor_units, 4)).normalize()
    return LineItem(description, quantity, unit_price, amount)


def row_disagreement(item: LineItem, minor_units: int) -> str | None:
    expected = to_minor_units(item.quantity * item.unit_price, minor_units)
    if expected == item.amount:
        return None
    return (
        f"{item.description!r}: {item.quantity} × {item.unit_price} = {expected}, "
        f"but the line amount is {item.amount}."
    )


def settle_totals(
    items: list[LineItem],
    stated_subtotal: Decimal | None,
    stated_tax: Decimal | None,
    stated_total: Decimal | None,
    line_tax: Decimal | None,
    issues: list[str],
) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total): stated where stated, derived otherwise; disagreements noted."""
    lines_sum = sum((item.amount for item in items), Decimal(0))
    tax = stated_tax if stated_tax is not None else line_tax
    if stated_subtotal is not None:
        subtotal, subtotal_is = stated_subtotal, "the stated subtotal"
    elif stated_total is not None and stated_tax is not None:
        subtotal, subtotal_is = stated_total - stated_tax, "total minus tax"
    else:
        subtotal, subtotal_is = lines_sum, "the line sum"
    if tax is None:
        tax = stated_total - subtotal if stated_total is not None else Decimal(0)
    total = stated_total if stated_total is not None else subtotal + tax

    if lines_sum != subtotal:
        issues.append(
            f"The line amounts add up to {lines_sum}, but {subtotal_is} is {subtotal} "
            f"({_gap(subtotal, lines_sum)}); the output keeps {subtotal_is}."
        )
    if stated_tax is not None and line_tax is not None and line_tax != stated_tax:
        issues.append(f"The line taxes add up to {line_tax}, but the stated tax is {stated_tax}.")
    if subtotal + tax != total:
        issues.append(
            f"Subtotal {subtotal} + tax {tax} = {subtotal + tax}, but the total is {total} "
            f"({_gap(total, subtotal + tax)}); the output keeps the stated total."
        )
    return subtotal, tax, total


def _gap(stated: Decimal, computed: Decimal) -> str:
    return f"{abs(stated - computed)} {'more' if stated > computed else 'less'}"
