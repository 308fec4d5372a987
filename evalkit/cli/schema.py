"""``evalkit schema``: write the manifest's JSON Schema (or check the written one is current)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.exit_codes import ExitCode
from evalkit.manifest.json_schema import SCHEMA_PATH, render_schema
from evalkit.safe_paths import is_inside


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "Where to write the schema; '-' prints it. Default: the file named by the manifest's "
        f"'$schema=' line (as 'evalkit init' writes it) when inside its folder, else {SCHEMA_PATH}."
    ),
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the file is out of date.")
@click.pass_context
def schema(ctx: click.Context, out: Path | None, check: bool) -> None:
    """Write the manifest JSON Schema, which editors use to complete and explain keys."""
    options: GlobalOptions = ctx.obj
    if out is None:
        out = schema_file_of(options.manifest)
    text = render_schema()
    if str(out) == "-":
        output.plain(text)  # the schema is JSON already
        return
    if check:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        state = "up to date" if current == text else "missing" if current is None else "out of date"
        if options.json_output:
            output.emit_json({"schema": str(out), "state": state})
        elif current == text:
            output.plain(f"{out} is up to date")
        else:
            output.error(f"{out} is {state}; run 'evalkit schema --out {out}' and commit it")
        if current != text:
            ctx.exit(ExitCode.FAILURE)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    if options.json_output:
        output.emit_json({"schema": str(out), "state": "written"})
    else:
        output.plain(f"wrote {out}")


def schema_file_of(manifest: Path) -> Path:
    """The local schema file the manifest's editor line names, if it stays in the manifest's
    folder; else the default. So a project made by 'evalkit init' refreshes its own copy."""
    try:
        head = manifest.read_text(encoding="utf-8").splitlines()[:3]
    except (OSError, UnicodeDecodeError):
        return Path(SCHEMA_PATH)
    for line in head:
        named = re.search(r"yaml-language-server:\s*\$schema=(\S+)", line)
        if named is None or "://" in named.group(1):
            continue
        if is_inside(manifest.parent / named.group(1), manifest.parent):
            return manifest.parent / named.group(1)
    return Path(SCHEMA_PATH)
