"""invoice-extractor: read one invoice (plain text or CSV) and report it as structured data.

The platform runs ``python main.py`` in a scratch copy of this workspace, with ``input.json``
and ``input/`` beside it. This program writes ``output.json``, ``output/line_items.csv``,
``trace.jsonl`` (the decisions it made) and, when something looks wrong, ``issues.md``.
An unreadable invoice ends with a message on stderr and exit status 1 (a failed run).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from invoice_parsers.csv_format import parse_csv
from invoice_parsers.errors import InvoiceError
from invoice_parsers.normalise import Normalised, normalise
from invoice_parsers.request import read_request
from invoice_parsers.source import choose_format, decode
from invoice_parsers.text_format import parse_text
from invoice_parsers.writers import write_issues, write_outputs, write_trace


def extract(folder: Path, notes: list[str], trace: list[dict[str, Any]]) -> Normalised:
    request = read_request(folder)
    file_format = choose_format(request.filename, request.content_type)
    content = request.invoice_path.read_bytes()
    trace.append({"step": "read", "file": request.filename, "format": file_format})
    text = decode(content, request.filename, notes)
    parse = parse_csv if file_format == "csv" else parse_text
    raw = parse(text, request.filename)
    trace.append({"step": "parse", "fields": sorted(raw.fields), "lineItems": len(raw.items)})
    result = normalise(raw, request.options)
    trace.append({"step": "decide", **result.decisions})
    return result


def main() -> int:
    folder = Path.cwd()
    notes: list[str] = []
    trace: list[dict[str, Any]] = []
    try:
        result = extract(folder, notes, trace)
    except InvoiceError as err:
        print(f"invoice-extractor: {err}", file=sys.stderr)
        return 1
    write_outputs(result.invoice, folder)
    issues = notes + result.issues
    write_issues(issues, result.invoice.invoice_number, folder)
    trace.append(
        {"step": "write", "lineItems": len(result.invoice.line_items), "issues": len(issues)}
    )
    write_trace(trace, folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
