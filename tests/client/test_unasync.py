"""scripts/unasync.py: the sync client is exactly what the async source generates."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = ROOT / "evalkit" / "client"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "evalkit_scripts_unasync", ROOT / "scripts" / "unasync.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


unasync = _load_script()


@pytest.fixture
def client_copy(tmp_path: Path) -> Path:
    """The async sources and their committed sync twins, copied where a test may edit them,
    in a project of their own (ruff reads its settings, and finds modules, there)."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    copy = tmp_path / "evalkit" / "client"
    copy.mkdir(parents=True)
    for folder in ("_async", "_sync"):
        shutil.copytree(
            CLIENT_DIR / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("_async_executor.py", "_sync_executor.py"):
        shutil.copy(CLIENT_DIR / name, copy / name)
    return copy


def test_committed_sync_files_are_what_the_async_sources_generate() -> None:
    assert unasync.check(CLIENT_DIR) == []


def test_the_script_checks_from_the_command_line_as_ci_runs_it() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/unasync.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_every_sync_module_has_its_async_source() -> None:
    targets = {pair.target.relative_to(CLIENT_DIR).as_posix() for pair in unasync.pairs()}
    assert targets == {
        "_sync/__init__.py",
        "_sync/agents.py",
        "_sync/client.py",
        "_sync/executions.py",
        "_sync/paging.py",
        "_sync/polling.py",
        "_sync/workflows.py",
        "_sync_executor.py",
    }


def test_generated_files_say_where_they_come_from() -> None:
    for pair in unasync.pairs():
        source = pair.source.relative_to(CLIENT_DIR).as_posix()
        first_line = pair.target.read_text().splitlines()[0]
        assert first_line == f"# generated from {source} by scripts/unasync.py; do not edit"


def test_check_names_a_hand_edited_sync_file_and_its_line(
    client_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = client_copy / "_sync" / "agents.py"
    lines = target.read_text().splitlines(keepends=True)
    lines[5] = "# a hand edit\n"
    target.write_text("".join(lines))

    assert unasync.main(["--check", "--client-dir", str(client_copy)]) == 1

    err = capsys.readouterr().err
    assert "_sync/agents.py differs from what its source generates at line 6" in err
    assert "regenerate with: python scripts/unasync.py" in err
    assert "_sync/workflows.py" not in err


def test_check_catches_a_forgotten_regeneration_and_a_run_fixes_it(
    client_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = client_copy / "_async" / "executions.py"
    edited = source.read_text().replace(
        "    async def cancel(self, execution_id: str) -> ExecutionEnvelope:\n",
        "    async def cancel(self, execution_id: str) -> ExecutionEnvelope:\n"
        '        """Ask the platform to stop the execution."""\n',
    )
    assert edited != source.read_text()
    source.write_text(edited)
    committed = (client_copy / "_sync" / "executions.py").read_text().splitlines()
    docstring_line = (
        committed.index("    def cancel(self, execution_id: str) -> ExecutionEnvelope:") + 2
    )
    assert unasync.check(client_copy) == [
        f"_sync/executions.py differs from what its source generates at line {docstring_line}"
    ]

    assert unasync.main(["--client-dir", str(client_copy)]) == 0

    assert capsys.readouterr().out == "wrote _sync/executions.py\n"
    assert unasync.check(client_copy) == []
    generated = (client_copy / "_sync" / "executions.py").read_text()
    assert (
        "    def cancel(self, execution_id: str) -> ExecutionEnvelope:\n"
        '        """Ask the platform to stop the execution."""\n'
        "        return self._exec.call(ep.cancel_execution(execution_id))\n"
    ) in generated


def test_check_reports_missing_and_orphaned_sync_files(client_copy: Path) -> None:
    (client_copy / "_sync" / "client.py").unlink()
    (client_copy / "_sync" / "leftover.py").write_text('"""No source any more."""\n')

    assert unasync.check(client_copy) == [
        "_sync/client.py is missing",
        "_sync/leftover.py has no source in _async/: delete it",
    ]


def test_the_output_does_not_depend_on_what_ruff_finds_on_disk(client_copy: Path) -> None:
    # ruff tells first-party imports from third-party ones by looking for the modules (a sync
    # module not written yet looked third-party): here it finds none, yet nothing changes
    project = client_copy.parent.parent / "pyproject.toml"
    settings = project.read_text().replace("[tool.ruff]\n", '[tool.ruff]\nsrc = ["elsewhere"]\n')
    project.write_text(settings)
    for name in ("polling.py", "client.py", "executions.py"):
        (client_copy / "_sync" / name).unlink()

    assert unasync.main(["--client-dir", str(client_copy)]) == 0

    for name in ("polling.py", "client.py", "executions.py", "workflows.py"):
        generated = (client_copy / "_sync" / name).read_text()
        assert generated == (CLIENT_DIR / "_sync" / name).read_text(), name


@pytest.mark.parametrize(
    ("async_line", "sync_line"),
    [
        ("    async def get(self) -> X:\n", "    def get(self) -> X:\n"),
        ("        return await self._exec.call(req)\n", "        return self._exec.call(req)\n"),
        ("    async with aclient:\n", "    with aclient:\n"),
        ("        async for chunk in r.aiter_bytes():\n", "        for chunk in r.iter_bytes():\n"),
        ("        await response.aread()\n", "        response.read()\n"),
        ("            await response.aclose()\n", "            response.close()\n"),
        (") -> AsyncIterator[AgentSummary]:\n", ") -> Iterator[AgentSummary]:\n"),
        (
            "    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,\n",
            "    sleep: Callable[[float], None] = time.sleep,\n",
        ),
        (
            "    consume: Callable[[httpx.Response], Awaitable[R]]\n",
            "    consume: Callable[[httpx.Response], R]\n",
        ),
        (
            "from collections.abc import Awaitable, Callable\n",
            "from collections.abc import Callable\n",
        ),
        ("from x import Callable, Awaitable\n", "from x import Callable\n"),
        ("import anyio\n", ""),
        ("http_client: httpx.AsyncClient | None\n", "http_client: httpx.Client | None\n"),
        ("transport: httpx.AsyncBaseTransport\n", "transport: httpx.BaseTransport\n"),
        ("    async def __aenter__(self) -> Self:\n", "    def __enter__(self) -> Self:\n"),
        ("    async def __aexit__(\n", "    def __exit__(\n"),
        ("class AsyncEigenpalClient:\n", "class EigenpalClient:\n"),
        ("def f(executor: AsyncExecutor)\n", "def f(executor: SyncExecutor)\n"),
        (
            "from evalkit.client._async.agents import AgentsResource\n",
            "from evalkit.client._sync.agents import AgentsResource\n",
        ),
        (
            "from evalkit.client._async_executor import AsyncExecutor\n",
            "from evalkit.client._sync_executor import SyncExecutor\n",
        ),
        ("        return aiter_items(fetch)\n", "        return iter_items(fetch)\n"),
        ("def f(fetch: AsyncPageFetcher[T])\n", "def f(fetch: PageFetcher[T])\n"),
        ("    return [x async for x in source]\n", "    return [x for x in source]\n"),
        ("        final = await apoll_until(\n", "        final = poll_until(\n"),
    ],
)
def test_rewrite_table(async_line: str, sync_line: str) -> None:
    assert unasync.unasync_text(async_line, source_name="_async/x.py") == sync_line


@pytest.mark.parametrize(
    "line",
    [
        "    reader = AsyncReader()\n",  # an Async name with no rule
        "    async with anyio.create_task_group() as group:\n",  # anyio beyond sleep
        '    """Awaited: the async twin."""\n',  # prose that would lie once rewritten
    ],
)
def test_an_async_word_without_a_rule_stops_the_rewrite(line: str) -> None:
    text = '"""A module."""\n' + line
    with pytest.raises(unasync.UnasyncError, match=r"_async/x\.py:2: .* add a rule"):
        unasync.unasync_text(text, source_name="_async/x.py")


def test_words_that_only_contain_async_are_left_alone() -> None:
    text = "import asyncio\nawaiting = aread_count = reawait = 1\n"
    assert unasync.unasync_text(text, source_name="_async/x.py") == text


def test_a_broken_source_is_reported_at_its_own_line_and_nothing_is_written(
    client_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (client_copy / "_sync_executor.py").read_text()
    source = client_copy / "_async" / "agents.py"
    lines = source.read_text().splitlines(keepends=True)
    broken = lines.index("    async def update(\n")
    lines[broken] = "    async def update(:\n"
    source.write_text("".join(lines))
    (client_copy / "_async_executor.py").write_text(
        (client_copy / "_async_executor.py").read_text() + "\n# changed\n"
    )

    assert unasync.main(["--client-dir", str(client_copy)]) == 2

    assert capsys.readouterr().err.startswith(f"unasync: _async/agents.py:{broken + 1}: ")
    assert (client_copy / "_sync_executor.py").read_text() == before
