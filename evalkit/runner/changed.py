"""``--changed-since REF``: which agents and workflows a change touches, from git.

The change is what differs between the merge base of REF and HEAD (where the branch left
REF, as a pull request's diff) and the working tree: commits, staged and unstaged edits and
untracked files alike (``runner.git_tree``). A suite (an agent, or a workflow suite) has
changed when one of these paths is

- a file of its workspace folder (its excludes applied), or of one of its examples (a folder
  example's folder, the folder holding folder examples, an inline example's files);
- a file its compare rules name: a ``json_schema`` file, or any ``.py`` file in the folder of
  a ``python`` scorer (the scorer imports its neighbours); a suite whose rules use a ``judge``
  agent that changed has changed too;
- for workflow suites, a file of ``local_platform.workflows``; and any agent of the manifest
  that changed, since a workflow's steps may call it;
- a manifest file (the root or an include). Then each suite's resolved declaration at the
  merge base is compared with today's (``runner.declarations``): a suite runs only when its
  own declaration differs, so a new default reaches exactly the suites it reaches, and a
  comment edit reaches none.

Examples tagged ``always`` run whatever changed. What cannot be decided safely is either an
error (REF unknown, not a git checkout: ``GitError``, exit 2, with the fix) or runs every
suite with the reason recorded (the manifest cannot be loaded at REF).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.compare.judges import judge_agents
from evalkit.compare.rules import CompareSpec, every_rule
from evalkit.manifest import AgentSpec, ExampleSpec, Manifest, WorkflowSpec
from evalkit.runner.calibration import is_labelled
from evalkit.runner.declarations import SuiteKey, declaration_changes, suites_of
from evalkit.runner.from_manifest import suite_name
from evalkit.runner.git_tree import GitError, Repository, ref_problem
from evalkit.runner.jobs import ALWAYS_TAG, ExampleJob
from evalkit.runner.results import ChangeSelection, SuiteChange


@dataclass(frozen=True)
class ChangedSuites:
    """The suites that changed since ``since``, each with what changed."""

    since: str
    #: the commit compared with (the merge base, else REF's commit)
    base: str
    changed: dict[SuiteKey, list[str]] = field(default_factory=dict)
    #: why every suite runs instead (None: the selection holds)
    everything: str | None = None
    #: what the user should know (no merge base: REF itself was compared)
    warnings: tuple[str, ...] = ()
    #: judge agents that changed suites use: their labelled examples run to calibrate them
    calibrated: frozenset[str] = frozenset()

    def keeps(self, job: ExampleJob) -> bool:
        return (
            self.everything is not None
            or (job.kind, job.suite) in self.changed
            or ALWAYS_TAG in job.tags
            or self._calibrates(job)
        )

    def _calibrates(self, job: ExampleJob) -> bool:
        return job.suite in self.calibrated and is_labelled(job)

    def apply(self, jobs: Sequence[ExampleJob]) -> tuple[list[ExampleJob], ChangeSelection]:
        """The jobs to run, and the record of what ran and what was skipped and why, over
        the suites of ``jobs`` (those the other options selected)."""
        # per suite, in manifest order: [tagged always run, calibration run, left out]
        tally: dict[SuiteKey, list[int]] = {}
        kept: list[ExampleJob] = []
        for job in jobs:
            counts = tally.setdefault((job.kind, job.suite), [0, 0, 0])
            if self.keeps(job):
                kept.append(job)
                counts[1 if self._calibrates(job) and ALWAYS_TAG not in job.tags else 0] += 1
            else:
                counts[2] += 1
        record = ChangeSelection(
            since=self.since,
            base=self.base,
            everything=self.everything,
            warnings=list(self.warnings),
        )
        for (kind, suite), (ran, calibrating, left_out) in tally.items():
            if self.everything is None and (kind, suite) in self.changed:
                record.changed.append(_suite(kind, suite, self.changed[(kind, suite)]))
            elif left_out:
                reasons = [f"unchanged since {self.since}"]
                if ran:
                    reasons.append(f"ran its {ran} example(s) tagged {ALWAYS_TAG}")
                if calibrating:
                    reasons.append(
                        f"ran its {calibrating} labelled example(s): a changed suite's judge"
                    )
                record.skipped.append(_suite(kind, suite, reasons, examples=left_out))
        return kept, record


def _suite(kind: str, suite: str, reasons: list[str], examples: int = 0) -> SuiteChange:
    return SuiteChange(
        kind="agent" if kind == "agent" else "workflow",
        suite=suite,
        reasons=reasons,
        examples=examples,
    )


def changed_suites(
    manifest: Manifest,
    since: str,
    *,
    environment: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ChangedSuites:
    """The suites of ``manifest`` (loaded, with ``environment`` applied when given) that
    changed since ``since``. ``env``: the variables the manifest was loaded with (default the
    process environment), used again to load it as it was. ``GitError`` when REF or the
    repository cannot be used."""
    problem = ref_problem(since)
    if problem is not None:
        raise GitError(problem)
    repo = Repository.open(manifest.path.parent)
    commit = repo.commit_of(since)
    if commit is None:
        raise GitError(_unknown_ref(since, repo))
    base = repo.merge_base(commit)
    warnings: list[str] = []
    if base is None:
        base = commit
        warnings.append(_no_merge_base(since, repo))
    paths = [repo.root / path for path in repo.changed_paths(base)]
    changed = _touched(manifest, paths)
    everything = None
    if _manifest_touched(manifest, paths):
        declared, everything = declaration_changes(manifest, repo, base, since, environment, env)
        for key, reasons in declared.items():
            changed.setdefault(key, []).extend(reasons)
    _add_dependents(manifest, changed)
    return ChangedSuites(
        since=since,
        base=base,
        changed=changed,
        everything=everything,
        warnings=tuple(warnings),
        calibrated=frozenset(_judges_of_changed(manifest, changed)),
    )


def _judges_of_changed(manifest: Manifest, changed: Mapping[SuiteKey, list[str]]) -> set[str]:
    """The judge agents the changed suites use (their calibration runs with them)."""
    return {
        judge for key, owner in suites_of(manifest) if key in changed for judge in _judges_of(owner)
    }


#: branches an unknown ref's error lists to pick from
_BRANCHES_SHOWN = 8
#: remote names a ref ``NAME/branch`` means before the clone has the remote
_USUAL_REMOTES = ("origin", "upstream")


def _unknown_ref(since: str, repo: Repository) -> str:
    """What to do about a ref git does not know: fetch it when it names a branch of a remote
    (``origin/main``, the usual case in a fresh CI clone), else pick one that exists."""
    unknown = f"--changed-since {since}: git does not know {since!r} in {repo.root}"
    shallow = repo.is_shallow()
    remote, _, branch = since.partition("/")
    remotes = repo.remotes()
    if branch and (remote in remotes or remote in _USUAL_REMOTES):
        missing = "" if remote in remotes else f" (it has no remote {remote!r} yet: git remote add)"
        return (
            f"{unknown}; fetch it first (git fetch {remote} {branch}){missing} or name a "
            "branch, tag or commit that exists."
            + (
                " This clone is shallow: fetch the base branch (in GitHub Actions, "
                "actions/checkout with fetch-depth: 0, or a step running the fetch above)."
                if shallow
                else ""
            )
        )
    branches = repo.branches()
    listed = ", ".join(branches[:_BRANCHES_SHOWN]) + (
        f" and {len(branches) - _BRANCHES_SHOWN} more" if len(branches) > _BRANCHES_SHOWN else ""
    )
    pick = f" (branches: {listed})" if branches else ""
    history = (
        " This clone is shallow: its history stops early (fetch-depth: 0 gives all of it)."
        if shallow
        else ""
    )
    return (
        f"{unknown}: name a branch, tag or commit that exists{pick}; "
        f"'git log --oneline' shows the commits.{history}"
    )


def _no_merge_base(since: str, repo: Repository) -> str:
    why = (
        "this clone is shallow and its history stops before they meet"
        if repo.is_shallow()
        else "their histories are unrelated"
    )
    return (
        f"--changed-since {since}: no merge base of {since} and HEAD ({why}); comparing with "
        f"{since} itself, so changes made on {since} since the branch started count too. "
        "Fetch more history (fetch-depth: 0) to compare like a pull request."
    )


# -- paths -> suites ---------------------------------------------------------------------


def _touched(manifest: Manifest, paths: Sequence[Path]) -> dict[SuiteKey, list[str]]:
    """What each suite's files saw change: workspace, examples, files its rules name."""
    root = manifest.project_root
    changed: dict[SuiteKey, list[str]] = {}
    for agent in manifest.agents:
        reasons = [*_workspace_reasons(agent, paths, root)]
        reasons += _example_reasons(agent.examples, agent.compare, paths, root)
        if reasons:
            changed[("agent", agent.manifest_slug)] = _unique(reasons)
    for suite in manifest.workflows:
        reasons = _example_reasons(suite.examples, suite.compare, paths, root)
        folder = manifest.local_workflows_dir
        if folder is not None:
            reasons += [
                f"workflow definition {_shown(path, root)}"
                for path in paths
                if _under(path, folder)
            ]
        if reasons:
            changed[("workflow", suite_name(suite))] = _unique(reasons)
    return changed


