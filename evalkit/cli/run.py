"""``evalkit run``: rerun the examples, compare, write feedback back, gate the pull request."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
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
from evalkit.cli.target import Target as PlatformTarget
from evalkit.cli.target import open_target
from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.errors import RunError
from evalkit.manifest import Manifest, load_manifest
from evalkit.runner.comparing import compare_job
from evalkit.runner.from_manifest import (
    gates_from_manifest,
    jobs_from_manifest,
    suite_gates_from_manifest,
)
from evalkit.runner.gates import GateConfig
from evalkit.runner.jobs import ExampleJob, Selection, select
from evalkit.runner.jsonl import read_summary
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import git_info, new_run_id
from evalkit.runner.platform import ClientPlatform, rate_limit_hooks
from evalkit.runner.results import Counts, ExampleResult, RunSummary, Target, Verdict
from evalkit.runner.session import SessionConfig, run_session
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


@click.command("run")
@click.option("--only", multiple=True, metavar="AGENT", help="Only this agent or workflow.")
@click.option("--example", "examples", multiple=True, metavar="GLOB", help="Example names.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Examples with this tag.")
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
@click.pass_context
def run(
    ctx: click.Context,
    only: tuple[str, ...],
    examples: tuple[str, ...],
    tags: tuple[str, ...],
    concurrency: int,
    timeout: float,
    no_feedback: bool,
    sync: bool | None,
    environment: str | None,
    min_pass_rate: float | None,
    max_failures: int | None,
    max_regressions: int | None,
    baseline: Path | None,
    out: Path | None,
) -> None:
    """Run every selected example on the live agents, compare, write feedback, apply gates.

    Exit codes: 0 all gates passed, 1 a gate failed, 2 usage or manifest error,
    3 infrastructure error (auth, unreachable, platform errors on most examples),
    130 interrupted.
    """
    options: GlobalOptions = ctx.obj
    run_options = RunOptions(
        selection=Selection(only=only, examples=examples, tags=tags),
        concurrency=concurrency,
        timeout=timeout,
        feedback=not no_feedback,
        sync=sync,
        environment=environment,
        flags=GateConfig(min_pass_rate, max_failures, max_regressions),
        baseline=baseline,
        out=out,
    )
    summary, view = run_command(options, run_options)
    if options.json_output:
        output.emit_json(summary.to_dict())
    else:
        output.plain(render_summary(summary, view.problems))
    ctx.exit(summary.exit_code)


def run_command(options: GlobalOptions, run_options: RunOptions) -> tuple[RunSummary, ProgressView]:
    manifest = load_manifest(options.manifest)
    if run_options.environment:
        manifest = manifest.with_environment(run_options.environment)
    jobs = select(jobs_from_manifest(manifest), run_options.selection)
    if not jobs:
        raise RunError("no example matches the selection (--only/--example/--tag)")
    baseline = read_summary(run_options.baseline) if run_options.baseline else None
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
    )
    with open_target(options) as target:
        output.note(f"target: {target.description}")
        sync_plan = None
        if run_options.sync if run_options.sync is not None else target.is_local:
            sync_plan = _sync(manifest, target, jobs)
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
            sync_plan=sync_plan,
        )
        output.note(f"run {run_id}: {len(jobs)} example(s), results in {run_dir}")
        with ProgressView(len(jobs)) as view:
            summary = asyncio.run(_run(jobs, target, config, run_options.concurrency, view))
        return summary, view


def _sync(
    manifest: Manifest, target: PlatformTarget, jobs: list[ExampleJob]
) -> dict[str, Any] | None:
    """Bring the agents under test up to date with the manifest before running them; the
    plan applied, as data, or None when there was nothing to do."""
    from evalkit.sync import plan_to_data
    from evalkit.sync.apply import apply
    from evalkit.sync.planner import plan

    agents = sorted({job.target for job in jobs if job.kind == "agent"})
    if not agents:
        return None
    with EigenpalClient(api_key=target.api_key, base_url=target.base_url) as client:
        changes = plan(manifest, client, only=agents)
        if not changes.has_changes:
            output.note("sync: agents already up to date")
            return None
        result = apply(changes, client)
    if result.failed:
        reasons = "; ".join(f"{o.slug}: {o.error}" for o in result.failed)
        raise SyncFailed(f"sync before the run failed ({result.state}): {reasons}")
    output.note(f"sync: {result.writes} write(s) to {len(result.applied)} agent(s)")
    return plan_to_data(changes)


class SyncFailed(RunError):
    """The platform refused the sync: an infrastructure problem (exit code 3)."""

    exit_code = 3


async def _run(
    jobs: list[ExampleJob],
    target: PlatformTarget,
    config: SessionConfig,
    concurrency: int,
    view: ProgressView,
) -> RunSummary:
    limiter = AdaptiveLimiter(concurrency)
    stop = asyncio.Event()
    async with httpx.AsyncClient(event_hooks=rate_limit_hooks(limiter)) as http:
        client = AsyncEigenpalClient(
            api_key=target.api_key, base_url=target.base_url, http_client=http
        )
        async with client:
            with _interrupts_set(stop):
                return await run_session(
                    jobs,
                    ClientPlatform(client),
                    compare_job,
                    config,
                    on_result=view.finished,
                    on_start=view.started,
                    stop=stop,
                    limiter=limiter,
                )


@contextlib.contextmanager
def _interrupts_set(stop: asyncio.Event) -> Iterator[None]:
    """The first Ctrl-C (or SIGTERM) stops the run cleanly: in-flight executions are cancelled
    and the results so far are written. A second Ctrl-C aborts at once."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def first_interrupt() -> None:
        output.note("interrupted: cancelling executions in flight (Ctrl-C again to abort)")
        stop.set()
        for signum in installed:
            loop.remove_signal_handler(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, first_interrupt)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):  # not on this platform or thread
            pass
    try:
        yield
    finally:
        for signum in installed:
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)


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
