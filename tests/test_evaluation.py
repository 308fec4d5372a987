"""``evalkit.run`` from Python: the example project, the same verdicts as ``evalkit run``, and
the refusals a caller meets before anything starts."""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import evalkit
from evalkit import Connection, RunConfig, RunHooks
from evalkit.client import EigenpalTimeoutError, retry
from evalkit.connection import OpenPlatform
from evalkit.emulator import child
from evalkit.emulator.config import PlatformConfig
from evalkit.emulator.faults import FaultConfig
from evalkit.errors import ConfigError, ManifestError, RunError
from evalkit.evaluation import _prepare
from evalkit.manifest import Manifest, load_manifest
from evalkit.runner import patience
from evalkit.runner.from_manifest import selected_jobs
from evalkit.runner.jobs import Selection
from evalkit.runner.results import ExampleResult, Verdict
from evalkit.runner.results_file import read_results_file
from tests.black_hole import black_hole
from tests.runner.platform_harness import API_KEY, local_platform
from tests.runner.test_cli_run import INVOICES, copy_project, finish
from tests.runner.test_cli_run import evalkit as evalkit_process

BROKEN = {"nordlicht-german-eur", "lumen-semicolon-csv-eur", "pinecone-hours-cad"}


def _broken_project(tmp_path: Path) -> Path:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is needed to apply the broken-agent patch")
    root = copy_project(tmp_path)
    subprocess.run([git, "apply", str(INVOICES / "broken-agent.patch")], cwd=root, check=True)
    return root / "examples" / "invoices"


def _verdicts(run_dir: Path) -> dict[str, str]:
    return {
        result.example: result.verdict.value
        for result in read_results_file(run_dir / "results.jsonl").results
    }


@pytest.mark.slow
def test_run_from_python_gives_the_verdicts_the_cli_gives(tmp_path: Path) -> None:
    project = _broken_project(tmp_path)
    notes: list[str] = []
    totals: list[int] = []
    finished: list[ExampleResult] = []
    hooks = RunHooks(note=notes.append, begin=totals.append, finished=finished.append)
    config = RunConfig(out=tmp_path / "library", report_dir=tmp_path / "library-reports")

    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection(), hooks=hooks)

    assert outcome.exit_code == 1
    assert outcome.summary.status == "gate_failed"
    library = _verdicts(outcome.run_dir)
    assert {name for name, verdict in library.items() if verdict != "pass"} == BROKEN
    assert totals == [10]
    assert len(finished) == 10
    assert {result.example for result in finished} == set(library)
    assert any(note.startswith("target: local platform") for note in notes)
    assert sorted(outcome.reports) == ["html", "junit", "markdown"]
    assert all(path.parent == tmp_path / "library-reports" for path in outcome.reports.values())

    code, stdout, stderr = finish(
        evalkit_process("--json", "run", "--out", str(tmp_path / "cli"), cwd=project)
    )
    assert code == outcome.exit_code, stderr
    assert _verdicts(tmp_path / "cli") == library
    cli_summary = json.loads(stdout)
    assert cli_summary["counts"] == outcome.summary.counts.model_dump(mode="json")
    assert cli_summary["gates"] == [gate.model_dump(mode="json") for gate in outcome.summary.gates]


def test_the_config_is_read_as_given_selection_gates_and_no_reports(tmp_path: Path) -> None:
    project = copy_project(tmp_path) / "examples" / "invoices"
    config = RunConfig(
        selection=Selection(examples=("pinecone-*",)),
        out=tmp_path / "one",
        report=False,
        feedback=False,
        concurrency=3,
        timeout_seconds=120,
    )
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert list(_verdicts(outcome.run_dir)) == ["pinecone-hours-cad"]
    assert outcome.reports == {}
    metadata = outcome.summary.metadata
    assert (metadata.concurrency, metadata.timeout_seconds, metadata.feedback) == (3, 120, False)
    result = read_results_file(outcome.run_dir / "results.jsonl").results[0]
    assert result.verdict is Verdict.PASS
    assert result.feedback.written is False


