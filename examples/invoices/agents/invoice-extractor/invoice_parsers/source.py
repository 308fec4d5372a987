"""Turning the invoice file's bytes into text, and choosing the parser for it."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from invoice_parsers.errors import InvoiceError

Format = Literal["text", "csv"]

_TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
_CSV_SUFFIXES = {".csv", ".tsv"}


def choose_format(filename: str, content_type: str | None) -> Format:
    """By extension first (what users name their files), then by the declared content type."""
    suffix = PurePosixPath(filename).suffix.casefold()
    if suffix in _CSV_SUFFIXES or (content_type or "").startswith("text/csv"):
        return "csv"
    if suffix in _TEXT_SUFFIXES or (content_type or "").startswith("text/"):
        return "text"
    raise InvoiceError(
        f"{filename}: the agent reads plain-text (.txt) and CSV (.csv) invoices, not "
        f"{suffix or 'files without an extension'} ({content_type or 'unknown type'}); "
        "export the invoice as text or CSV"
    )


def decode(content: bytes, filename: str, notes: list[str]) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which many accounting exports use."""
    if content.startswith(b"%PDF"):
        raise InvoiceError(
            f"{filename}: this is a PDF; the agent reads plain-text and CSV invoices only "
            "(reading PDFs needs a PDF library); export the invoice as text or CSV"
        )
    if b"\x00" in content or _control_share(content) > 0.05:
        raise InvoiceError(
            f"{filename}: this is binary data, not a text or CSV invoice; "
            "check that the right file was attached"
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append(f"`{filename}` is not UTF-8; it was read as Windows-1252.")
        return content.decode("cp1252", errors="replace")


def _control_share(content: bytes) -> float:
    if not content:
        return 0.0
    controls = sum(1 for byte in content if byte < 32 and byte not in b"\t\n\r\x0c")
    return controls / len(content)
