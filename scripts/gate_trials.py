"""How often the regression gates raise a false alarm, and how often they miss a real drop.

``python -m scripts.gate_trials`` runs many seeded trials of the ``noisy`` builtin agent (an
echo that is wrong with a seeded probability, per example through ``_wrongRate``: see
docs/agent-runtime.md) on the local platform, through ``evalkit.run`` as a user's run would go.

One trial: a baseline run (``repeat`` attempts of every example), then against it a current
run with fixed repeats and one ``--confirm`` run per adaptive maximum. Each run has a seed of
its own, so every run draws afresh (the platform's count of an input's runs goes on within
this process, so the seed, not the count, is what makes runs independent).

- **no change**: the current runs have the baseline's wrong rates; only the seed differs. A
  **false alarm** is a run whose delta is called a regression, or that has an example the
  exact test confirms as a regression, or whose ``max_regressions: 0`` or
  ``min_pass_rate_delta: 0`` gate fails.
- **regression**: every third example's wrong rate is raised by ``raise_by`` (at most 1). A
  **miss** is a run whose delta is not called a regression.

The baseline wrong rates are spread evenly from 0 to ``max_wrong_rate``. The table gives, per
mode (fixed, confirm up to M) and case, the rates and the executions the current runs used;
``--json`` writes every trial as well.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

import evalkit
from evalkit.exit_codes import ExitCode
from evalkit.runner.gates import GateConfig
from evalkit.runner.results import ExampleChange
from evalkit.stats import fisher_exact

Case = Literal["no change", "regression"]
CASES: tuple[Case, ...] = ("no change", "regression")
FIXED = "fixed"
#: the gates every current run is judged by
GATES = GateConfig(max_regressions=0, min_pass_rate_delta=0.0)
AGENT = "coin"


@dataclass(frozen=True)
class TrialSetup:
    examples: int = 30
    #: baseline wrong rates run evenly from 0 to this
    max_wrong_rate: float = 0.3
    #: attempts per example in the baseline and in the fixed current run
    repeat: int = 5
    #: every ``raise_every``-th example is the one that regresses
    raise_every: int = 3
    raise_by: float = 0.4
    #: one ``--confirm`` run per value, each up to that many attempts per example
    confirm_max: tuple[int, ...] = (8,)
    confidence: float = 0.95
    concurrency: int = 16

    def __post_init__(self) -> None:
        problems = [
            f"{name} is {value!r}: it must be {allowed}"
            for name, value, ok, allowed in (
                ("examples", self.examples, self.examples >= 1, "1 or more"),
                ("max_wrong_rate", self.max_wrong_rate, 0 <= self.max_wrong_rate <= 1, "0 to 1"),
                ("repeat", self.repeat, 1 <= self.repeat <= 100, "1 to 100"),
                ("raise_every", self.raise_every, self.raise_every >= 1, "1 or more"),
                ("raise_by", self.raise_by, 0 <= self.raise_by <= 1, "0 to 1"),
                (
                    "confirm_max",
                    self.confirm_max,
                    all(1 <= most <= 100 for most in self.confirm_max),
                    "values from 1 to 100",
                ),
                ("confidence", self.confidence, 0.5 <= self.confidence < 1, "0.5 or more, below 1"),
            )
            if not ok
        ]
        if problems:
            raise ValueError("; ".join(problems))

    def baseline_rates(self) -> list[float]:
        if self.examples == 1:
            return [0.0]
        return [
            round(self.max_wrong_rate * index / (self.examples - 1), 6)
            for index in range(self.examples)
        ]

    def raised(self) -> list[bool]:
        return [index % self.raise_every == 0 for index in range(self.examples)]

    def rates(self, case: Case) -> list[float]:
        if case == "no change":
            return self.baseline_rates()
        return [
            min(1.0, round(rate + self.raise_by, 6)) if raised else rate
            for rate, raised in zip(self.baseline_rates(), self.raised(), strict=True)
        ]

    def modes(self) -> list[str]:
        return [FIXED, *(confirm_mode(most) for most in self.confirm_max)]


def confirm_mode(most: int) -> str:
    return f"confirm ≤{most}"


@dataclass(frozen=True)
class Measure:
    """One current run against its baseline."""

    case: Case
    trial: int
    mode: str
    seed: int
    delta_verdict: str
    pass_rate_delta: float
    interval: tuple[float, float]
    #: examples the exact test confirms as regressions, and how many of them truly regressed
    confirmed: int
    confirmed_true: int
    #: of the confirmed, those only the scores' Welch test separates (Fisher's p is not < alpha)
    confirmed_by_scores: int
    failed_gates: tuple[str, ...]
    executions: int
    #: what the run's summary says every example at its most attempts would have used
    fixed_executions: int | None

    @property
    def false_alarm(self) -> bool:
        return self.delta_verdict == "regression" or self.confirmed > 0 or bool(self.failed_gates)

    @property
    def missed(self) -> bool:
        return self.delta_verdict != "regression"


@dataclass(frozen=True)
class Row:
    """One mode and case over its trials."""

    mode: str
    case: Case
    trials: int
    #: no change: share of false alarms (and of each kind); regression: share of misses
    rate: float
    delta_called_regression: float
    any_confirmed: float
    any_confirmed_by_scores: float
    gates_failed: float
    mean_executions: float
    mean_confirmed_true: float
    mean_interval_width: float


@dataclass
class Report:
    setup: TrialSetup
    measures: list[Measure] = field(default_factory=list)
    baseline_executions: int = 0
    seconds: float = 0.0

    def rows(self) -> list[Row]:
        rows = []
        for case in CASES:
            for mode in self.setup.modes():
                chosen = [m for m in self.measures if m.case == case and m.mode == mode]
                if chosen:
                    rows.append(_row(mode, case, chosen))
        return rows

    def savings(self) -> dict[str, float]:
        """Per confirm mode: the share of the fixed run's executions it did not use."""
        means = {(row.mode, row.case): row.mean_executions for row in self.rows()}
        fixed = _mean([means[(FIXED, case)] for case in CASES if (FIXED, case) in means])
        saved = {}
        for most in self.setup.confirm_max:
            mode = confirm_mode(most)
            used = [means[(mode, case)] for case in CASES if (mode, case) in means]
            if used and fixed:
                saved[mode] = 1 - _mean(used) / fixed
        return saved

    def as_json(self) -> dict[str, Any]:
        return {
            "setup": asdict(self.setup),
            "baseline_rates": self.setup.baseline_rates(),
            "machine": machine(),
            "seconds": round(self.seconds, 1),
            "baseline_executions": self.baseline_executions,
            "rows": [asdict(row) for row in self.rows()],
            "savings": self.savings(),
            "trials": [
                {
                    **asdict(m),
                    **(
                        {"false_alarm": m.false_alarm}
                        if m.case == "no change"
                        else {"missed": m.missed}
                    ),
                }
                for m in self.measures
            ],
        }