def test_run_async_stops_cleanly_when_asked(tmp_path: Path) -> None:
    project = copy_project(tmp_path) / "examples" / "invoices"

    async def scenario() -> evalkit.RunOutcome:
        stop = asyncio.Event()
        # Stop as soon as the run knows what it runs: nothing or little has started.
        hooks = RunHooks(begin=lambda total: stop.set())
        config = RunConfig(out=tmp_path / "stopped", report=False)
        return await evalkit.run_async(
            project / "evalkit.yaml", config, connection=Connection(), hooks=hooks, stop=stop
        )

    outcome = asyncio.run(scenario())
    assert outcome.summary.status == "interrupted"
    assert outcome.exit_code == 130
    assert (tmp_path / "stopped" / "summary.json").is_file()
    assert outcome.summary.counts.total == 10, "every example is recorded, run or not"


def test_a_broken_manifest_raises_before_any_platform_starts(tmp_path: Path) -> None:
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text("version: 1\nagents: [{slug: 'no spaces allowed'}]\n", encoding="utf-8")
    before = _children()
    with pytest.raises(ManifestError):
        evalkit.run(manifest, RunConfig(out=tmp_path / "never"))
    assert not (tmp_path / "never").exists()
    assert not (tmp_path / ".evalkit").exists(), "no local platform was started"
    assert _children() <= before, "the platform's process launched ahead is gone"


def _children() -> set[int]:
    """This process's child processes still running (zombies reaped or not are left out;
    others may belong to the session's fixtures, so tests compare before and after)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == os.getpid() and fields[0] not in ("Z", "X"):
            found.add(int(stat.parent.name))
    return found


def test_the_local_platform_starts_while_the_manifest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its process (an interpreter and the web stack's imports) is launched before the
    manifest is read, and the run is served by that same process."""
    project = copy_project(tmp_path) / "examples" / "invoices"
    launched: list[int] = []
    started: list[int] = []
    real_init, real_start = child.PlatformLaunch.__init__, child.PlatformLaunch.start
    real_load = load_manifest

    def launch(self: child.PlatformLaunch) -> None:
        real_init(self)
        launched.append(self.pid)

    def start(
        self: child.PlatformLaunch, config: PlatformConfig, **options: Any
    ) -> child.ChildPlatform:
        started.append(self.pid)
        return real_start(self, config, **options)

    def load(path: Path) -> Manifest:
        assert len(launched) == 1, "the platform's process is already starting"
        return real_load(path)

    monkeypatch.setattr(child.PlatformLaunch, "__init__", launch)
    monkeypatch.setattr(child.PlatformLaunch, "start", start)
    monkeypatch.setattr("evalkit.evaluation.load_manifest", load)
    config = RunConfig(selection=Selection(examples=("acme-*",)), report=False, out=tmp_path / "r")
    before = _children()
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert outcome.summary.counts.total == 1
    assert outcome.summary.counts.passed == 1
    assert started == launched, "the process launched ahead served the run"
    assert _children() <= before


def test_a_selection_of_nothing_is_refused(tmp_path: Path) -> None:
    project = copy_project(tmp_path) / "examples" / "invoices"
    config = RunConfig(selection=Selection(examples=("no-such-*",)), out=tmp_path / "never")
    with pytest.raises(RunError, match="no-such-"):
        evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("concurrency", 0), ("timeout_seconds", 0), ("retries", 11), ("max_start_attempts", 0)],
)
def test_a_config_out_of_range_says_which_field(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"RunConfig.{field} is {value!r}"):
        RunConfig(**{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "wanted"),
    [
        ("gates", {"max_failures": 0}, "an evalkit.GateConfig"),
        ("selection", {"only": ["a"]}, "an evalkit.Selection"),
        ("concurrency", "4", "a whole number"),
        ("out", 3, "a path"),
        ("retries", True, "a whole number"),
    ],
)
def test_a_config_of_the_wrong_type_says_what_to_give(
    field: str, value: object, wanted: str
) -> None:
    with pytest.raises(ConfigError, match=f"RunConfig.{field} is .*: give {wanted}"):
        RunConfig(**{field: value})  # type: ignore[arg-type]


