"""The subprocess runtime end to end through ``run_agent_job``: real programs, real files."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.runtime import AgentJob, AgentOutcome, InputFile, run_agent_job
from evalkit.emulator.runtime.isolation import Isolation

from ..helpers import create_agent, run_and_wait

JobFactory = Callable[..., AgentJob]


def program(source: str) -> dict[str, bytes]:
    return {"main.py": textwrap.dedent(source).encode()}


def run(make_job: JobFactory, source: str, **kwargs: object) -> AgentOutcome:
    workspace = {**program(source), **kwargs.pop("extra_files", {})}  # type: ignore[dict-item]
    return run_agent_job(make_job(workspace=workspace, **kwargs))


def test_inputs_are_materialised_for_the_program(make_job: JobFactory) -> None:
    source = """
        import json, pathlib
        doc = json.loads(pathlib.Path("input.json").read_text())
        pdf = pathlib.Path(doc["invoice"]["file"]).read_bytes()
        json.dump({"doc": doc, "pdf": pdf.decode()}, open("output.json", "w"))
    """
    outcome = run(
        make_job,
        source,
        input_json={"currency": "EUR"},
        input_files=[InputFile("invoice", "March Invoice.PDF", b"pdf-bytes", "application/pdf")],
    )
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {
        "doc": {
            "currency": "EUR",
            "invoice": {
                "file": "input/invoice.PDF",
                "filename": "March Invoice.PDF",
                "contentType": "application/pdf",
            },
        },
        "pdf": "pdf-bytes",
    }


def test_examples_folder_is_hidden_but_other_workspace_files_are_there(
    make_job: JobFactory,
) -> None:
    source = """
        import json, os
        print(json.dumps({"examples": os.path.exists("examples"),
                          "skill": open("skills/a.md").read()}))
    """
    outcome = run(
        make_job,
        source,
        extra_files={
            "examples/one/expected.json": b'{"secret": 1}',
            "skills/a.md": b"skill text",
        },
    )
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {"examples": False, "skill": "skill text"}


def test_stdout_json_is_the_output_when_there_is_no_output_json(make_job: JobFactory) -> None:
    outcome = run(make_job, 'print(\'{"via": "stdout"}\')')
    assert outcome.status == "completed"
    assert outcome.output == {"via": "stdout"}


def test_output_json_wins_over_stdout(make_job: JobFactory) -> None:
    source = """
        import json
        print("log line that is not JSON")
        json.dump({"via": "file"}, open("output.json", "w"))
    """
    outcome = run(make_job, source)
    assert outcome.status == "completed"
    assert outcome.output == {"via": "file"}


def test_empty_stdout_and_no_output_json_gives_null_output(make_job: JobFactory) -> None:
    outcome = run(make_job, "pass")
    assert outcome.status == "completed"
    assert outcome.output is None


def test_output_files_issues_and_trace_are_collected(make_job: JobFactory) -> None:
    source = """
        import os
        os.makedirs("output/nested", exist_ok=True)
        open("output/summary.txt", "w").write("sum")
        open("output/nested/data.bin", "wb").write(bytes([0, 255]))
        open("issues.md", "w").write("# Issues")
        open("trace.jsonl", "w").write('{"step": 1}\\n')
        print("{}")
    """
    outcome = run(make_job, source)
    assert outcome.status == "completed", outcome.error
    assert {f.name: f.content for f in outcome.output_files} == {
        "nested/data.bin": b"\x00\xff",
        "summary.txt": b"sum",
    }
    assert [(f.name, f.content) for f in outcome.issues] == [("issues.md", b"# Issues")]
    assert [(f.name, f.content) for f in outcome.trace] == [("trace.jsonl", b'{"step": 1}\n')]


SCHEMA = json.dumps(
    {"type": "object", "required": ["total"], "properties": {"total": {"type": "number"}}}
).encode()


@pytest.mark.parametrize(
    ("printed", "valid"),
    [('{"total": 3.5}', True), ('{"total": "3.5"}', False)],
)
def test_output_schema_sets_schema_valid_without_failing(
    make_job: JobFactory, printed: str, valid: bool
) -> None:
    outcome = run(make_job, f"print({printed!r})", extra_files={"output-schema.json": SCHEMA})
    assert outcome.status == "completed"
    assert outcome.schema_valid is valid


def test_without_output_schema_schema_valid_is_none(make_job: JobFactory) -> None:
    assert run(make_job, 'print("1")').schema_valid is None


def test_non_zero_exit_fails_with_code_and_last_stderr_lines(make_job: JobFactory) -> None:
    source = """
        import sys
        for n in range(30):
            print(f"line {n}", file=sys.stderr)
        sys.exit(3)
    """
    outcome = run(make_job, source)
    assert outcome.status == "failed"
    assert outcome.error is not None
    lines = outcome.error.splitlines()
    assert lines[0] == "exit code 3"
    assert lines[1:] == [f"line {n}" for n in range(10, 30)]


def test_traceback_of_a_crashing_agent_is_in_the_error(make_job: JobFactory) -> None:
    outcome = run(make_job, "raise ValueError('bad invoice')")
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith("exit code 1\n")
    assert "ValueError: bad invoice" in outcome.error


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("print('not json')", "stdout is not valid JSON"),
        ("open('output.json', 'w').write('{')", "output.json is not valid JSON"),
        ("print('[' * 100000 + ']' * 100000)", "stdout is nested deeper than 64 levels"),
        (
            "open('output.json', 'w').write('[' * 100000 + ']' * 100000)",
            "output.json is nested deeper than 64 levels",
        ),
        ("print('{\"n\": NaN}')", "stdout is not valid JSON: NaN is not a JSON number"),
        ("print('1' * 5000)", "stdout holds a number with more than"),
        ("import os; os.mkfifo('output.json')", "output.json is not a regular file"),
        ("import os; os.mkfifo('issues.md'); print(1)", "issues.md is not a regular file"),
    ],
)
def test_invalid_json_output_fails_clearly(make_job: JobFactory, source: str, message: str) -> None:
    outcome = run(make_job, source)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith(message)


def test_timeout_fails_naming_the_limit(make_job: JobFactory) -> None:
    outcome = run(
        make_job,
        "import time; time.sleep(600)",
        config={"runtime": {"timeoutSeconds": 0.3}},
    )
    assert outcome.status == "failed"
    assert outcome.error == "timed out after 0.3 seconds (config.runtime.timeoutSeconds)"


def test_environment_is_clean(
    make_job: JobFactory, isolation: Isolation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EIGENPAL_API_KEY", "eg_secret_parent_key")
    monkeypatch.setenv("SOME_PARENT_VARIABLE", "x")
    source = """
        import json, os
        print(json.dumps(dict(os.environ)))
    """
    outcome = run(
        make_job,
        source,
        execution_id="exec_env",
        config={"runtime": {"env": {"MODE": "test", "RETRIES": 2}}},
    )
    assert outcome.status == "completed", outcome.error
    env = outcome.output
    assert isinstance(env, dict)
    assert "EIGENPAL_API_KEY" not in env
    assert "SOME_PARENT_VARIABLE" not in env
    assert "eg_secret_parent_key" not in json.dumps(env)
    assert env["EIGENPAL_EXECUTION_ID"] == "exec_env"
    assert env["MODE"] == "test"
    assert env["RETRIES"] == "2"
    assert env["PYTHONIOENCODING"] == "utf-8"
    scratch = Path(env["HOME"]).parent
    assert Path(env["TMPDIR"]).parent == scratch
    assert_is_the_run_folder(scratch, make_job(), isolation)
    # Python itself may add a few variables of its own (e.g. LC_CTYPE); nothing else.
    allowed = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE"}
    allowed |= {"PYTHONIOENCODING", "EIGENPAL_EXECUTION_ID", "MODE", "RETRIES"}
    assert set(env) <= allowed


def assert_is_the_run_folder(seen: Path, job: AgentJob, isolation: Isolation) -> None:
    """``seen`` is where the program saw its folder: a folder of the scratch root, or the same
    folder under its name inside the namespaces."""
    if isolation.mode == "namespaces":
        assert seen == isolation.visible_folder(job.scratch_root / "any")
    else:
        assert seen.parent == job.scratch_root


def test_working_directory_is_the_scratch_folder_and_it_is_removed(
    make_job: JobFactory, isolation: Isolation
) -> None:
    source = """
        import os, json, pathlib
        pathlib.Path("here").write_text("")
        print(json.dumps(os.getcwd()))
    """
    job = make_job(workspace=program(source))
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert_is_the_run_folder(Path(outcome.output), job, isolation)
    assert list(job.scratch_root.iterdir()) == []


def test_command_string_is_split_and_python_means_this_interpreter(make_job: JobFactory) -> None:
    workspace = {
        "agent/run.py": b"import sys, json; print(json.dumps(sys.argv[1:] + [sys.executable]))"
    }
    command = "python agent/run.py 'two words' x"
    outcome = run_agent_job(make_job(workspace=workspace, config={"runtime": {"command": command}}))
    assert outcome.status == "completed", outcome.error
    assert outcome.output == ["two words", "x", sys.executable]


def test_command_list_is_used_as_is(make_job: JobFactory) -> None:
    command = [sys.executable, "-c", "print('[1, 2]')"]
    outcome = run_agent_job(make_job(config={"runtime": {"command": command}}))
    assert outcome.output == [1, 2]


def test_no_main_py_and_no_command_fails_saying_what_to_do(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(workspace={"AGENT.md": b"hi"}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "add a main.py or set config.runtime.command" in outcome.error


def test_main_py_only_under_examples_does_not_count(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(workspace={"examples/main.py": b"print(1)"}))
    assert outcome.status == "failed"
    assert "main.py" in (outcome.error or "")


def test_missing_executable_fails_clearly(make_job: JobFactory) -> None:
    outcome = run_agent_job(make_job(config={"runtime": {"command": "no-such-program-xyz"}}))
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert outcome.error.startswith("cannot start 'no-such-program-xyz'")


@pytest.mark.parametrize(
    ("runtime", "message"),
    [
        ({"command": 5}, "config.runtime.command must be a string or a list"),
        ({"command": ""}, "config.runtime.command is empty"),
        ({"command": "python 'unclosed"}, "config.runtime.command cannot be split"),
        ({"timeoutSeconds": 0}, "config.runtime.timeoutSeconds must be"),
        ({"env": {"1BAD": "x"}}, "not a valid variable name"),
        ({"env": {"HOME": "/root"}}, "HOME is set by the runtime itself"),
        ({"env": {"X": {"a": 1}}}, "config.runtime.env.X must be a string or a number"),
        ({"env": ["X"]}, "config.runtime.env must be an object"),
    ],
)
def test_bad_runtime_config_fails_with_the_key_named(
    make_job: JobFactory, runtime: dict[str, object], message: str
) -> None:
    outcome = run(make_job, "print(1)", config={"runtime": runtime})
    assert outcome.status == "failed"
    assert message in (outcome.error or "")


@pytest.mark.parametrize("bad_path", ["../escape.txt", "/abs.txt", "a\\b.txt", "a//b.txt", "./a"])
def test_workspace_path_escape_is_refused(
    make_job: JobFactory, tmp_path: Path, bad_path: str
) -> None:
    outcome = run(make_job, "print(1)", extra_files={bad_path: b"x"})
    assert outcome.status == "failed"
    assert "workspace file refused" in (outcome.error or "")
    assert not (tmp_path / "escape.txt").exists()
    assert not Path("/abs.txt").exists()


def test_output_symlink_to_a_host_file_is_refused(make_job: JobFactory) -> None:
    source = """
        import os
        os.makedirs("output")
        os.symlink("/etc/hostname", "output/leak.txt")
    """
    outcome = run(make_job, source)
    assert outcome.status == "failed"
    assert outcome.error == "output/leak.txt is a symbolic link; write a regular file instead"


def test_scratch_root_is_created_when_missing(make_job: JobFactory, tmp_path: Path) -> None:
    job = make_job(workspace=program("print(7)"))
    nested = AgentJob(
        execution_id=job.execution_id,
        workspace=job.workspace,
        config={},
        input_json={},
        input_files=[],
        scratch_root=tmp_path / "deep" / "root",
    )
    assert run_agent_job(nested).output == 7
    assert os.listdir(tmp_path / "deep" / "root") == []


def test_cancel_of_a_running_program_gives_cancelled_and_cleans_up(make_job: JobFactory) -> None:
    source = """
        import pathlib, time
        pathlib.Path("started").write_text("yes")
        time.sleep(600)
    """
    job = make_job(workspace=program(source))
    results: list[AgentOutcome] = []
    worker = threading.Thread(target=lambda: results.append(run_agent_job(job)))
    worker.start()
    for _ in range(600):  # bounded wait for the program to be running
        if list(job.scratch_root.glob("*/started")):
            break
        job.cancel.wait(0.05)
    assert list(job.scratch_root.glob("*/started")), "the program did not start"
    job.cancel.set()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert results[0].status == "cancelled"
    assert list(job.scratch_root.iterdir()) == []


def test_a_failed_run_still_reports_its_issues_and_trace(make_job: JobFactory) -> None:
    source = """
        import sys
        open("issues.md", "w").write("invoice unreadable")
        open("trace.jsonl", "w").write('{"step": "open"}\\n')
        sys.exit(4)
    """
    outcome = run(make_job, source)
    assert outcome.status == "failed"
    assert (outcome.error or "").startswith("exit code 4")
    assert [(f.name, f.content) for f in outcome.issues] == [("issues.md", b"invoice unreadable")]
    assert [f.name for f in outcome.trace] == ["trace.jsonl"]
    assert outcome.output_files == []


def test_a_program_killed_by_a_signal_names_it(make_job: JobFactory) -> None:
    outcome = run(make_job, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    assert outcome.status == "failed"
    assert (outcome.error or "").startswith("killed by signal SIGSEGV")


@pytest.mark.parametrize(
    ("runtime", "named"),
    [
        ({"command": "python main.py", "env": {"MODE": "a\x00b"}}, "config.runtime.env.MODE"),
        ({"command": ["python", "main\x00.py"]}, "config.runtime.command"),
    ],
)
def test_a_nul_stored_before_it_was_refused_fails_the_run_saying_so(
    make_client: Any,
    config: PlatformConfig,
    caplog: pytest.LogCaptureFixture,
    runtime: dict[str, Any],
    named: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    create_agent(client, "old", config={"runtime": {"command": "python main.py"}})
    client.put("/api/v1/agents/old/files", params={"path": "main.py"}, json={"content": "1"})
    assert config.data_dir is not None
    with sqlite3.connect(config.data_dir / "platform.sqlite3") as conn:  # as old data had it
        conn.execute("UPDATE agents SET config = ?", (json.dumps({"runtime": runtime}),))
    result = run_and_wait(client, "old")
    assert result["status"] == "failed"
    assert result["error"].startswith(f"{named} contains a NUL character")
    assert not [record for record in caplog.records if record.exc_info]
