"""An evaluation run as a library call: ``evalkit.run`` and ``evalkit.run_async``.

This is what ``evalkit run`` does, start to end, with nothing printed::

    outcome = evalkit.run("evalkit.yaml", evalkit.RunConfig(concurrency=4))
    outcome.summary.status, outcome.exit_code, outcome.reports

The steps, in order: load the manifest; select the examples; read the baseline; open the
platform (``evalkit.connection``); before anything starts, check the workflows, sync the
agents under test or check they match the manifest; run the examples (``runner.session``,
which writes ``results.jsonl`` and ``summary.json``); write the reports. Any refusal (a
manifest or usage error, drift, a platform that refuses the key) raises an ``EvalkitError``
before the first example starts. What the CLI shows on the way comes through ``RunHooks``.

With ``RunConfig(update=True)`` (``evalkit run --update``) the run then accepts the outputs
of its examples that did not pass as their expected outputs (``evalkit.accept`` on the run's
folder and selection), once it ended with its gates passed or failed (not after a platform
failure or an interrupt)::

    outcome = evalkit.run("evalkit.yaml", evalkit.RunConfig(update=True))
    outcome.accepted.plan.changes, outcome.exit_code   # 0: everything that failed is accepted

It is refused (``AcceptError``) before anything runs when ``CI`` is set, unless ``force``;
``RunHooks.confirm_accept`` sees the change before anything is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from evalkit.client import AsyncEigenpalClient, EigenpalClient
from evalkit.client._http import proxy_for, tls_context
from evalkit.client._transports import async_transport, open_ahead
from evalkit.collector import imports_frozen
from evalkit.connection import (
    Connection,
    OpenPlatform,
    launching_platform,
    open_platform,
    patient_client,
)
from evalkit.conventions import (
    JUDGEMENTS_FOLDER,
    REPORTS_FOLDER,
    RUNS_FOLDER,
    in_github_actions,
)
from evalkit.errors import ConfigError, RunError
from evalkit.malloc_arenas import give_back_memory
from evalkit.manifest import Manifest, load_manifest
from evalkit.runner import labels as run_labels
from evalkit.runner.attempt_plan import plan_for
from evalkit.runner.calibration import calibration_plan
from evalkit.runner.calls import ClientCalls, rate_limit_hooks
from evalkit.runner.comparing import compare_job
from evalkit.runner.config import RunConfig, RunIdentity
from evalkit.runner.from_manifest import (
    gates_from_manifest,
    jobs_from_manifest,
    selected_jobs,
    suite_gates_from_manifest,
)
from evalkit.runner.health import PlatformHealth
from evalkit.runner.interrupts import stop_on_interrupt
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.judge_agents import JudgeAgent, judge_agents_of
from evalkit.runner.limiter import AdaptiveLimiter
from evalkit.runner.metadata import git_info, new_run_id
from evalkit.runner.results import (
    RESULTS_NAME,
    ChangeSelection,
    DriftedAgent,
    ExampleResult,
    GitInfo,
    RunSummary,
    Target,
)
from evalkit.runner.results_file import ResultsFollower, read_summary_file
from evalkit.runner.session import PreparedRun, refuse_used_run_folder, run_session
from evalkit.runner.start_order import SignallingTransport

if TYPE_CHECKING:
    from evalkit.connection import PlatformLaunch
    from evalkit.runner.accept_plan import AcceptOutcome, AcceptPlan


def _ignore(_: Any) -> None:
    return None


@dataclass(frozen=True)
class RunHooks:
    """What a run tells its caller on the way; each defaults to nothing."""

    #: a line for the user (the platform used, the sync applied, drift allowed, ...)
    note: Callable[[str], None] = _ignore
    #: the number of examples about to run, once everything before the first start is done
    begin: Callable[[int], None] = _ignore
    #: an example's first start
    started: Callable[[ExampleJob], None] = _ignore
    #: an example's result, as it is written to results.jsonl
    finished: Callable[[ExampleResult], None] = _ignore
    #: the run was asked to stop (Ctrl-C): executions in flight are being cancelled
    interrupted: Callable[[], None] = lambda: None
    #: with ``RunConfig.update``: the run's outcome, once it ended and before its accept
    ran: Callable[[RunOutcome], None] = _ignore
    #: with ``RunConfig.update``: sees the accept's plan (``plan.diff()``) before anything is
    #: written and says whether to go on; None: go on (as ``evalkit.accept``'s ``confirm``)
    confirm_accept: Callable[[AcceptPlan], bool] | None = None


@dataclass(frozen=True)
class RunOutcome:
    summary: RunSummary
    #: the folder holding results.jsonl and summary.json
    run_dir: Path
    #: report format -> file written (empty when ``config.report`` is off)
    reports: dict[str, Path] = field(default_factory=dict)
    #: workflow commands for GitHub's log, inside GitHub Actions (the caller prints them)
    github_lines: list[str] = field(default_factory=list)
    #: why the report files (or GitHub's step summary or outputs) could not be written (the
    #: verdict stands: see ``exit_code``)
    report_error: str | None = None
    #: with ``RunConfig.update``: what the accept after the run did (None: not asked, or the
    #: run did not end with its gates passed or failed)
    accepted: AcceptOutcome | None = None

    @property
    def exit_code(self) -> int:
        """What ``evalkit run`` exits with: 0 passed, 1 a gate failed, 3 the platform, 130
        interrupted; after an accept (``update``), the accept's: 0 everything that did not
        pass is accepted, 1 not all of it (or declined)."""
        if self.accepted is not None:
            return self.accepted.exit_code
        return self.summary.exit_code


def run(
    manifest: Path | str | Manifest,
    config: RunConfig | None = None,
    *,
    connection: Connection | None = None,
    hooks: RunHooks | None = None,
    handle_interrupts: bool = True,
    launch: PlatformLaunch | None = None,
) -> RunOutcome:
    """Run the manifest's examples and judge them (see the module's docstring).

    ``connection``: default ``Connection.from_env()``, the local platform unless
    ``EIGENPAL_BASE_URL`` is set. ``handle_interrupts``: in the main thread, the first Ctrl-C
    (or SIGTERM) stops the run cleanly, cancelling executions in flight and still writing the
    summary; a second one aborts. ``launch``: the local platform's process, launched earlier
    (``evalkit.emulator.child.PlatformLaunch()``; the CLI launches it before its own imports);
    the run owns it from then on: it serves a local connection, and is stopped when the run
    ends (at once if the connection is remote). None: a local platform is launched here."""
    if config is not None and not isinstance(config, RunConfig):
        raise ConfigError(
            f"config is a {type(config).__name__}, not an evalkit.RunConfig: give "
            "RunConfig(...) with the same values, e.g. RunConfig(concurrency=2)"
        )

    async def main() -> RunOutcome:
        stop = asyncio.Event()
        evaluate = functools.partial(
            _evaluate, manifest, config, connection=connection, hooks=hooks, stop=stop
        )
        if not handle_interrupts:
            return await evaluate(launch=launch)
        with stop_on_interrupt(stop, (hooks or RunHooks()).interrupted):
            return await evaluate(launch=launch)

    # The accept asks its question with Ctrl-C back as usual: it declines, the run is over.
    return _then_accept(asyncio.run(main()), manifest, config, hooks)


async def run_async(
    manifest: Path | str | Manifest,
    config: RunConfig | None = None,
    *,
    connection: Connection | None = None,
    hooks: RunHooks | None = None,
    stop: asyncio.Event | None = None,
    launch: PlatformLaunch | None = None,
) -> RunOutcome:
    """``run`` inside a running event loop; setting ``stop`` stops the run cleanly."""
    outcome = await _evaluate(
        manifest, config, connection=connection, hooks=hooks, stop=stop, launch=launch
    )
    return _then_accept(outcome, manifest, config, hooks)


async def _evaluate(
    manifest: Path | str | Manifest,
    config: RunConfig | None,
    *,
    connection: Connection | None,
    hooks: RunHooks | None,
    stop: asyncio.Event | None,
    launch: PlatformLaunch | None = None,
) -> RunOutcome:
    """The run and its reports (``update``'s accept comes after, in ``_then_accept``)."""
    config = config or RunConfig()
    if config.update:  # refused before anything runs, not after the run
        from evalkit.runner.ci import refuse_in_ci

        try:
            refuse_in_ci(config.force)
        except BaseException:
            if launch is not None:  # the run's to stop
                launch.stop()
            raise
    connection = connection or Connection.from_env()
    # A local platform's process starts first (unless the caller launched it already): its
    # imports overlap the manifest's reading.
    with launching_platform(connection, launch) as launch:
        return await _evaluate_launched(
            manifest, config, connection, launch, hooks or RunHooks(), stop
        )


async def _evaluate_launched(
    manifest: Path | str | Manifest,
    config: RunConfig,
    connection: Connection,
    launch: PlatformLaunch | None,
    hooks: RunHooks,
    stop: asyncio.Event | None,
) -> RunOutcome:
    with contextlib.ExitStack() as platform_scope:
        ready = await _ready_to_run(manifest, config, connection, launch, hooks, platform_scope)
        # The manifest and the sync's plan are garbage now: their pages go back to the system
        # (a 20,000-example manifest otherwise stayed resident under the run's own memory).
        give_back_memory()
        prepared, jobs = ready.prepared, ready.jobs
        config = prepared.config  # as the manifest completed it
        hooks.note(
            f"run {prepared.identity.run_id}: {len(jobs)} example(s), results in "
            f"{prepared.identity.run_dir}"
        )
        hooks.begin(len(jobs))
        # results.jsonl read back as the last examples run (the reports start with it read);
        # in GitHub Actions the step summary and annotations need it even without reports
        publishing = config.report or in_github_actions()
        follower = ResultsFollower(prepared.identity.run_dir / RESULTS_NAME) if publishing else None
        following = _following(hooks, follower, len(jobs))
        summary = await _session(jobs, ready.platform, prepared, following, stop)
    outcome = RunOutcome(summary, prepared.identity.run_dir)
    if not publishing:
        return outcome  # results.jsonl is not read at all
    folder = None
    if config.report:
        run_id = prepared.identity.run_id
        folder = config.report_dir or ready.project_root / REPORTS_FOLDER / run_id
    return _with_reports(outcome, folder, config.html_link, config.history, follower)


@dataclass(frozen=True)
class _ReadyRun:
    """What a run holds once it is prepared: not the manifest (a 20,000-example manifest is
    about 35 MB; only the selected examples' jobs are kept)."""

    platform: OpenPlatform
    prepared: PreparedRun
    jobs: list[ExampleJob]
    project_root: Path


async def _ready_to_run(
    manifest: Path | str | Manifest,
    config: RunConfig,
    connection: Connection,
    launch: PlatformLaunch | None,
    hooks: RunHooks,
    platform_scope: contextlib.ExitStack,
) -> _ReadyRun:
    """Load and select, open the platform (closed with ``platform_scope``), then sync or check
    the agents: every refusal comes here, before the first start. The manifest is held by this
    frame only, gone once it returns (a frame that lent its locals to a lazily built model
    keeps them as long as it lives)."""
    if config.out is not None:  # before the platform and the sync: a refusal changes nothing
        refuse_used_run_folder(config.out)
    # git's four commands (about 30 ms of waiting on them in a repository) run in a thread
    # while the manifest is read and the run prepared
    manifest_folder = (manifest.path if isinstance(manifest, Manifest) else Path(manifest)).parent
    git_asked = asyncio.get_running_loop().run_in_executor(None, git_info, manifest_folder)
    loaded = manifest if isinstance(manifest, Manifest) else load_manifest(Path(manifest))
    project_root = loaded.path.parent
    if config.confidence is None and loaded.gates.confidence is not None:
        config = dataclasses.replace(config, confidence=loaded.gates.confidence)
    if config.environment:
        loaded = loaded.with_environment(config.environment)
    every_job = jobs_from_manifest(loaded)  # (built once: a run of 500 examples took 20 ms)
    jobs = selected_jobs(loaded, config.selection, every_job)
    if not config.calibration:  # only what the selection names: no judge's labelled examples
        jobs = [job for job in jobs if config.selection.matches(job)]
    change_selection = None
    if config.changed_since is not None:
        jobs, change_selection = _changed_only(loaded, jobs, config, hooks)
    elif not jobs:
        hooks.note(f"shard {config.selection.shard} holds none of the selected examples")
    if config.environment:
        for line in _environment_workflow_notes(config.environment, jobs):
            hooks.note(line)
    # Read as untrusted input: a bad file stops here, at its line, before anything runs.
    baseline = read_summary_file(config.baseline) if config.baseline else None
    plan_for(jobs, config, baseline)  # a repeat that cannot be honoured stops here
    judges: dict[str, JudgeAgent] = {}  # judged by agents that must be synced too

    def meanwhile() -> None:
        """While a local platform starts: what needs no platform and refuses nothing (the
        modules the preparation imports, then the judges' digests: their files hashed)."""
        _import_preparation()
        judges.update(judge_agents_of(loaded, jobs))

    platform = platform_scope.enter_context(
        open_platform(
            connection,
            project_root=project_root,
            workflows_dir=loaded.local_workflows_dir,
            workers=config.concurrency,
            pass_env=loaded.local_pass_env,
            launch=launch,
            meanwhile=meanwhile,
        )
    )
    git = await git_asked
    identity = _identity(loaded, config, git)
    hooks.note(f"target: {platform.description}")
    for line in platform.notes:
        hooks.note(line)
    sync = config.sync if config.sync is not None else platform.is_local
    if config.baseline_batch is not None:  # read first: a wrong id changes nothing
        baseline = await asyncio.to_thread(_batch_baseline, platform, jobs, config, hooks)
    # The manifest goes over in a box the thread empties: an executor's worker holds its call's
    # arguments a moment after the answer is back, and the manifest must be garbage by the
    # time the run gives memory back (under load the worker had not let go yet).
    jobs, sync_plan, drifted = await asyncio.to_thread(
        _prepare, [loaded], platform, jobs, sync, config.allow_drift, hooks, judges
    )
    _make_run_folder(identity.run_dir)
    prepared = PreparedRun(
        config=config,
        identity=identity,
        target=Target(kind="local" if platform.is_local else "remote", base_url=platform.base_url),
        manifest=str(loaded.path),
        manifest_digest=loaded.digest,
        git=git,
        gates=gates_from_manifest(loaded.gates).overridden_by(config.gates),
        suite_gates=suite_gates_from_manifest(loaded, config.gates),
        baseline=baseline,
        baseline_name=(
            str(config.baseline) if config.baseline else _batch_name(config.baseline_batch)
        ),
        sync_plan=sync_plan,
        drifted_agents=drifted,
        change_selection=change_selection,
        calibration=calibration_plan(every_job, jobs),
        judges=judges,
        judgements_folder=project_root / JUDGEMENTS_FOLDER,
    )
    return _ReadyRun(platform, prepared, jobs, project_root)


def _environment_workflow_notes(environment: str, jobs: Sequence[ExampleJob]) -> list[str]:
    """What --env cannot do for workflow examples: a workflow's steps name their agents, and
    no run can point them at the environment's copies, so they run the agents as named."""
    examples = Counter(job.platform_name for job in jobs if job.kind == "workflow")
    return [
        f"--env {environment}: workflow {name} runs the agents its steps name, not their "
        f"{environment} copies (no run can redirect a workflow's steps): its {count} "
        "example(s) evaluate those agents as the platform has them"
        for name, count in sorted(examples.items())
    ]


#: results.jsonl lines read back as each example finishes, once every example has started
#: (about 40 microseconds each: 64 at most, 2.5 ms, between two completions)
FOLLOWED_LINES = 64


def _following(hooks: RunHooks, follower: ResultsFollower | None, examples: int) -> RunHooks:
    """``hooks``, with ``follower`` reading the results written so far as examples finish,
    once every example has started: while the run waits for its last executions, not while
    it could start another."""
    if follower is None:
        return hooks
    waiting = examples

    def started(job: ExampleJob) -> None:
        nonlocal waiting
        waiting -= 1
        hooks.started(job)

    def finished(result: ExampleResult) -> None:
        hooks.finished(result)  # (written to results.jsonl before this hook)
        if waiting <= 0:
            follower.read_new(FOLLOWED_LINES)

    return dataclasses.replace(hooks, started=started, finished=finished)


def _then_accept(
    outcome: RunOutcome,
    manifest: Path | str | Manifest,
    config: RunConfig | None,
    hooks: RunHooks | None,
) -> RunOutcome:
    """With ``update``, once the run ended with its gates passed or failed: the accept of its
    examples that did not pass (the manifest read again from its file, as it is now)."""
    if config is None or not config.update:
        return outcome
    from evalkit.runner.accept_plan import UPDATABLE  # (only ``update`` loads the accept)

    if outcome.summary.status not in UPDATABLE:
        return outcome
    from evalkit.runner.accept import accept

    hooks = hooks or RunHooks()
    hooks.ran(outcome)
    accepted = accept(
        outcome.run_dir,
        manifest if isinstance(manifest, Manifest) else Path(manifest),
        config.selection,
        confirm=hooks.confirm_accept,
        force=True,  # CI was checked before the run
    )
    return dataclasses.replace(outcome, accepted=accepted)


def _changed_only(
    manifest: Manifest, jobs: list[ExampleJob], config: RunConfig, hooks: RunHooks
) -> tuple[list[ExampleJob], ChangeSelection]:
    """``--changed-since``: the jobs of the suites that changed, and those tagged always."""
    from evalkit.runner.change_text import selection_lines
    from evalkit.runner.changed import changed_suites

    assert config.changed_since is not None
    changed = changed_suites(manifest, config.changed_since, environment=config.environment)
    if not config.calibration:  # the judges' labelled examples stay out
        changed = dataclasses.replace(changed, calibrated=frozenset())
    # The record is the whole run's (every shard's alike, so merged shards keep one): the
    # shard runs its share of what it selects.
    whole = dataclasses.replace(config.selection, shard=None)
    record = changed.apply(selected_jobs(manifest, whole))[1]
    kept = [job for job in jobs if changed.keeps(job)]
    for line in selection_lines(record):
        hooks.note(line)
    return kept, record


def _batch_baseline(
    platform: OpenPlatform, jobs: list[ExampleJob], config: RunConfig, hooks: RunHooks
) -> RunSummary:
    """The baseline rebuilt from an earlier run's executions on this platform."""
    from evalkit.runner.platform_baseline import baseline_from_batch

    assert config.baseline_batch is not None
    agents = {job.platform_name: job.suite for job in jobs if job.kind == "agent"}
    with EigenpalClient(api_key=platform.api_key, base_url=platform.base_url) as client:
        rebuilt = baseline_from_batch(
            client,
            config.baseline_batch,
            agents=agents,
            pass_if=config.pass_if or "all",
            confidence=config.confidence_level,
        )
    hooks.note(f"baseline: {rebuilt.outcome}")
    return rebuilt


def _batch_name(batch: str | None) -> str | None:
    return f"batch:{batch}" if batch is not None else None


def _identity(manifest: Manifest, config: RunConfig, git: GitInfo) -> RunIdentity:
    run_id = new_run_id()
    labels = {run_labels.MANIFEST_DIGEST: manifest.digest}
    if git.commit:
        labels[run_labels.GIT_COMMIT] = git.commit
    run_dir = config.out or manifest.path.parent / RUNS_FOLDER / run_id
    return RunIdentity(run_id=run_id, run_dir=run_dir, labels=labels)


def _make_run_folder(run_dir: Path) -> None:
    # Before any execution starts: results that cannot be saved stop the run here.
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunError(
            f"cannot create the run folder {run_dir}: {err.strerror or err}; "
            "pass a writable folder with --out"
        ) from err


def _import_preparation() -> None:
    """The modules ``_prepare`` imports when it runs."""
    import evalkit.runner.patience
    import evalkit.runner.preflight
    import evalkit.runner.presync
    import evalkit.runner.versions  # noqa: F401


def _prepare(
    handed: list[Manifest],
    platform: OpenPlatform,
    jobs: list[ExampleJob],
    sync: bool,
    allow_drift: bool,
    hooks: RunHooks,
    judges: Mapping[str, JudgeAgent],
) -> tuple[list[ExampleJob], dict[str, Any] | None, list[DriftedAgent]]:
    """Before anything runs: the workflows exist and their version labels become version ids;
    the agents under test are synced when asked, else compared with the manifest (a
    difference stops here unless ``allow_drift``). Any refusal comes before the first start.
    Returns the jobs (versions resolved), the sync plan applied and the agents that drifted.
    ``handed``: the manifest, taken out of the list (the caller's thread keeps no hold)."""
    manifest = handed.pop()
    from evalkit.runner.patience import patiently_sync
    from evalkit.runner.preflight import check_agents, check_workflows, describe_agent
    from evalkit.runner.presync import sync_agents
    from evalkit.runner.versions import resolve_versions

    drifted: list[DriftedAgent] = []
    synced = None
    with patient_client(platform, hooks.note) as client:
        check_workflows(client, jobs, local=platform.is_local)
        jobs = resolve_versions(
            jobs, lambda name: patiently_sync(lambda: list(client.workflows.iter_versions(name)))
        )
        also = [judge.platform_slug for judge in judges.values()]
        if sync:
            synced = sync_agents(manifest, client, jobs, also=also)
        else:
            drifted = check_agents(manifest, client, jobs, allow_drift=allow_drift, also=also)
    if synced is not None:
        hooks.note(synced.message)
    for agent in drifted:
        hooks.note(
            f"--allow-drift: {describe_agent(agent.slug, manifest)} differs from the manifest "
            f"({agent.gist()}); running it as it is on the platform"
        )
    return jobs, synced.plan if synced is not None else None, drifted


async def _session(
    jobs: list[ExampleJob],
    platform: OpenPlatform,
    prepared: PreparedRun,
    hooks: RunHooks,
    stop: asyncio.Event | None,
) -> RunSummary:
    config = prepared.config
    limiter = AdaptiveLimiter(config.concurrency)
    health = PlatformHealth(config.down_after_seconds)
    # One TLS context for every pool (and the clients before): each costs tens of milliseconds.
    tls = tls_context(platform.base_url)
    proxy = proxy_for(platform.base_url)  # as the sync's client has it
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        pools = []
        for limits in client_pools(config.concurrency):
            # (the transport tells when a start is written: runner.start_order)
            pool = async_transport(platform.base_url, limits=limits, verify=tls, proxy=proxy)
            pools.append(pool)
            transport = SignallingTransport(pool)
            http = await stack.enter_async_context(
                httpx.AsyncClient(
                    event_hooks=rate_limit_hooks(limiter, health),
                    transport=transport,
                    trust_env=False,
                )
            )
            client = AsyncEigenpalClient(
                api_key=platform.api_key, base_url=platform.base_url, http_client=http
            )
            clients.append(await stack.enter_async_context(client))
        # The first wave's connections, opened together (the calls go to the pools in turn):
        # the platform accepted fifty new connections between the first starts, the first
        # created 14 ms after it was sent (0.5 ms with its connection opened ahead).
        await open_ahead(pools[: len(jobs)], platform.base_url, timeout=OPEN_AHEAD_SECONDS)
        return await run_session(
            jobs,
            ClientCalls(*clients),
            compare_job,
            prepared,
            on_result=hooks.finished,
            on_start=hooks.started,
            stop=stop,
            limiter=limiter,
            health=health,
            warm_up=functools.partial(_warm_up, reports=config.report, github=in_github_actions()),
        )


def _warm_up(*, reports: bool, github: bool = False) -> None:
    """While the first executions are away (in a worker thread): the result records'
    validators, the imports of the first comparison and of the lines said per result and,
    when reports are written, of the report package and its page template (in GitHub Actions
    without reports, the package alone: the step summary is no page), so that none waits for
    them later."""
    from evalkit.runner.comparing import warm_up as warm_up_compare
    from evalkit.runner.results import build_records

    with imports_frozen():
        build_records()  # the first result is written as soon as the first execution ends
        warm_up_compare()
        import evalkit.runner.summary_text  # (the command's line per result)

        if reports:
            from evalkit.report.publish import warm_up as warm_up_reports

            warm_up_reports()
        elif github:
            import evalkit.report.publish  # noqa: F401


#: how long the run waits for the connections it opens ahead of its first starts (a platform
#: that takes longer is left to the starts' own connects, their timeouts and retries)
OPEN_AHEAD_SECONDS = 1.0

#: examples in flight per HTTP client: its pool stays this small (see ``client_pools``)
EXAMPLES_PER_CLIENT = 1


def client_pools(concurrency: int) -> list[httpx.Limits]:
    """One HTTP connection pool per ``EXAMPLES_PER_CLIENT`` examples in flight, each able to
    keep a connection alive for each of its examples and their feedback writes.

    httpx places each request by looking over every connection of its pool, and again for
    each request waiting: with one pool of a hundred connections at ``--concurrency 50``
    that search took more of the runner's CPU than everything else together. Small pools
    taking the calls in turn keep it a few connections long; the connections made are the
    same in number. Each check of an idle connection is a few system calls, so a pool per
    example (four connections) is the cheapest: 8 examples a pool cost a run at
    ``--concurrency 50`` about 1.5 ms more of its CPU per example (measured: 6.5 ms against
    4.5 ms, python -m benchmarks --only client-cpu)."""
    pools = max(1, math.ceil(concurrency / EXAMPLES_PER_CLIENT))
    size = 2 * math.ceil(concurrency / pools) + 2
    return [httpx.Limits(max_connections=size, max_keepalive_connections=size)] * pools


def _with_reports(
    outcome: RunOutcome,
    folder: Path | None,
    html_link: str | None,
    history: Path | None = None,
    follower: ResultsFollower | None = None,
) -> RunOutcome:
    """HTML, JUnit and Markdown into ``folder`` (None: no report files) from the files the
    run wrote (results.jsonl as ``follower`` read it during the run, and the rest); in GitHub
    Actions also the step summary, the step outputs and the annotations, with or without the
    report files. A report that cannot be written is said in ``report_error``, and the run's
    verdict stands."""
    from evalkit.report.publish import publish_run

    try:
        published = publish_run(
            outcome.run_dir, folder, html_link=html_link, history=history, follower=follower
        )
    except OSError as err:  # the report files' own error is ``published.report_error``
        where = f" to {err.filename}" if err.filename else ""
        failed = f"GitHub's step summary or outputs could not be written{where}: {_os_error(err)}"
        return dataclasses.replace(outcome, report_error=failed)
    error = None
    if published.report_error is not None:
        reason = _os_error(published.report_error)
        error = f"the reports could not be written into {folder}: {reason}"
    return dataclasses.replace(
        outcome,
        reports=published.files,
        github_lines=published.github_lines,
        report_error=error,
    )


def _os_error(err: OSError) -> str:
    return err.strerror or str(err)