def test_paths_and_rules_may_be_given_as_text() -> None:
    config = RunConfig(baseline="base/summary.json", out="out", pass_if="rate 0.8")  # type: ignore[arg-type]
    assert config.baseline == Path("base/summary.json")
    assert config.out == Path("out")
    assert config.pass_if == evalkit.PassRule("rate", 0.8)


@pytest.mark.parametrize("concurrency", [1, 3, 8, 50, 200])
def test_each_http_pool_stays_a_few_connections_long(concurrency: int) -> None:
    """httpx checks every idle connection of a pool for each request it places: the run's
    pools are one per example in flight, with room for its start, reads and feedback."""
    from evalkit.evaluation import client_pools

    pools = client_pools(concurrency)
    assert len(pools) == concurrency
    assert all(p.max_connections == p.max_keepalive_connections == 4 for p in pools)


def test_a_launch_handed_in_serves_the_run_and_ends_with_it(tmp_path: Path) -> None:
    """``launch``: the local platform's process started by the caller (the CLI, before its
    imports) serves the run, which owns it: it has ended when the run returns."""
    project = copy_project(tmp_path) / "examples" / "invoices"
    early = child.PlatformLaunch()
    config = RunConfig(selection=Selection(examples=("acme-*",)), report=False, out=tmp_path / "r")
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection(), launch=early)
    assert outcome.summary.counts.passed == 1
    assert "started=True" in repr(early), "the launch handed in served the run"
    assert early._child.process.returncode == 0, "stopped cleanly and waited for"


@pytest.mark.parametrize("connection", ["remote", "refused"])
def test_a_launch_handed_in_is_stopped_when_the_run_does_not_use_it(
    connection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A remote run, or one refused before anything runs (``update`` in CI), stops it too."""
    early = child.PlatformLaunch()
    monkeypatch.setenv("CI", "true")
    if connection == "remote":
        chosen = Connection(base_url="http://127.0.0.1:9", api_key="key")
        config = RunConfig(out=tmp_path / "never")
    else:
        chosen, config = Connection(), RunConfig(update=True, out=tmp_path / "never")
    with pytest.raises(evalkit.EvalkitError):
        evalkit.run(tmp_path / "missing.yaml", config, connection=chosen, launch=early)
    assert early._child.process.returncode is not None, "stopped and waited for"
    assert not (tmp_path / ".evalkit").exists()


def test_the_results_read_during_the_run_give_the_reports_a_later_reading_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once every example has started, results.jsonl is read as examples finish (so the
    reports start with it read); what the reports say is what reading the run again says."""
    from evalkit.report.publish import publish_run
    from evalkit.runner.results_file import ResultsFollower

    reads: list[int] = []
    read_new = ResultsFollower.read_new

    def counted(self: ResultsFollower, most: int | None = None) -> None:
        read_new(self, most)
        reads.append(self.count)

    monkeypatch.setattr(ResultsFollower, "read_new", counted)
    project = copy_project(tmp_path) / "examples" / "invoices"
    config = RunConfig(out=tmp_path / "run", report_dir=tmp_path / "reports", concurrency=2)
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection())

    assert outcome.exit_code == 0, outcome.summary.outcome
    assert reads, "never read during the run"
    assert max(reads) >= 1  # some results were read before the last one ended
    again = publish_run(outcome.run_dir, tmp_path / "again")
    assert sorted(again.files) == sorted(outcome.reports)
    for kind, path in outcome.reports.items():
        assert path.read_bytes() == again.files[kind].read_bytes(), kind


