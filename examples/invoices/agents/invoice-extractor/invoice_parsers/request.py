"""Reading ``input.json``: the invoice file input and the optional scalar inputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from invoice_parsers.currency import MINOR_UNITS
from invoice_parsers.errors import InvoiceError
from invoice_parsers.normalise import Options

DATE_ORDERS = ("DMY", "MDY")


@dataclass(frozen=True)
class Request:
    invoice_path: Path
    #: the name the user uploaded the file under, used in every message
    filename: str
    content_type: str | None
    options: Options


def read_request(folder: Path) -> Request:
    try:
        document = json.loads((folder / "input.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvoiceError(
            "input.json is missing from the working folder; run the agent through the "
            "platform (or write input.json as AGENT.md describes)"
        ) from None
    except json.JSONDecodeError as err:
        raise InvoiceError(f"input.json is not valid JSON: {err}") from None
    if not isinstance(document, dict):
        raise InvoiceError("input.json must hold a JSON object of inputs")
    path, filename, content_type = _invoice_file(document.get("invoice"), folder)
    return Request(path, filename, content_type, _options(document))


def _invoice_file(entry: Any, folder: Path) -> tuple[Path, str, str | None]:
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        raise InvoiceError(
            "input 'invoice' is missing: attach the invoice as a file input named 'invoice' "
            "(a .txt or .csv file)"
        )
    root = folder.resolve()
    path = (folder / entry["file"]).resolve()
    # The path comes from outside: it must not lead out of the working folder.
    if not path.is_relative_to(root) or not path.is_file():
        raise InvoiceError(
            f"input 'invoice': {entry['file']!r} is not a file inside the working folder"
        )
    filename = entry.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        filename = path.name
    content_type = entry.get("contentType")
    return path, Path(filename).name, content_type if isinstance(content_type, str) else None


def _options(document: dict[str, Any]) -> Options:
    currency = document.get("default_currency")
    if currency is not None:
        if not isinstance(currency, str) or currency.strip().upper() not in MINOR_UNITS:
            raise InvoiceError(
                f"input 'default_currency' is {currency!r}; use an ISO 4217 code the agent "
                f"knows: {', '.join(sorted(MINOR_UNITS))}"
            )
        currency = currency.strip().upper()
    order = document.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise InvoiceError(
            f"input 'date_order' is {order!r}; use 'DMY' (day first, 01/03 = 1 March) or "
            "'MDY' (month first, US style, 03/01 = March 1)"
        )
    return Options(default_currency=currency, date_order=order)
