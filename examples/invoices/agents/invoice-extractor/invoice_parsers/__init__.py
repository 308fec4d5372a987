"""The invoice-extractor's parts, in the order a run uses them.

request (input.json) -> source (bytes to text) -> text_format | csv_format (labelled text)
-> normalise (numbers, dates, currency, totals) -> writers (output.json, line_items.csv, issues.md)
"""
