"""``evalkit run``: rerun the examples, compare, write feedback back, gate the pull request."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.report import html_link_option
from evalkit.cli.target import Target as PlatformTarget
from evalkit.cli.target import open_target
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.errors import RunError
from evalkit.manifest import Manifest, load_manifest
from evalkit.runner.calls import ClientCalls, rate_limit_hooks
from evalkit.runner.comparing import compare_job
from evalkit.runner.from_manifest import (
    gates_from_manifest,
    selected_jobs,
    suite_gates_from_manifest,
)
from evalkit.runner.gates import GateConfig
from evalkit.runner.health import PlatformHealth
from evalkit.runner.interrupts import stop_on_interrupt
from evalkit.runner.jobs import ExampleJob, Selection
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import git_info, new_run_id
from evalkit.runner.results import (
    Counts,
    DriftedAgent,
    ExampleResult,
    RunSummary,
    Target,
    Verdict,
)
from evalkit.runner.results_file import read_summary_file
from evalkit.runner.session import SessionConfig, run_session
from evalkit.runner.shards import Shard, parse_shard
from evalkit.runner.state import RunSettings
from evalkit.runner.summary_text import (
    MAX_PROBLEM_ROWS,
    counts_text,
    progress_line,
    render_summary,
)

RUNS_FOLDER = Path(".evalkit") / "runs"


@dataclass(frozen=True)
class RunOptions:
    selection: Selection
    concurrency: int
    timeout: float
    feedback: bool
    sync: bool | None
    environment: str | None
    flags: GateConfig
    baseline: Path | None
    out: Path | None
    retries: int = 0
    #: None: the default folder; False-y ``report`` skips the reports
    report_dir: Path | None = None
    report: bool = True
    #: run agents that differ from the manifest as they are (recorded in the summary)
    allow_drift: bool = False


@dataclass
class RunOutcome:
    summary: RunSummary
    view: ProgressView
    #: report format -> file written (empty with --no-report)
    reports: dict[str, Path]


def _shard_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    del ctx, param
    return parse_shard(value) if value is not None else None


@click.command("run")
@click.option(
    "--only",
    multiple=True,
    metavar="AGENT",
    help="Only this agent or workflow (name@version: one suite).",
)
@click.option("--example", "examples", multiple=True, metavar="GLOB", help="Example names.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Examples with this tag.")
@click.option(
    "--shard",
    metavar="K/N",
    callback=_shard_option,
    help="Only shard K of N (1-based), split by a stable hash of agent/example.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    metavar="N",
    default=0,
    show_default=True,
    help="Run an example that does not pass again, up to N times (a later pass is flaky).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 512),
    default=8,
    show_default=True,
    help="Most executions in flight; lowered automatically on 429.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 86_400),
    default=600.0,
    show_default=True,
    help="Seconds per example; then its execution is cancelled.",
)
@click.option("--no-feedback", is_flag=True, help="Do not write verdicts onto executions.")
@click.option(
    "--sync/--no-sync",
    default=None,
    help="Sync agents first (default: yes on the local platform, no on a remote one).",
)
@click.option(
    "--allow-drift",
    is_flag=True,
    help="Without --sync: run agents that differ from the manifest as they are on the platform "
    "(the summary names them) instead of refusing.",
)
@click.option(
    "-e",
    "--env",
    "environment",
    metavar="NAME",
    help="Run on this environment's copies of the agents.",
)
@click.option("--min-pass-rate", type=click.FloatRange(0, 1), help="Gate: lowest pass rate.")
@click.option("--max-failures", type=click.IntRange(0), help="Gate: most non-passing examples.")
@click.option("--max-regressions", type=click.IntRange(0), help="Gate: most regressions.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous summary.json: examples that passed there and not now regress.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for results.jsonl, summary.json and output files "
    "(default .evalkit/runs/<run id>).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, junit.xml and summary.md (default .evalkit/reports/<run id>).",
)
@click.option("--no-report", is_flag=True, help="Write no HTML, JUnit or Markdown report.")
@html_link_option
@click.pass_context
def run(
    ctx: click.Context,
    only: tuple[str, ...],
    examples: tuple[str, ...],
    tags: tuple[str, ...],
    shard: Shard | None,
    retries: int,
    concurrency: int,
    timeout: float,
    no_feedback: bool,
    sync: bool | None,
    allow_drift: bool,
    environment: str | None,
    min_pass_rate: float | None,
    max_failures: int | None,
    max_regressions: int | None,
    baseline: Path | None,
    out: Path | None,
    report_dir: Path | None,
    no_report: bool,
) -> None:
    """Run every selected example on the live agents, compare, write feedback, apply gates.

    Exit codes: 0 all gates passed, 1 a gate failed, 2 usage or manifest error,
    3 infrastructure error (auth, unreachable, platform errors on most examples),
    130 interrupted.
    """
    options: GlobalOptions = ctx.obj
    run_options = RunOptions(
        selection=Selection(only=only, examples=examples, tags=tags, shard=shard),
        concurrency=concurrency,
        timeout=timeout,
        feedback=not no_feedback,
        sync=sync,
        environment=environment,
        flags=GateConfig(min_pass_rate, max_failures, max_regressions),
        baseline=baseline,
        out=out,
        retries=retries,
        report_dir=report_dir,
        report=not no_report,
        allow_drift=allow_drift,
    )
    outcome = run_command(options, run_options)
    summary = outcome.summary
    if options.json_output:
        reports = {name: str(path) for name, path in outcome.reports.items()}
        output.emit_json({**summary.to_dict(), **({"reports": reports} if reports else {})})
    else:
        output.plain(render_summary(summary, outcome.view.problems))
        for name, path in outcome.reports.items():
            output.plain(f"{name} report: {click.format_filename(path)}")
    ctx.exit(summary.exit_code)


def _make_run_folder(run_dir: Path) -> None:
    # Before any execution starts: results that cannot be saved stop the run here.
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunError(
            f"cannot create the run folder {run_dir}: {err.strerror or err}; "
            "pass a writable folder with --out"
        ) from err


def run_command(options: GlobalOptions, run_options: RunOptions) -> RunOutcome:
    manifest = load_manifest(options.manifest)
    if run_options.environment:
        manifest = manifest.with_environment(run_options.environment)
    jobs = selected_jobs(manifest, run_options.selection)
    if not jobs:
        output.note(f"shard {run_options.selection.shard} holds none of the selected examples")
    # Read as untrusted input: a bad file stops here, at its line, before anything runs.
    baseline = read_summary_file(run_options.baseline) if run_options.baseline else None
    run_id = new_run_id()
    run_dir = run_options.out or manifest.path.parent / RUNS_FOLDER / run_id
    git = git_info(manifest.path.parent)
    labels = {"manifestDigest": manifest.digest}
    if git.commit:
        labels["gitCommit"] = git.commit
    settings = RunSettings(
        run_id=run_id,
        run_dir=run_dir,
        timeout_seconds=run_options.timeout,
        feedback=run_options.feedback,
        labels=labels,
        retries=run_options.retries,
    )
    with open_target(options, workflows_dir=manifest.local_workflows_dir) as target:
        output.note(f"target: {target.description}")
        sync = run_options.sync if run_options.sync is not None else target.is_local
        prepared = _prepare(manifest, target, jobs, sync=sync, allow_drift=run_options.allow_drift)
        jobs = prepared.jobs
        _make_run_folder(run_dir)
        config = SessionConfig(
            settings=settings,
            concurrency=run_options.concurrency,
            target=Target(kind="local" if target.is_local else "remote", base_url=target.base_url),
            manifest=str(manifest.path),
            manifest_digest=manifest.digest,
            git=git,
            gates=gates_from_manifest(manifest.gates).overridden_by(run_options.flags),
            suite_gates=suite_gates_from_manifest(manifest, run_options.flags),
            selection=run_options.selection,
            baseline=baseline,
            baseline_path=str(run_options.baseline) if run_options.baseline else None,
            sync_plan=prepared.sync_plan,
            drifted_agents=prepared.drifted_agents,
        )
        output.note(f"run {run_id}: {len(jobs)} example(s), results in {run_dir}")
        with ProgressView(len(jobs)) as view:
            summary = asyncio.run(_run(jobs, target, config, run_options.concurrency, view))
    reports: dict[str, Path] = {}
    if run_options.report:
        from evalkit.cli.report import REPORTS_FOLDER

        folder = run_options.report_dir or manifest.path.parent / REPORTS_FOLDER / run_id
        reports = _write_reports(run_dir, folder, in_json=options.json_output)
    return RunOutcome(summary, view, reports)


@dataclass(frozen=True)
class Prepared:
    jobs: list[ExampleJob]
    #: the sync plan applied, as data; None when nothing was synced
    sync_plan: dict[str, Any] | None
    #: agents that differ from the manifest and run as they are (--allow-drift)
    drifted_agents: list[DriftedAgent]


def _prepare(
    manifest: Manifest,
    target: PlatformTarget,
    jobs: list[ExampleJob],
    *,
    sync: bool,
    allow_drift: bool,
) -> Prepared:
    """Before anything runs: the workflows exist and their version labels become version ids;
    the agents under test are synced when asked, else compared with the manifest (a
    difference stops here unless ``allow_drift``). Any refusal comes before the first start."""
    from evalkit.runner.patience import patiently_sync
    from evalkit.runner.preflight import check_agents, check_workflows, describe_agent
    from evalkit.runner.presync import sync_agents
    from evalkit.runner.versions import resolve_versions

    drifted: list[DriftedAgent] = []
    synced = None
    with EigenpalClient(api_key=target.api_key, base_url=target.base_url) as client:
        check_workflows(client, jobs, local=target.is_local)
        jobs = resolve_versions(
            jobs, lambda name: patiently_sync(lambda: list(client.workflows.iter_versions(name)))
        )
        if sync:
            synced = sync_agents(manifest, client, jobs)
        else:
            drifted = check_agents(manifest, client, jobs, allow_drift=allow_drift)
    if synced is not None:
        output.note(synced.message)
    for agent in drifted:
        output.note(
            f"--allow-drift: {describe_agent(agent.slug, manifest)} differs from the manifest "
            f"({agent.gist()}); running it as it is on the platform"
        )
    return Prepared(jobs, synced.plan if synced is not None else None, drifted)


def _write_reports(run_dir: Path, folder: Path, *, in_json: bool) -> dict[str, Path]:
    """HTML, JUnit and Markdown from the files the run wrote; in GitHub Actions also the step
    summary and the annotations. A report that cannot be written is an error message, not a
    different exit code: the gate's verdict stands."""
    from evalkit.cli.report import given_html_link, publish_reports
    from evalkit.report import load_results
    from evalkit.report.github import in_github_actions, publish

    try:
        run = load_results(run_dir)
        if not in_json or not in_github_actions():
            return publish_reports(run, folder)
        # --json keeps standard output for the summary: the annotations go to standard
        # error, where GitHub reads workflow commands too.
        quiet = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
        written = publish_reports(run, folder, env=quiet)
        for line in publish(run, os.environ, html_link=given_html_link(), reports=written):
            output.stderr.print(line, markup=False, emoji=False, highlight=False, style=None)
        return written
    except OSError as err:
        output.error(f"the reports could not be written into {folder}: {err.strerror or err}")
        return {}


