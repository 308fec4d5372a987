"""``RunConfig``: everything a caller decides about a run, made once and read by every layer.

The CLI builds it from ``evalkit run``'s options (each option's name is the field's name);
a Python caller builds it by hand. Nothing downstream copies or renames its fields: the
session, the orchestrator and each example read ``config.timeout_seconds`` and the rest from
this one object. What a run finds out for itself (its id, folder, labels) is ``RunIdentity``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit.errors import ConfigError
from evalkit.runner.gates import GateConfig
from evalkit.runner.git_tree import ref_problem
from evalkit.runner.health import DEFAULT_DOWN_AFTER_SECONDS
from evalkit.runner.jobs import Selection
from evalkit.runner.repeats import MAX_TIMES, PassRule

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 512
DEFAULT_TIMEOUT_SECONDS = 600.0
MAX_TIMEOUT_SECONDS = 86_400.0
MAX_RETRIES = 10
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class RunConfig:
    """Every option of ``evalkit run``, one field each, under the option's name (``--timeout``
    is ``timeout_seconds``); each field's comment in the source says what it does, and
    ``evalkit run --help`` the same for the options. Paths may be given as text; every value
    is checked when the config is made (``ConfigError`` names the field)."""

    #: which examples run (``--only``, ``--example``, ``--tag``, ``--shard``)
    selection: Selection = field(default_factory=Selection)
    #: run only the suites that changed since this git ref's merge base with HEAD (working
    #: tree included), and examples tagged ``always`` (``--changed-since``; runner.changed)
    changed_since: str | None = None
    #: most executions in flight; lowered on 429 by the limiter, which starts here
    concurrency: int = DEFAULT_CONCURRENCY
    #: seconds per example, from its start; then its execution is cancelled
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    #: more attempts for an example that does not pass (a later pass is flaky)
    retries: int = 0
    #: write each verdict onto its execution as feedback
    feedback: bool = True
    #: read judge agents' judgements kept from earlier runs (``--no-judge-cache``: run every
    #: judge again; the new judgements are still kept)
    judge_cache: bool = True
    #: add the labelled examples of the judges the selection uses (``--no-calibration``: run
    #: the selection alone; the reports then say the judges were not measured)
    calibration: bool = True
    #: sync the agents first; None: yes on the local platform, no on a remote one
    sync: bool | None = None
    #: without sync: run agents that differ from the manifest as they are (else refuse)
    allow_drift: bool = False
    #: run on this manifest environment's copies of the agents
    environment: str | None = None
    #: attempts of every example (``--repeat``); None: the manifest's ``repeat``, else 1
    repeat: int | None = None
    #: what k passes of n make (``--pass-if``); None: the manifest's, else ``all``
    pass_if: PassRule | None = None
    #: start with one attempt, add more only while an example's change from the baseline is
    #: undecided (``--confirm``), up to ``repeat`` (or the manifest's adaptive max, or 8)
    confirm: bool = False
    #: most executions in the whole run, for ``confirm``'s added attempts (None: no cap)
    max_executions: int | None = None
    #: of every interval and test (pass rates, scores, regressions); None: the manifest's
    #: ``gates.confidence``, else ``DEFAULT_CONFIDENCE`` (read ``confidence_level``)
    confidence: float | None = None
    #: gates set here replace the manifest's (the CLI's --min-pass-rate and the rest)
    gates: GateConfig = field(default_factory=GateConfig)
    #: a previous summary.json: examples that passed there and not now regress
    baseline: Path | None = None
    #: a previous run's id (its platform batch): the baseline rebuilt from its executions and
    #: the feedback evalkit wrote on them, for a team without the summary.json at hand
    baseline_batch: str | None = None
    #: folder for results.jsonl, summary.json and output files (None: .evalkit/runs/<run id>)
    out: Path | None = None
    #: write the HTML, JUnit and Markdown reports
    report: bool = True
    #: folder for the reports (None: .evalkit/reports/<run id>)
    report_dir: Path | None = None
    #: where the Markdown summary links to the HTML report (None: report.html beside it)
    html_link: str | None = None
    #: a folder of earlier runs' summaries (any depth): the HTML report draws each agent's trend
    history: Path | None = None
    #: then accept the outputs of the examples that did not pass as their expected outputs,
    #: as ``evalkit.accept`` does (``--update``; ``RunOutcome.accepted``): once the run ended,
    #: its gates passed or not; ``RunHooks.confirm_accept`` sees the change first
    update: bool = False
    #: with ``update``: accept even when ``CI`` is set (else refused before the run starts)
    force: bool = False
    #: seconds the platform may hold a run request open before the runner polls
    hold_seconds: int = 30
    #: starts of one example tried before it is an error
    max_start_attempts: int = 5
    #: nothing answered for this long while calls fail: the platform is down (runner.health)
    down_after_seconds: float = DEFAULT_DOWN_AFTER_SECONDS

    def __post_init__(self) -> None:
        self._check_types()
        _check(
            1 <= self.concurrency <= MAX_CONCURRENCY,
            "concurrency",
            self.concurrency,
            f"1 to {MAX_CONCURRENCY}",
        )
        _check(
            0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS,
            "timeout_seconds",
            self.timeout_seconds,
            f"more than 0 and at most {MAX_TIMEOUT_SECONDS:g}",
        )
        _check(0 <= self.retries <= MAX_RETRIES, "retries", self.retries, f"0 to {MAX_RETRIES}")
        _check(self.hold_seconds >= 0, "hold_seconds", self.hold_seconds, "0 or more")
        _check(
            self.max_start_attempts >= 1, "max_start_attempts", self.max_start_attempts, "1 or more"
        )
        _check(
            self.down_after_seconds > 0,
            "down_after_seconds",
            self.down_after_seconds,
            "more than 0",
        )
        self._check_repeats()
        self._check_combinations()

    def _check_combinations(self) -> None:
        """Options that only mean something beside another: alone they were ignored."""
        if self.force and not self.update:
            raise ConfigError(
                "force lets --update accept in CI: give --update too, or leave --force out"
            )
        if not self.report and (self.report_dir is not None or self.history is not None):
            given = "--report-dir" if self.report_dir is not None else "--history"
            raise ConfigError(
                f"{given} is for the reports, which --no-report leaves out: drop one of them"
            )

    def _check_types(self) -> None:
        for name in ("baseline", "out", "report_dir", "history"):
            value = getattr(self, name)
            if isinstance(value, str):  # frozen: the one place a field is set after init
                object.__setattr__(self, name, Path(value))
            elif value is not None and not isinstance(value, Path):
                _wrong_type(name, value, "a path (str or pathlib.Path)")
        problem = None if self.changed_since is None else ref_problem(self.changed_since)
        if problem is not None:
            raise ConfigError(problem)
        if isinstance(self.pass_if, str):
            object.__setattr__(self, "pass_if", PassRule.parse(self.pass_if))
        expected: dict[str, tuple[type | tuple[type, ...], str]] = {
            "selection": (Selection, "an evalkit.Selection"),
            "gates": (GateConfig, "an evalkit.GateConfig"),
            "pass_if": ((PassRule, type(None)), "an evalkit.PassRule, a rule text or None"),
            "concurrency": (int, "a whole number"),
            "retries": (int, "a whole number"),
            "timeout_seconds": ((int, float), "a number of seconds"),
        }
        for name, (kinds, what) in expected.items():
            value = getattr(self, name)
            if not isinstance(value, kinds) or isinstance(value, bool):
                _wrong_type(name, value, what)

    @property
    def confidence_level(self) -> float:
        return self.confidence if self.confidence is not None else DEFAULT_CONFIDENCE

    def _check_repeats(self) -> None:
        if self.repeat is not None:
            _check(1 <= self.repeat <= MAX_TIMES, "repeat", self.repeat, f"1 to {MAX_TIMES}")
        if self.max_executions is not None:
            _check(self.max_executions >= 1, "max_executions", self.max_executions, "1 or more")
        if self.confidence is not None:
            _check(
                0.5 <= self.confidence < 1, "confidence", self.confidence, "0.5 or more, below 1"
            )
        if self.retries and ((self.repeat or 1) > 1 or self.confirm):
            raise ConfigError(
                "retries and repeat do not mix: retries reruns a failure until it passes, which "
                "hides the pass rate repeat measures; use repeat (with pass_if any) instead"
            )
        if self.max_executions is not None and not self.confirm:
            raise ConfigError(
                "max_executions caps the attempts --confirm adds: give --confirm too, or leave "
                "--max-executions out"
            )
        if self.baseline is not None and self.baseline_batch is not None:
            raise ConfigError(
                "one baseline: give --baseline (a summary.json) or --baseline-batch (a run id)"
            )
        if self.confirm and self.baseline is None and self.baseline_batch is None:
            raise ConfigError(
                "confirm adds attempts where an example differs from its baseline: give a "
                "baseline (--baseline summary.json or --baseline-batch RUN_ID)"
            )


def _wrong_type(name: str, value: object, what: str) -> None:
    raise ConfigError(f"RunConfig.{name} is {value!r} ({type(value).__name__}): give {what}")


def _check(ok: bool, name: str, value: object, allowed: str) -> None:
    if not ok:
        raise ConfigError(f"RunConfig.{name} is {value!r}: it must be {allowed}")


@dataclass(frozen=True)
class RunIdentity:
    """What a run is called and where its files go, fixed before the first example starts."""

    run_id: str
    run_dir: Path
    #: extra ``_metadata`` on every agent run (manifest digest, git commit)
    labels: dict[str, str] = field(default_factory=dict)
