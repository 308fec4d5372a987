"""``evalkit schema``: write the manifest's JSON Schema (or check the written one is current)."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.exit_codes import ExitCode
from evalkit.manifest.schema import SCHEMA_PATH, render_schema


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(SCHEMA_PATH),
    show_default=True,
    help="Where to write the schema; '-' prints it.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is out of date.")
@click.pass_context
def schema(ctx: click.Context, out: Path, check: bool) -> None:
    """Write the manifest JSON Schema, which editors use to complete and explain keys."""
    text = render_schema()
    if str(out) == "-":
        output.plain(text)
        return
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != text:
            state = "is missing" if current is None else "is out of date"
            output.error(f"{out} {state}; run 'evalkit schema --out {out}' and commit it")
            ctx.exit(ExitCode.FAILURE)
        output.plain(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    output.plain(f"wrote {out}")
