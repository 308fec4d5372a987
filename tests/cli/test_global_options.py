"""Global options work before and after the command, and the command's value wins."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evalkit.cli.context import GlobalOptions
from evalkit.cli.global_options import accept_global_options


def _probe_group() -> click.Group:
    @click.group()
    @click.option("-m", "--manifest", type=click.Path(path_type=Path), default=Path("evalkit.yaml"))
    @click.pass_context
    def group(ctx: click.Context, manifest: Path) -> None:
        ctx.obj = GlobalOptions(
            manifest=manifest,
            base_url=None,
            api_key=None,
            local=False,
            verbose=0,
            json_output=False,
        )

    @click.command("probe")
    @click.option("--api-key", default=None)  # a command's own option is left alone
    @click.pass_obj
    def probe(options: GlobalOptions, api_key: str | None) -> None:
        click.echo(f"{options.manifest}|{options.json_output}|{options.verbose}|{api_key}")

    accept_global_options(probe)
    group.add_command(probe)
    return group


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["probe"], "evalkit.yaml|False|0|None"),
        (["-m", "a.yaml", "probe"], "a.yaml|False|0|None"),
        (["probe", "-m", "b.yaml", "--json", "-vv"], "b.yaml|True|2|None"),
        (["-m", "a.yaml", "probe", "--manifest", "b.yaml"], "b.yaml|False|0|None"),
        (["probe", "--api-key", "k"], "evalkit.yaml|False|0|k"),
    ],
)
def test_options_merge_into_context(argv: list[str], expected: str) -> None:
    result = CliRunner().invoke(_probe_group(), argv)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_global_options_repr_hides_key() -> None:
    options = GlobalOptions(
        manifest=Path("m.yaml"),
        base_url="https://x",
        api_key="eg_secret_value",
        local=False,
        verbose=0,
        json_output=False,
    )
    assert "eg_secret_value" not in repr(options)
