"""``evalkit init [DIR]``: scaffold a project that validates and runs on the local platform."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.conventions import MANIFEST_NAME
from evalkit.manifest.checks import validate_manifest
from evalkit.manifest.scaffold import scaffold_project


def _named_folder(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    # Path("") is Path("."): an empty name (an unset shell variable) would scaffold here.
    if not value:
        raise click.BadParameter("the folder name is empty; leave DIRECTORY out for this folder")
    return Path(value)


@click.command("init")
@click.argument(
    "directory",
    default=".",
    type=click.Path(file_okay=False),
    callback=_named_folder,
    required=False,
)
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.pass_context
def init(ctx: click.Context, directory: Path, force: bool) -> None:
    """Write a manifest, one agent workspace and one example into DIRECTORY (default: here)."""
    written = scaffold_project(directory, force=force)
    manifest = directory / MANIFEST_NAME
    summary = validate_manifest(manifest)  # what init writes must pass validation at once
    options: GlobalOptions = ctx.obj
    if options.json_output:
        output.emit_json(
            {
                "manifest": str(manifest),
                "written": [str(path) for path in written],
                "agents": len(summary.agents),
                "examples": summary.example_count,
            }
        )
        return
    for path in written:
        output.plain(f"  wrote {path}")
    flag = "" if directory == Path(".") else f" -m {manifest}"
    output.plain(
        f"{manifest}: {len(summary.agents)} agent, {summary.example_count} example.\n"
        f"Next: evalkit{flag} validate, then evalkit{flag} run"
    )