def _workspace_reasons(agent: AgentSpec, paths: Sequence[Path], root: Path) -> Iterator[str]:
    workspace = agent.workspace
    if workspace is None:
        return
    for path in paths:
        if not _under(path, workspace.path) or any(
            _under(path, folder) for folder in workspace.example_folders
        ):
            continue
        if not workspace.is_excluded(path.relative_to(workspace.path).as_posix()):
            yield f"workspace file {_shown(path, root)}"


def _example_reasons(
    examples: Sequence[ExampleSpec], compare: CompareSpec, paths: Sequence[Path], root: Path
) -> list[str]:
    # indexed once: a dataset of thousands of examples against a diff of hundreds of paths
    owners: dict[Path, list[str]] = {}
    for example in examples:
        places = [*example.input_files.values(), *example.expected_files.values()]
        for place in [example.folder, *places] if example.folder else places:
            owners.setdefault(place, []).append(example.name)
    holders = {example.folder.parent for example in examples if example.folder is not None}
    reasons: list[str] = []
    for path in paths:
        here = [path, *path.parents]
        named = [name for place in here for name in owners.get(place, [])]
        if named:
            reasons += [f"example {name}" for name in named]
        elif any(place in holders for place in here):
            reasons.append(f"examples folder file {_shown(path, root)}")
    used = [compare, *(example.compare for example in examples)]
    references = {ref: scorer for spec in used for ref, scorer in _files_of(spec)}
    for reference, is_scorer in references.items():
        for path in paths:
            if is_scorer and _under(path, reference.parent) and path.suffix == ".py":
                reasons.append(f"python scorer file {_shown(path, root)}")
            elif not is_scorer and path == reference:
                reasons.append(f"json_schema file {_shown(path, root)}")
    return reasons


