"""The command registry: every listed command loads, under its own name, with global options."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evalkit.cli.main import COMMANDS, cli, load_command, main, report_error


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_under_its_name(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    flags = {flag for param in command.params for flag in param.opts}
    assert {"-m", "--manifest", "--json"} <= flags


def test_help_lists_every_command_without_importing_them() -> None:
    probe = (
        "import sys; from evalkit.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('evalkit.emulator', "
        "'evalkit.runner', 'evalkit.sync', 'evalkit.manifest', 'fastapi'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
    assert result.stdout.strip().endswith("[]"), "help imported command modules"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["rnu"])
    assert result.exit_code == 2
    assert "No such command 'rnu'" in result.output


def test_manifest_errors_exit_2_with_the_source_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", "validate", "-m", "tests/manifest/cases/bad-enum.yaml"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad-enum.yaml:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["init", "{blocked}"],
        ["serve", "--data", "{blocked}", "--port", "0"],
        ["report", "{missing_run}", "--out", "{blocked}"],
    ],
)
def test_a_path_that_cannot_be_used_is_an_error_not_a_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    blocked = tmp_path / "a-file" / "sub"
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.jsonl").write_text("")
    values = {"blocked": str(blocked), "missing_run": str(run)}
    result = subprocess.run(
        [sys.executable, "-m", "evalkit", *(arg.format(**values) for arg in args)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    assert f"cannot use {blocked}" in result.stderr
    assert "Not a directory" in result.stderr


def test_the_process_leaves_its_objects_to_its_end_not_to_a_last_collection() -> None:
    """Run as the process's command line, evalkit freezes its objects once the command is done
    (the collection on the way out took a run a fifth of a second); called with arguments, as
    a library or a test does, it leaves the caller's process alone."""
    probe = (
        "import atexit, gc, sys; "
        "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0)); "
        "sys.argv = ['evalkit', '--version']; from evalkit.cli.main import main; main()"
    )
    ended = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.splitlines()[-1] == "frozen: True"
    before = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.get_freeze_count() == before


def _ended(probe: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)


def test_the_process_ends_after_its_exit_handlers_and_streams_without_a_teardown() -> None:
    """The command's own process ends with its code, its exit handlers run and its output
    flushed (a pipe holds it in a buffer), and no module torn down object by object."""
    probe = (
        "import atexit, sys; atexit.register(lambda: print('exit handler')); "
        "sys.stdout.write('buffered, '); "
        "Torn = type('Torn', (), {'__del__': lambda self: print('torn down')}); kept = Torn(); "
        "from evalkit.cli.main import end_process; end_process(3)"
    )
    ended = _ended(probe)
    assert (ended.returncode, ended.stdout) == (3, "buffered, exit handler\n"), ended.stderr
    usual = _ended(
        "Torn = type('Torn', (), {'__del__': lambda self: print('torn down')}); kept = Torn()"
    )
    assert usual.stdout == "torn down\n"  # what Python's teardown does, and the probe skips
    developing = subprocess.run(
        [sys.executable, "-X", "dev", "-c", probe], capture_output=True, text=True
    )
    assert developing.stdout.endswith("torn down\n")  # -X dev: the teardown reports leaks


def test_the_process_waits_for_a_thread_still_running_as_python_does() -> None:
    ended = _ended(
        "import threading, time; "
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done'))).start(); "
        "from evalkit.cli.main import end_process; end_process(0)"
    )
    assert (ended.returncode, ended.stdout) == (0, "thread done\n"), ended.stderr


def test_an_output_that_cannot_be_flushed_ends_as_python_ends_it() -> None:
    """A closed pipe: the error is said and the code is Python's own (120), not lost."""
    probe = (
        "import io, sys; "
        "Closed = type('Closed', (io.StringIO,), {'flush': lambda self: "
        "(_ for _ in ()).throw(BrokenPipeError(32, 'Broken pipe'))}); sys.stdout = Closed(); "
    )
    ours = _ended(probe + "from evalkit.cli.main import end_process; end_process(4)")
    pythons = _ended(probe + "sys.exit(4)")
    assert ours.returncode == pythons.returncode == 120
    assert "BrokenPipeError" in ours.stderr


def test_the_command_leaves_httpx_own_command_line_unloaded() -> None:
    """httpx's package imports its own CLI (rich.progress, pygments: ~25 ms of a run's start);
    the ``evalkit`` process keeps it out (httpx works as before), a library user's does not."""
    probe = (
        "import atexit, sys; "
        "atexit.register(lambda: print(sorted(m for m, module in sys.modules.items() if m in "
        "('httpx', 'httpx._main', 'pygments', 'rich.progress', 'rich.syntax') and module), "
        "sys.modules['httpx'].main.__module__)); "
        # a run on a remote platform whose manifest is missing: the run's modules (httpx
        # among them) are imported, then the command ends with its usage error
        "sys.argv = ['evalkit', '--base-url', 'http://127.0.0.1:9', '-m', 'missing.yaml', "
        "'run']; from evalkit.cli.main import main; main()"
    )
    ended = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ended.returncode == 2, ended.stderr
    assert "Traceback" not in ended.stderr
    assert ended.stdout.splitlines()[-1] == "['httpx'] httpx", ended.stdout + ended.stderr
    library = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, evalkit.evaluation; print('httpx._main' in sys.modules)",
        ],
        capture_output=True,
        text=True,
    )
    assert library.stdout.strip() == "True", library.stderr


def test_the_command_imports_without_collections_then_collects_as_usual() -> None:
    """The ``evalkit`` process pauses the garbage collector while the command's modules are
    imported (their objects live as long as the process: each collection walked them for
    nothing), then freezes what they built and collects as usual; called with arguments, as a
    library or a test does, the caller's collector is left alone."""
    probe = (
        "import atexit, gc, sys; from evalkit.cli import main as cli_main\n"
        "young = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and young.append(1))\n"
        "loaded = cli_main.load_command\n"
        "def load(name):\n"
        "    command = loaded(name)\n"
        "    print('collections while importing:', len(young))\n"
        "    return command\n"
        "cli_main.load_command = load\n"
        "atexit.register(lambda: print('enabled at the end:', gc.isenabled()))\n"
        # a run on a remote platform whose manifest is missing: the run's modules are
        # imported, then the command ends with its usage error
        "sys.argv = ['evalkit', '--base-url', 'http://127.0.0.1:9', '-m', 'missing.yaml', "
        "'run']; cli_main.main()"
    )
    ended = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert ended.returncode == 2, ended.stderr
    assert ended.stdout.splitlines() == [
        "collections while importing: 0",
        "enabled at the end: True",
    ], ended.stdout + ended.stderr
    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.isenabled()


def test_ctrl_c_reads_interrupted_though_click_made_it_an_abort(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None  # as click's Command.main does
    except click.exceptions.Abort as err:
        report_error(err, exit_code=130, as_json=False)
    assert capsys.readouterr().err.strip() == "error: interrupted"
    report_error(
        click.exceptions.Abort(), exit_code=130, as_json=False
    )  # input ended at a question
    assert capsys.readouterr().err.strip() == "error: aborted"


def test_a_mistyped_command_is_refused_with_the_one_meant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for typed in ("rn", "xyz"):
        with pytest.raises(SystemExit) as stopped:
            main([typed])
        assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert "No such command 'rn'. Did you mean 'run'?" in said
    assert "No such command 'xyz'.\n" in said  # nothing close: no guess