def _row(mode: str, case: Case, measures: Sequence[Measure]) -> Row:
    def share(flags: Sequence[bool]) -> float:
        return sum(flags) / len(flags)

    bad = [m.false_alarm if case == "no change" else m.missed for m in measures]
    return Row(
        mode=mode,
        case=case,
        trials=len(measures),
        rate=share(bad),
        delta_called_regression=share([m.delta_verdict == "regression" for m in measures]),
        any_confirmed=share([m.confirmed > 0 for m in measures]),
        any_confirmed_by_scores=share([m.confirmed_by_scores > 0 for m in measures]),
        gates_failed=share([bool(m.failed_gates) for m in measures]),
        mean_executions=_mean([m.executions for m in measures]),
        mean_confirmed_true=_mean([m.confirmed_true for m in measures]),
        mean_interval_width=_mean([m.interval[1] - m.interval[0] for m in measures]),
    )


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def write_project(folder: Path, rates: Sequence[float], seed: int) -> Path:
    """The manifest: one noisy agent, example i echoes {"n": i} and is wrong with rates[i]."""
    examples = [
        {
            "name": f"e{index:03d}",
            "input": {"n": index, "_wrongRate": rate},
            "expected": {"n": index},
        }
        for index, rate in enumerate(rates)
    ]
    agent = {
        "slug": AGENT,
        "config": {"runtime": {"builtin": "noisy", "wrongRate": 0.0, "seed": seed}},
        "examples": examples,
    }
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "evalkit.yaml"
    manifest.write_text(yaml.safe_dump({"version": 1, "agents": [agent]}), encoding="utf-8")
    return manifest