def _files_of(spec: CompareSpec) -> Iterator[tuple[Path, bool]]:
    """The files a rule set names, made absolute when the manifest was loaded: each
    ``json_schema`` file (False) and each ``python`` scorer file (True)."""
    for rule in every_rule(spec):
        if rule.json_schema is not None:
            yield Path(rule.json_schema), False
        for scorer in rule.python_scorers:
            yield Path(scorer.file), True


def _add_dependents(manifest: Manifest, changed: dict[SuiteKey, list[str]]) -> None:
    """Suites whose judge agent changed, then workflow suites when any agent changed."""
    judged = {name for kind, name in changed if kind == "agent"}
    for agent in manifest.agents:
        for judge in sorted(_judges_of(agent) & judged - {agent.manifest_slug}):
            changed.setdefault(("agent", agent.manifest_slug), []).append(
                f"judge agent {judge} changed"
            )
    agents = sorted(name for kind, name in changed if kind == "agent")
    for suite in manifest.workflows:
        reasons = [f"judge agent {judge} changed" for judge in sorted(_judges_of(suite) & judged)]
        if agents:
            reasons.append(f"agent(s) its steps may call changed: {', '.join(agents)}")
        if reasons:
            changed.setdefault(("workflow", suite_name(suite)), []).extend(reasons)


def _judges_of(owner: AgentSpec | WorkflowSpec) -> set[str]:
    return judge_agents(owner.compare, *(example.compare for example in owner.examples))


def _manifest_touched(manifest: Manifest, paths: Sequence[Path]) -> bool:
    """A manifest file changed: one of today's, or a YAML file gone since (an include that
    was deleted)."""
    sources = set(manifest.sources)
    return any(
        path in sources or (path.suffix in (".yaml", ".yml") and not path.exists())
        for path in paths
    )


# -- small helpers -----------------------------------------------------------------------


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))
