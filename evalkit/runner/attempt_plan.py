"""How many attempts each example gets: its repeat policy, and with ``--confirm`` the evidence.

A fixed policy (``repeat: N``) starts N attempts at once. An adaptive one (``--confirm``)
starts one; when an example's attempts have ended, ``more`` says whether to add one: only
while the example disagrees with its baseline and the exact test has not decided yet whether
that is a real change or noise (``evalkit.stats.outcome_decided``), within the example's most
attempts and the run's ``--max-executions``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evalkit.errors import ConfigError
from evalkit.runner.config import RunConfig
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.repeats import DEFAULT_ADAPTIVE_MAX, RepeatPolicy
from evalkit.runner.results import ExampleResult, RunSummary, Verdict
from evalkit.stats import outcome_decided

#: (kind, suite, example) -> (passes, trials) in the baseline
BaselineCounts = Mapping[tuple[str, str, str], tuple[int, int]]


@dataclass
class AttemptPlan:
    #: the policy of each example
    policy_of: Mapping[tuple[str, str, str], RepeatPolicy]
    baseline: BaselineCounts = field(default_factory=dict)
    #: most executions in the whole run (``--max-executions``); None: no cap
    budget: int | None = None
    alpha: float = 0.05
    #: executions started so far
    used: int = 0
    #: examples still disagreeing with their baseline, undecided, when the budget ran out
    undecided: set[tuple[str, str, str]] = field(default_factory=set)

    def policy(self, job: ExampleJob) -> RepeatPolicy:
        return self.policy_of.get(job.key, RepeatPolicy())

    def first(self, job: ExampleJob) -> int:
        """Attempts to start for ``job`` now (always at least one: no example is skipped)."""
        count = self.policy(job).first_attempts
        self.used += count
        return count

    def more(self, job: ExampleJob, done: Sequence[ExampleResult]) -> int:
        """Attempts to add once every started attempt of ``job`` has ended: 0 when settled."""
        policy = self.policy(job)
        if policy.adaptive_max is None or len(done) >= policy.adaptive_max:
            return 0
        if any(attempt.verdict is Verdict.ERROR for attempt in done):
            return 0  # an error is not evidence either way: rerunning it tells nothing
        base = self.baseline.get(job.key)
        if base is None:
            return 0  # a new example: nothing to confirm against
        passes = sum(1 for attempt in done if attempt.verdict is Verdict.PASS)
        if _agrees(base, passes, len(done)):
            return 0
        # Tested after every attempt: each look spends a share of alpha (Bonferroni), so that
        # checking often does not find more regressions than the confidence allows.
        alpha = self.alpha / policy.adaptive_max
        if outcome_decided(
            base[0], base[1], passes, len(done), max_trials=policy.adaptive_max, alpha=alpha
        ):
            return 0
        if self.budget is not None and self.used >= self.budget:
            self.undecided.add(job.key)  # said in the summary, and counted if it fell
            return 0
        self.used += 1
        return 1


def _agrees(base: tuple[int, int], passes: int, trials: int) -> bool:
    """Every attempt so far has the outcome the baseline mostly had."""
    base_passes, base_trials = base
    mostly_passed = base_trials > 0 and base_passes * 2 >= base_trials
    return passes == trials if mostly_passed else passes == 0


def plan_for(
    jobs: Sequence[ExampleJob], config: RunConfig, baseline: RunSummary | None
) -> AttemptPlan:
    """Each job's policy (the options over the manifest's ``repeat``) and the baseline's
    pass counts, which ``--confirm`` weighs."""
    policies = {job.key: policy_for(job, config) for job in jobs}
    counts: dict[tuple[str, str, str], tuple[int, int]] = (
        {(brief.kind, brief.agent, brief.example): brief.pass_count for brief in baseline.examples}
        if baseline is not None
        else {}
    )
    return AttemptPlan(
        policy_of=policies,
        baseline=counts,
        budget=config.max_executions,
        alpha=1 - config.confidence_level,
    )


def policy_for(job: ExampleJob, config: RunConfig) -> RepeatPolicy:
    """``--repeat``, ``--pass-if`` and ``--confirm`` over the manifest's ``repeat``."""
    declared = job.repeat or RepeatPolicy()
    times = config.repeat or declared.times
    adaptive = declared.adaptive_max
    if config.confirm:
        adaptive = config.repeat or adaptive or (times if times > 1 else DEFAULT_ADAPTIVE_MAX)
    policy = RepeatPolicy(
        times=times, pass_if=config.pass_if or declared.pass_if, adaptive_max=adaptive
    )
    where = f" (its example is declared at {job.mark})" if job.mark else ""
    if config.retries and policy.repeated:
        raise ConfigError(
            f"{job.label} repeats{where}, and retries and repeat do not mix: retries reruns a "
            "failure until it passes, which hides the pass rate repeat measures; drop "
            "--retries, or use repeat with pass_if any"
        )
    rule = policy.pass_if
    if rule.kind == "at_least" and rule.value > policy.most_attempts:
        raise ConfigError(_never_passes(job, config, policy))
    return policy


def _never_passes(job: ExampleJob, config: RunConfig, policy: RepeatPolicy) -> str:
    """Why ``policy`` can never pass, naming the options that made it so (a manifest's own
    ``repeat:`` that cannot pass is refused where it is written, when the manifest loads)."""
    rule, most = policy.pass_if, policy.most_attempts
    needed = int(rule.value)
    declared = job.repeat or RepeatPolicy()
    if config.repeat is not None:
        attempts = f"--repeat {config.repeat}"
    elif config.confirm and declared.adaptive_max is None and declared.times == 1:
        attempts = f"--confirm ({most} attempts at most without --repeat)"
    else:
        attempts = f"the {most} attempt(s) the manifest gives {job.label}"
    if config.pass_if is not None:
        return (
            f"--pass-if '{rule}' can never pass with {attempts}: give --repeat {needed} or "
            "more, or a lower K"
        )
    where = f" (its example is declared at {job.mark})" if job.mark else ""
    if config.repeat is not None or config.confirm:
        return (
            f"{job.label}: {attempts} can never meet the manifest's pass_if {rule}{where}: "
            f"give --repeat {needed} or more, or --pass-if with a lower K"
        )
    return (
        f"{job.label}: pass_if {rule} can never pass with {most} attempt(s){where}: repeat "
        f"it at least {needed} times, or lower K"
    )