def _run(
    folder: Path, rates: Sequence[float], seed: int, out: Path, setup: TrialSetup, **options: Any
) -> evalkit.RunOutcome:
    config = evalkit.RunConfig(
        out=out,
        report=False,
        concurrency=setup.concurrency,
        confidence=setup.confidence,
        **options,
    )
    outcome = evalkit.run(
        write_project(folder, rates, seed), config, connection=evalkit.Connection()
    )
    if outcome.exit_code == ExitCode.INTERRUPTED:
        # Ctrl-C or SIGTERM stopped the run: stop the trials too
        raise SystemExit(ExitCode.INTERRUPTED)
    if outcome.exit_code not in (ExitCode.OK, ExitCode.FAILURE):
        summary = outcome.summary
        raise RuntimeError(f"the run in {out} ended {summary.status}: {summary.outcome}")
    return outcome


def run_trial(case: Case, trial: int, seed: int, setup: TrialSetup, folder: Path) -> list[Measure]:
    """A baseline, then each mode's current run against it; seeds ``seed``, ``seed + 1``, ..."""
    project = folder / "project"
    _run(project, setup.baseline_rates(), seed, folder / "baseline", setup, repeat=setup.repeat)
    summary = folder / "baseline" / "summary.json"
    raised = {f"e{index:03d}" for index, up in enumerate(setup.raised()) if up}
    if case == "no change":
        raised = set()
    options: list[tuple[str, dict[str, Any]]] = [(FIXED, {"repeat": setup.repeat})]
    options += [
        (confirm_mode(most), {"repeat": most, "confirm": True}) for most in setup.confirm_max
    ]
    measures = []
    for offset, (mode, extra) in enumerate(options, start=1):
        outcome = _run(
            project,
            setup.rates(case),
            seed + offset,
            folder / f"current-{offset}",
            setup,
            baseline=summary,
            gates=GATES,
            **extra,
        )
        measures.append(_measure(case, trial, mode, seed + offset, outcome, raised))
    return measures


def _measure(
    case: Case, trial: int, mode: str, seed: int, outcome: evalkit.RunOutcome, raised: set[str]
) -> Measure:
    summary = outcome.summary
    delta = summary.deltas[0]
    significant = [c for c in summary.changes if c.change == "regression" and c.significant]
    confirmed = {change.example for change in significant}
    alpha = 1 - (summary.deltas[0].confidence if summary.deltas else 0.95)
    by_scores = [change for change in significant if _fisher_p(change) >= alpha]
    return Measure(
        case=case,
        trial=trial,
        mode=mode,
        seed=seed,
        delta_verdict=delta.verdict,
        pass_rate_delta=round(delta.pass_rate_delta, 6),
        interval=(round(delta.pass_rate_interval[0], 6), round(delta.pass_rate_interval[1], 6)),
        confirmed=len(confirmed),
        confirmed_true=len(confirmed & raised),
        confirmed_by_scores=len(by_scores),
        failed_gates=tuple(gate.name for gate in summary.gates if not gate.passed),
        executions=summary.executions or 0,
        fixed_executions=summary.fixed_executions,
    )


def _fisher_p(change: ExampleChange) -> float:
    before, after = change.passes_before or [0, 0], change.passes_after or [0, 0]
    return fisher_exact(before[0], before[1], after[0], after[1])


def run_trials(
    no_change: int,
    regression: int,
    setup: TrialSetup,
    *,
    seed: int = 1,
    workdir: Path | None = None,
    progress: bool = False,
) -> Report:
    """``no_change`` + ``regression`` trials; each trial's runs take seeds of their own."""
    report = Report(setup)
    started = time.perf_counter()
    stride = 1 + len(setup.confirm_max) + 1
    with tempfile.TemporaryDirectory(prefix="gate-trials-", dir=workdir) as scratch:
        for case_index, (case, count) in enumerate(
            zip(CASES, (no_change, regression), strict=True)
        ):
            for trial in range(count):
                folder = Path(scratch) / f"{case_index}-{trial}"
                first = seed * 1_000_000 + (case_index * 100_000 + trial) * stride
                report.measures += run_trial(case, trial, first, setup, folder)
                report.baseline_executions += setup.examples * setup.repeat
                shutil.rmtree(folder, ignore_errors=True)
                if progress:
                    sys.stderr.write(f"  {case} trial {trial + 1}/{count} done\n")
    report.seconds = time.perf_counter() - started
    return report


