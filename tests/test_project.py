"""The project's own promises: version, public API, README commands match CI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import evalkit
import evalkit.api
import evalkit.manifest
import evalkit.sync

ROOT = Path(__file__).resolve().parent.parent


def test_version_command_prints_package_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"evalkit, version {evalkit.__version__}"


def test_help_lists_global_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "--help"], capture_output=True, text=True, check=True
    )
    for option in ("--manifest", "--base-url", "--api-key", "--local", "--verbose", "--json"):
        assert option in result.stdout


def test_public_all_names_exist() -> None:
    for module in (evalkit, evalkit.api, evalkit.manifest, evalkit.sync):
        exported = list(module.__all__)
        assert len(exported) == len(set(exported)), module.__name__  # ruff RUF022 keeps the order
        for name in exported:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_import_evalkit_loads_no_client_runner_or_platform() -> None:
    """The library calls load on first use: ``import evalkit``, and so every command's
    ``--help``, pays for none of them."""
    probe = (
        "import sys, evalkit; heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('httpx', 'pydantic', 'fastapi', 'deepdiff') or m.startswith(('evalkit.runner', "
        "'evalkit.client', 'evalkit.emulator'))); print(heavy)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
    assert evalkit.run.__module__ == "evalkit.evaluation"
    with pytest.raises(AttributeError, match="no attribute 'runn'"):
        evalkit.runn  # noqa: B018 - the attribute access is the test


def test_run_command_imports_only_what_a_run_uses() -> None:
    """``evalkit run`` loads its command, the runner and the client, but not what only some
    runs use (``--update``'s accept, its plan, CI check and manifest editors) nor what is
    needed only after the first executions (the comparison's deepdiff, the report renderers),
    which a worker thread imports while they are away: the first examples start sooner."""
    probe = (
        "import sys; from evalkit.cli.main import load_command; load_command('run'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('deepdiff', 'numpy', "
        "'jinja2', 'markdown_it', 'ruamel') or m in ('evalkit.runner.accept', "
        "'evalkit.runner.accept_refusals', 'evalkit.runner.inline_expected', "
        "'evalkit.compare.json_edit', 'evalkit.runner.accept_plan', 'evalkit.runner.accept_write', "
        "'evalkit.cli.accept', 'evalkit.runner.ci') "
        "or m.startswith(('evalkit.report', 'evalkit.cli.report', "
        "'evalkit.emulator'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_run_command_loads_no_comparison_before_its_first_start() -> None:
    """The manifest's reading needs the comparison's rule syntax only: the comparison itself
    (its JSON walk, matching, scorers and rapidfuzz, the Python scorers' worker pool, and
    jsonschema's validators for ``json_schema`` rules) is imported at the first comparison or
    by the run's warm-up while its first executions are away (``runner.comparing.warm_up``)."""
    warmed = (
        "'evalkit.compare.verdict', 'evalkit.compare.json_compare', 'evalkit.compare.walk', "
        "'evalkit.compare.matching', 'evalkit.compare.scorers', 'rapidfuzz'"
    )
    pool = "'evalkit.compare.scorer_pool', 'evalkit.compare.scorer_worker', 'multiprocessing'"
    probe = (
        "import sys; from evalkit.cli.main import load_command; load_command('run'); "
        "from evalkit.manifest.examples import folder_examples; "
        f"print(sorted(m for m in ({warmed}, {pool}) if m in sys.modules)); "
        "from evalkit.runner.comparing import warm_up; warm_up(); "
        f"print(sorted(m for m in ({warmed}) if m not in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split("\n")[:2] == ["[]", "[]"], loaded.stdout + loaded.stderr


def test_reading_a_manifest_without_schema_rules_loads_no_jsonschema() -> None:
    """jsonschema (tens of milliseconds) is imported when a ``json_schema`` rule's file is
    checked, not by the modules that anchor and apply such rules."""
    probe = (
        "import sys; import evalkit.compare.schema_files, evalkit.compare.scorers; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', "
        "'referencing')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_run_reads_its_manifest_and_plans_without_validate_or_sync_extras() -> None:
    """A run reads its manifest and plans its drift check; the offline checks that only
    ``evalkit validate`` and ``init`` use (rule usage, jsonschema, referencing, attrs, rpds,
    the regex engine), and the sync's applying, pulling (ruamel.yaml), plan file and
    rendering, load when their names are first used."""
    probe = (
        "import sys; from evalkit.cli.main import load_command; load_command('run'); "
        "import evalkit.runner.preflight, evalkit.sync.planner, evalkit.manifest.examples; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', "
        "'referencing', 'attrs', 'rpds', 'regex', 'ruamel') or m in ("
        "'evalkit.manifest.checks', 'evalkit.manifest.rule_usage', 'evalkit.sync.apply', "
        "'evalkit.sync.pull', 'evalkit.sync.manifest_edit', 'evalkit.sync.render', "
        "'evalkit.sync.plan_file')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_lazy_package_names_are_what_they_were() -> None:
    """The names loaded on first use are the functions and types they name, also where a
    submodule of the same name (``evalkit.sync.apply``, ``.pull``) was imported first."""
    probe = (
        "import evalkit.sync.apply, evalkit.sync.pull, evalkit.sync.plan; "
        "from evalkit.sync import apply, pull, plan, render_text, save_plan; "
        "from evalkit.manifest import ValidationSummary, validate_manifest; "
        "print(apply.__module__, pull.__module__, plan.__module__, render_text.__module__, "
        "save_plan.__module__, ValidationSummary.__module__, validate_manifest.__module__)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split() == [
        "evalkit.sync.apply",
        "evalkit.sync.pull",
        "evalkit.sync.planner",
        "evalkit.sync.render",
        "evalkit.sync.plan_file",
        "evalkit.manifest.checks",
        "evalkit.manifest.checks",
    ], loaded.stdout + loaded.stderr
    for module in (evalkit.sync, evalkit.manifest):
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            module.nothing  # noqa: B018 - the access is the test


@pytest.mark.parametrize(
    ("module", "warm_up"),
    [
        # the models that check a results file read back: the readers and the reports need them
        ("evalkit.runner.shapes", "from evalkit.report.html import warm_up; warm_up()"),
        # the run's texts (the line per result, the closing summary)
        (
            "evalkit.runner.summary_text",
            "from evalkit.evaluation import _warm_up; _warm_up(reports=False)",
        ),
    ],
)
def test_run_command_leaves_to_the_warm_up_what_it_needs_after_its_first_start(
    module: str, warm_up: str
) -> None:
    """Imported by the run's warm-up while the first executions are away, not before the
    first start."""
    probe = (
        "import sys; from evalkit.cli.main import load_command; load_command('run'); "
        f"print({module!r} in sys.modules); {warm_up}; print({module!r} in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.split() == ["False", "True"], loaded.stdout + loaded.stderr


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    ci_command = re.search(r'TEST_COMMAND="(.+)"', ci)
    assert ci_command is not None
    assert ci_command.group(1) in readme.splitlines()
    assert 'exec bash -c "$TEST_COMMAND"' in ci  # runs it, word for word, and nothing else


def test_one_safe_path_rule_serves_client_and_platform() -> None:
    # Contract A7 lives in evalkit.api.paths; the store, runtime, sync and runner all apply it.
    from evalkit.api.paths import unsafe_path_reason
    from evalkit.emulator.runtime.paths import UnsafePathError, check_relative_path
    from evalkit.safe_paths import UnsafePath, check_relative

    for bad in ("", "/abs", "a/../b", "a\\b", "a//b", "C:x", "a\x01b"):
        assert unsafe_path_reason(bad) is not None, bad
        with pytest.raises(UnsafePathError):
            check_relative_path(bad)
        with pytest.raises(UnsafePath):
            check_relative(bad)
    assert unsafe_path_reason("examples/a/input.json") is None
