"""The README's exit-code table is the one ``evalkit.exit_codes`` renders."""

from __future__ import annotations

from pathlib import Path

from evalkit.exit_codes import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_table_of_the_code() -> None:
    readme = README.read_text(encoding="utf-8")
    table = markdown_table()
    assert table in readme, f"the README's exit codes differ from the code's; use:\n\n{table}"