def test_a_run_without_reports_reads_its_results_only_for_github_and_only_as_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report=False``: outside GitHub Actions results.jsonl is not read back at all; inside,
    the step summary, outputs and annotations come from what was read as the run wrote it
    (the follower), not from a second reading of the whole file."""
    from evalkit.report import loading
    from evalkit.runner.results_file import ResultsFollower

    whole_reads: list[Path] = []
    finished: list[Path] = []
    finish = ResultsFollower.finish

    def counted_read(path: Path) -> Any:
        whole_reads.append(path)
        return read_results_file(path)

    def counted_finish(self: ResultsFollower) -> Any:
        finished.append(self.path)
        return finish(self)

    monkeypatch.setattr(loading, "read_results_file", counted_read)
    monkeypatch.setattr(ResultsFollower, "finish", counted_finish)
    project = _broken_project(tmp_path)
    step_summary, step_outputs = tmp_path / "step.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(step_outputs))

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    config = RunConfig(out=tmp_path / "outside", report=False, concurrency=2)
    outside = evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert outside.exit_code == 1
    assert (outside.reports, outside.github_lines) == ({}, [])
    assert (whole_reads, finished) == ([], [])
    assert not step_summary.exists()

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    config = RunConfig(out=tmp_path / "inside", report=False, concurrency=2)
    inside = evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert inside.exit_code == 1
    assert inside.reports == {}
    assert inside.report_error is None
    assert len([line for line in inside.github_lines if line.startswith("::error ")]) == 3
    assert finished == [inside.run_dir / "results.jsonl"]
    assert whole_reads == []
    assert "evalkit: gate failed" in step_summary.read_text()
    assert "verdict=gate_failed" in step_outputs.read_text().splitlines()
    assert not (project / ".evalkit" / "reports").exists()


def test_the_examples_left_out_of_the_selection_are_not_held_while_examples_run(
    tmp_path: Path,
) -> None:
    """Once the run is prepared, the manifest goes: only the selected examples' jobs are kept
    (a 20,000-example manifest held about 35 MB through a run of ten)."""
    import gc

    from evalkit.manifest.spec import ExampleSpec

    project = copy_project(tmp_path) / "examples" / "invoices"
    declared = len(load_manifest(project / "evalkit.yaml").examples())
    gc.collect()
    held_before = sum(isinstance(thing, ExampleSpec) for thing in gc.get_objects())
    held_at_start: list[int] = []

    def begin(_: int) -> None:
        gc.collect()
        held = sum(isinstance(thing, ExampleSpec) for thing in gc.get_objects())
        held_at_start.append(held - held_before)

    config = RunConfig(
        selection=Selection(examples=("pinecone-*",)), out=tmp_path / "one", report=False
    )
    outcome = evalkit.run(
        project / "evalkit.yaml", config, connection=Connection(), hooks=RunHooks(begin=begin)
    )
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert declared == 10
    assert held_at_start == [0]


def test_the_memory_of_the_manifest_and_the_sync_is_given_back_before_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync plans every file of every example (40,000 for 20,000 inline examples):
    with the manifest, its pages went back to the system only once both were garbage."""
    import evalkit.evaluation as evaluation
    from evalkit.manifest.spec import ExampleSpec

    events: list[str] = []

    def give_back() -> bool:
        import gc

        gc.collect()
        held = sum(isinstance(thing, ExampleSpec) for thing in gc.get_objects())
        events.append(f"given back, {held} example(s) held")
        return True

    monkeypatch.setattr(evaluation, "give_back_memory", give_back)
    # A thread's worker lets go of its call only after the answer is back: slowed here as a
    # busy machine slows it (the manifest handed to the sync's thread was then still held).
    work_item_run = concurrent.futures.thread._WorkItem.run

    def answered_then_slow(item: Any) -> None:
        work_item_run(item)
        time.sleep(0.2)

    monkeypatch.setattr(concurrent.futures.thread._WorkItem, "run", answered_then_slow)
    project = copy_project(tmp_path) / "examples" / "invoices"
    config = RunConfig(selection=Selection(examples=("pinecone-*",)), report=False)
    hooks = RunHooks(begin=lambda count: events.append(f"{count} to run"))
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection(), hooks=hooks)
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert events == ["given back, 0 example(s) held", "1 to run"]