def render(report: Report) -> str:
    setup = report.setup
    lines = [
        f"{setup.examples} examples, baseline wrong rates 0 to {setup.max_wrong_rate:g}, "
        f"repeat {setup.repeat}; regression: every {_ordinal(setup.raise_every)} example "
        f"+{setup.raise_by:g} (at most 1); confidence {setup.confidence:g}; gates "
        "max_regressions 0, min_pass_rate_delta 0",
        "",
        f"{'mode':<11} {'case':<10} {'trials':>6} {'false alarm / miss':>18} "
        f"{'delta=regr':>10} {'any confirmed':>13} {'by scores':>9} {'gate failed':>11} "
        f"{'executions':>10} "
        f"{'true found':>10} {'CI width':>8}",
    ]
    for row in report.rows():
        label = "false alarm" if row.case == "no change" else "miss"
        lines.append(
            f"{row.mode:<11} {row.case:<10} {row.trials:>6} {f'{label} {row.rate:.1%}':>18} "
            f"{row.delta_called_regression:>10.1%} {row.any_confirmed:>13.1%} "
            f"{row.any_confirmed_by_scores:>9.1%} {row.gates_failed:>11.1%} "
            f"{row.mean_executions:>10.1f} "
            f"{row.mean_confirmed_true:>10.2f} {row.mean_interval_width * 100:>7.1f}p"
        )
    lines += [
        "",
        "delta=regr: the run's pass-rate delta is called a regression; any confirmed: an example "
        "the exact test confirms as a regression; by scores: one only Welch's test on the scores "
        "confirms; gate failed: max_regressions or min_pass_rate_delta; executions: the current "
        "run's (mean); true found: confirmed regressions among the raised examples (mean); CI "
        "width: the pass-rate delta's interval, in points",
    ]
    for mode, saved in report.savings().items():
        lines.append(f"{mode}: {saved:.0%} fewer executions than fixed repeat {setup.repeat}")
    info = machine()
    lines.append(
        f"{len(report.measures)} current runs, {report.baseline_executions} baseline executions, "
        f"{report.seconds:.0f} s on {info['cpus']} CPUs ({info['system']}, Python "
        f"{info['python']})"
    )
    return "\n".join(lines)


def _ordinal(number: int) -> str:
    return {1: "", 2: "2nd", 3: "3rd"}.get(number, f"{number}th")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.gate_trials",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    defaults = TrialSetup()
    parser.add_argument("--no-change", type=int, default=40, help="no-change trials (40)")
    parser.add_argument("--regression", type=int, default=40, help="regression trials (40)")
    parser.add_argument("--examples", type=int, default=defaults.examples)
    parser.add_argument("--repeat", type=int, default=defaults.repeat)
    parser.add_argument("--max-wrong-rate", type=float, default=defaults.max_wrong_rate)
    parser.add_argument("--raise-by", type=float, default=defaults.raise_by)
    parser.add_argument("--raise-every", type=int, default=defaults.raise_every)
    parser.add_argument(
        "--confirm-max",
        type=int,
        nargs="*",
        default=list(defaults.confirm_max),
        help="one --confirm run per value, up to that many attempts (8)",
    )
    parser.add_argument("--confidence", type=float, default=defaults.confidence)
    parser.add_argument("--seed", type=int, default=1, help="picks every run's seed (1)")
    parser.add_argument("--json", type=Path, default=None, help="write the trials here")
    args = parser.parse_args(argv)
    if args.no_change < 0 or args.regression < 0:
        parser.error("--no-change and --regression count trials: 0 or more")
    try:
        setup = TrialSetup(
            examples=args.examples,
            max_wrong_rate=args.max_wrong_rate,
            repeat=args.repeat,
            raise_every=args.raise_every,
            raise_by=args.raise_by,
            confirm_max=tuple(args.confirm_max),
            confidence=args.confidence,
        )
    except ValueError as err:
        parser.error(str(err))
    report = run_trials(args.no_change, args.regression, setup, seed=args.seed, progress=True)
    sys.stdout.write(render(report) + "\n")
    if args.json is not None:
        args.json.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
        sys.stdout.write(f"trials written to {args.json}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
