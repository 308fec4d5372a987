"""``evalkit run``'s options become one ``RunConfig``, field by field, with the same limits."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from evalkit.cli.run import config_from_options, run_command
from evalkit.errors import ConfigError
from evalkit.runner.config import MAX_CONCURRENCY, RunConfig
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import Selection
from evalkit.runner.shards import Shard
from tests.runner.test_cli_run import copy_project, finish
from tests.runner.test_cli_run import evalkit as evalkit_process


def config_for(*args: str) -> RunConfig:
    ctx = run_command.make_context("run", list(args))
    with ctx:
        return config_from_options(ctx.params)


def test_no_option_is_the_library_default() -> None:
    assert config_for() == RunConfig()


def test_each_option_lands_in_its_field() -> None:
    config = config_for(
        *("--only", "a", "--only", "b", "--example", "x-*", "--tag", "t", "--shard", "2/3"),
        *("--retries", "2", "--concurrency", "5", "--timeout", "30", "--no-feedback"),
        *("--no-sync", "--allow-drift", "--env", "pr", "--min-pass-rate", "0.9"),
        *("--max-failures", "1", "--max-regressions", "0", "--baseline", "b.json"),
        *("--out", "o", "--report-dir", "r", "--html-link", "https://x/r"),
    )
    assert config.selection == Selection(("a", "b"), ("x-*",), ("t",), Shard(2, 3))
    assert (config.retries, config.concurrency, config.timeout_seconds) == (2, 5, 30.0)
    assert (config.feedback, config.sync, config.allow_drift) == (False, False, True)
    assert config.environment == "pr"
    assert config.gates == GateConfig(0.9, 1, 0)
    assert (str(config.baseline), str(config.out), str(config.report_dir)) == ("b.json", "o", "r")
    assert config.report is True
    assert config.html_link == "https://x/r"
    assert config_for("--no-report").report is False


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--force",), "force lets --update accept in CI: give --update too"),
        (("--no-report", "--report-dir", "r"), "--report-dir is for the reports"),
        (("--no-report", "--history", "."), "--history is for the reports"),
    ],
)
def test_an_option_that_means_nothing_without_another_is_refused(
    options: tuple[str, ...], said: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(said)):
        config_for(*options)


def test_the_option_limits_are_the_configs() -> None:
    with pytest.raises(click.BadParameter):
        config_for("--concurrency", str(MAX_CONCURRENCY + 1))
    with pytest.raises(ConfigError):
        RunConfig(concurrency=MAX_CONCURRENCY + 1)
    assert config_for("--concurrency", str(MAX_CONCURRENCY)).concurrency == MAX_CONCURRENCY


def test_yes_without_update_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    project = copy_project(tmp_path) / "examples" / "invoices"
    code, _, stderr = finish(evalkit_process("run", "--yes", cwd=project))
    assert code == 2
    assert "--yes answers --update's question: give --update too" in stderr
    assert "Traceback" not in stderr
    assert not (project / ".evalkit").exists()