def _without_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_a_remote_platform_is_reached_through_the_proxy_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy (``HTTP_PROXY``), every request goes through it: the sync's and the
    run's own pools alike (the pools went straight to the platform and failed)."""
    from tests.forwarding_proxy import forwarding_proxy
    from tests.runner.platform_harness import API_KEY, local_platform

    _without_proxies(monkeypatch)
    project = copy_project(tmp_path) / "examples" / "invoices"
    with (
        local_platform(tmp_path / "platform") as running,
        forwarding_proxy(running.base_url) as (proxy_url, proxy),
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        port = running.base_url.rsplit(":", 1)[1]
        remote = f"http://eigenpal.invalid:{port}"  # a name only the proxy does not resolve
        config = RunConfig(sync=True, selection=Selection(examples=("pinecone-*",)), report=False)
        outcome = evalkit.run(
            project / "evalkit.yaml",
            config,
            connection=Connection(base_url=remote, api_key=API_KEY),
        )
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert all(seen.split(" ", 1)[1].startswith(remote) for seen in proxy.seen)
    assert any(seen.startswith("GET ") and "/agents/" in seen for seen in proxy.seen)  # sync
    runs = [seen for seen in proxy.seen if seen.startswith("POST ") and seen.count("/run")]
    assert len(runs) == 1  # the run's pool: one example


def test_a_remote_platform_is_reached_through_a_socks_proxy_with_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ALL_PROXY=socks5://user:password@host:port``: the sync's client and the run's pools
    log in and connect through it (it failed with an ImportError: httpx needs socksio)."""
    from tests.runner.platform_harness import API_KEY, local_platform
    from tests.socks_proxy import socks_proxy

    _without_proxies(monkeypatch)
    project = copy_project(tmp_path) / "examples" / "invoices"
    with local_platform(tmp_path / "platform") as running:
        host, port = running.base_url.removeprefix("http://").rsplit(":", 1)
        upstream = (host, int(port))
        with socks_proxy(upstream, user="me", password="pw_of_the_proxy") as (proxy_port, proxy):
            monkeypatch.setenv("ALL_PROXY", f"socks5://me:pw_of_the_proxy@127.0.0.1:{proxy_port}")
            remote = "http://eigenpal.invalid:8080"  # a name only the proxy does not resolve
            config = RunConfig(
                sync=True, selection=Selection(examples=("pinecone-*",)), report=False
            )
            outcome = evalkit.run(
                project / "evalkit.yaml",
                config,
                connection=Connection(base_url=remote, api_key=API_KEY),
            )
    assert outcome.exit_code == 0, outcome.summary.outcome
    assert proxy.seen
    assert set(proxy.seen) == {"me eigenpal.invalid:8080"}


def test_the_local_platform_is_never_reached_through_a_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy set for the world outside (a company's CI) cannot reach this machine's
    loopback: the local platform is reached directly."""
    import socket

    _without_proxies(monkeypatch)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HTTP_PROXY", dead)
    monkeypatch.setenv("HTTPS_PROXY", dead)
    project = copy_project(tmp_path) / "examples" / "invoices"
    config = RunConfig(selection=Selection(examples=("pinecone-*",)), report=False)
    outcome = evalkit.run(project / "evalkit.yaml", config, connection=Connection())
    assert outcome.exit_code == 0, outcome.summary.outcome


def test_a_run_s_warm_up_imports_without_collections_and_leaves_its_imports_frozen() -> None:
    """The warm-up imports the comparison and the reports while the first executions are
    away: no collection walks those imports then, nor later (they are frozen)."""
    probe = (
        "import gc; from evalkit import evaluation\n"
        "from evalkit.collector import claim_process; claim_process()  # as the CLI's own\n"
        "young = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and young.append(1))\n"
        "frozen = gc.get_freeze_count()\n"
        "evaluation._warm_up(reports=True)\n"
        "print('collections:', len(young))\n"
        "print('enabled:', gc.isenabled())\n"
        "print('frozen:', gc.get_freeze_count() - frozen > 10_000)\n"
    )
    ended = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.splitlines() == ["collections: 0", "enabled: True", "frozen: True"]


def test_a_config_that_is_not_a_run_config_is_refused_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config is a dict, not an evalkit\.RunConfig"):
        evalkit.run(tmp_path / "evalkit.yaml", {"concurrency": 2})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_workflow_under_an_environment_says_it_runs_the_agents_its_steps_name(
    tmp_path: Path,
) -> None:
    """--env makes copies of the manifest's agents; a workflow's steps still name the
    originals, and the run says so for each workflow it runs."""
    from tests.runner.test_cli_run import ROOT

    for name in ("invoices", "workflow-suite"):
        shutil.copytree(ROOT / "examples" / name, tmp_path / "examples" / name)
    (tmp_path / ".git").mkdir()
    manifest = tmp_path / "examples" / "workflow-suite" / "evalkit.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text + '\nenvironments:\n  pr: {slug: "{slug}-pr"}\n', encoding="utf-8")
    notes: list[str] = []
    config = RunConfig(environment="pr", report=False, selection=Selection(examples=("harbor*",)))
    outcome = evalkit.run(
        manifest, config, connection=Connection(), hooks=RunHooks(note=notes.append)
    )

    ran = {(b.kind, b.agent) for b in outcome.summary.examples}
    assert ("agent", "invoice-extractor") in ran
    assert ("workflow", "invoice-pipeline") in ran
    said = [note for note in notes if note.startswith("--env pr: workflow")]
    assert said == [
        "--env pr: workflow invoice-pipeline runs the agents its steps name, not their pr "
        "copies (no run can redirect a workflow's steps): its 2 example(s) evaluate those "
        "agents as the platform has them"
    ]


def _remote(base_url: str) -> OpenPlatform:
    return OpenPlatform(base_url, API_KEY, is_local=False, description=f"remote {base_url}")


@pytest.mark.slow
def test_the_sync_before_a_run_waits_out_a_rate_limited_platform(tmp_path: Path) -> None:
    """As ``evalkit sync`` does: ``run --sync`` gave up as sync did (8 workers in step)."""
    manifest = load_manifest(copy_project(tmp_path) / "examples" / "invoices" / "evalkit.yaml")
    jobs = selected_jobs(manifest, Selection())
    limited = FaultConfig(rate_limit_per_second=10, rate_limit_burst=2)
    with local_platform(tmp_path / "platform", limited) as running:
        prepared, plan, drifted = _prepare(
            [manifest], _remote(running.base_url), jobs, True, False, RunHooks(), {}
        )
    assert plan is not None
    assert (len(prepared), drifted) == (len(jobs), [])


def test_the_checks_before_a_run_give_up_on_a_platform_that_never_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the patience (60 s; here 3 s), not after 4 attempts of 60 s each, saying
    meanwhile that nothing answers."""
    monkeypatch.setattr(retry, "PLATFORM_PATIENCE_SECONDS", 3.0)
    monkeypatch.setattr(patience, "PLATFORM_PATIENCE_SECONDS", 3.0)
    monkeypatch.setattr("evalkit.connection.SILENCE_NOTE_SECONDS", 0.2)
    manifest = load_manifest(copy_project(tmp_path) / "examples" / "invoices" / "evalkit.yaml")
    jobs = selected_jobs(manifest, Selection())
    heard: list[str] = []
    allow_drift = True  # run --allow-drift: the drift check alone
    with black_hole() as hole:
        remote = _remote(hole.base_url)
        with pytest.raises(EigenpalTimeoutError, match=r"check base_url .* the platform is up"):
            _prepare([manifest], remote, jobs, False, allow_drift, RunHooks(heard.append), {})
        assert len(hole.accepted) == 1  # not called again: 4 attempts took 244 s
    assert len(heard) == 1
    assert heard[0].startswith(f"no answer from {hole.base_url} for ")
