"""support-reply: read one customer support ticket and write the reply a support agent sends.

The platform runs ``python main.py`` in a scratch copy of this workspace with ``input.json``
beside it; this program writes ``output.json``: the ticket's category, whether a team lead
must step in, and the reply. It is deterministic (standard library only, no model): the same
ticket always gets the same reply, which is what lets its examples run in CI. A real agent
would call a model here; its examples would be judged the same way.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

#: the first category whose words the ticket holds wins (in this order)
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("refund", ("refund", "money back", "charged twice", "double charge", "return")),
    ("account", ("password", "log in", "login", "sign in", "locked out")),
    ("billing", ("invoice", "vat", "receipt", "billing address")),
    ("shipping", ("delivery", "delivered", "arrived", "tracking", "shipped", "parcel")),
)
#: words that mean the customer has run out of patience: a team lead takes over
ESCALATION = ("unacceptable", "third time", "lawyer", "furious", "cancel my account")
AMOUNT = re.compile(r"(?:€|\$|£)\s?\d+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?\s?(?:EUR|USD|GBP)")
SIGNATURE = "Best regards,\nSam from Support"

BODIES = {
    "refund": (
        "I'm sorry about the trouble with {order}. I have refunded {amount} to your original "
        "payment method; you will see it on your statement within 5 business days."
    ),
    "account": (
        "Sorry for the trouble signing in. I have sent a password reset link to the email "
        "address on your account; it is valid for 24 hours. If it does not arrive, check your "
        "spam folder or reply to this message."
    ),
    "billing": (
        "Thank you for asking. I have attached the invoice for {order} with the VAT shown "
        "separately, and you can download it again at any time from Orders in your account."
    ),
    "shipping": (
        "I'm sorry that {order} has not reached you yet. I checked with the carrier: the parcel "
        "is on its way and will be delivered within 2 business days. The tracking link is in "
        "your shipping confirmation."
    ),
    "other": (
        "Thank you for your message. I have passed it to the right team, and we will get back "
        "to you within one business day."
    ),
}
ESCALATED = "I have also passed your message to our team lead, who will contact you today."


def category_of(text: str) -> str:
    lowered = text.lower()
    for name, words in CATEGORIES:
        if any(word in lowered for word in words):
            return name
    return "other"


def reply_to(ticket: dict[str, Any]) -> dict[str, Any]:
    text = f"{ticket.get('subject', '')}\n{ticket.get('message', '')}"
    category = category_of(text)
    escalate = any(word in text.lower() for word in ESCALATION)
    first_name = str(ticket.get("customer") or "there").split()[0]
    order = ticket.get("order_id")
    amount = AMOUNT.search(text)
    body = BODIES[category].format(
        order=f"order {order}" if order else "your order",
        amount=amount.group(0) if amount else "the amount charged",
    )
    if escalate:
        body = f"{body} {ESCALATED}"
    reply = f"Hi {first_name},\n\n{body}\n\n{SIGNATURE}"
    return {"category": category, "escalate": escalate, "reply": reply}


def main() -> int:
    try:
        ticket = json.loads(Path("input.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        print(f"support-reply: cannot read input.json: {err}", file=sys.stderr)
        return 1
    if not isinstance(ticket, dict) or not ticket.get("message"):
        print("support-reply: the ticket has no message", file=sys.stderr)
        return 1
    Path("output.json").write_text(json.dumps(reply_to(ticket), indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