async def _run(
    jobs: list[ExampleJob],
    target: PlatformTarget,
    config: SessionConfig,
    concurrency: int,
    view: ProgressView,
) -> RunSummary:
    limiter = AdaptiveLimiter(concurrency)
    health = PlatformHealth(config.settings.down_after_seconds)
    stop = asyncio.Event()
    async with httpx.AsyncClient(event_hooks=rate_limit_hooks(limiter, health)) as http:
        client = AsyncEigenpalClient(
            api_key=target.api_key, base_url=target.base_url, http_client=http
        )
        async with client:
            with stop_on_interrupt(stop, _tell_interrupted):
                return await run_session(
                    jobs,
                    ClientCalls(client),
                    compare_job,
                    config,
                    on_result=view.finished,
                    on_start=view.started,
                    stop=stop,
                    limiter=limiter,
                    health=health,
                )


def _tell_interrupted() -> None:
    output.note("interrupted: cancelling executions in flight (Ctrl-C again to abort)")


class ProgressView:
    """A live bar with pass/partial/fail/error counts and ETA in a terminal; a plain line per
    finished example otherwise (CI logs). Both go to standard error."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.counts = Counts()
        self.problems: list[ExampleResult] = []
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressView:
        if output.stderr.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeRemainingColumn(),
                console=output.stderr,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("running", total=self.total, counts="")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def started(self, job: ExampleJob) -> None:
        del job  # the bar moves when examples finish

    def finished(self, result: ExampleResult) -> None:
        self.done += 1
        self.counts.add(result.verdict)
        if result.verdict is not Verdict.PASS and len(self.problems) < MAX_PROBLEM_ROWS:
            self.problems.append(result)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, counts=counts_text(self.counts))
        else:
            output.note(progress_line(self.done, self.total, result))
