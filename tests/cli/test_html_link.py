"""``--html-link`` (evalkit/cli/html_link.py): a web address or a relative path, read by the
report and run commands; anything a reader should not follow is refused before the command runs."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from evalkit.cli.html_link import given_html_link, html_link_option


@click.command()
@html_link_option
def probe() -> None:
    click.echo(f"link={given_html_link()}")


@pytest.mark.parametrize(
    "link", ["https://ci.example/runs/7/report.html", "HTTP://x/y", "report.html", "a/b:c.html"]
)
def test_a_web_address_or_a_relative_path_is_kept(link: str) -> None:
    result = CliRunner().invoke(probe, ["--html-link", link])
    assert result.exit_code == 0, result.output
    assert result.output == f"link={link}\n"


@pytest.mark.parametrize(
    ("link", "said"),
    [
        ("javascript:alert(1)", "is not an http(s) address"),
        ("data:text/html,<b>x</b>", "is not an http(s) address"),
        ("  ", "the link is empty"),
    ],
)
def test_a_link_a_reader_should_not_follow_is_refused(link: str, said: str) -> None:
    result = CliRunner().invoke(probe, ["--html-link", link])
    assert result.exit_code == 2
    assert said in result.output


def test_without_the_option_there_is_no_link() -> None:
    assert CliRunner().invoke(probe, []).output == "link=None\n"
