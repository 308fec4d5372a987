"""``evalkit accept``: a run's actual outputs become the expected outputs of its examples.

``plan_accept`` reads a run folder (``results.jsonl`` and the output files under it) and the
manifest as it is now, and works out, for each selected example that did not pass, the new
content of its expected files: ``expected.json`` and ``expected/`` of an example folder, or the
inline ``expected:`` in its manifest file (and the files its ``expected_files`` name).
The plan is an ``accept_plan.AcceptPlan``; ``accept`` makes it, asks ``confirm``, then writes
the files all or nothing (``accept_write``). Which run (the folder given, or the newest):
``run_folders``; the refusal in CI: ``runner.ci``.

What is accepted (``evalkit.compare.accepting``): only the paths the comparison, under the
rules in force now, finds different take the actual value; ignored paths and values within a
tolerance (or equal under the text, order, regex and scorer rules) keep their old expected
value. Files: a file that differs takes what differs (in its own text for JSON, CSV and
text files), an expected file the output lacks is removed, an output file nobody expected is
added (only when the example expects files at all).

Which examples: the selected ones (``--only``, ``--example``, ``--tag``) that failed or were
partial. A pass has nothing to change. An error or a cancelled example has no output to
accept: listed, never written. So is an example whose expected output changed since the run
(run it again first), one no longer in the manifest, and one whose attempts disagree (``repeat``:
some passed, some not: the expected output would follow one draw of a flaky agent). A labelled
example of a judge agent the manifest uses (``runner.calibration``: its expected output is
``{"passed": true|false}``) is never accepted: its expected value is a person's label, the
truth the judge is measured against, and a judge that disagrees is wrong until a person says
otherwise. A repeated
example whose attempts all failed is accepted from the attempt the result shows (the last
one with its verdict); one that expects files is not, as its attempts share one output
folder in the run. Nothing outside the selection is read for writing or written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit.compare import ABSENT, Difference
from evalkit.compare.accepting import accept_files, accept_json
from evalkit.compare.json_edit import JsonSyntax, dumped, edited_node, parse
from evalkit.manifest import ExampleSpec, Manifest, load_manifest
from evalkit.manifest.paths import display_path
from evalkit.runner.accept_plan import (
    AcceptError,
    AcceptOutcome,
    AcceptPlan,
    ExampleChange,
    NotAccepted,
)
from evalkit.runner.accept_refusals import stale_reason, why_not_accepted
from evalkit.runner.accept_write import FileWrite, write_all
from evalkit.runner.calibration import judges_used
from evalkit.runner.ci import CI_VARIABLES, refuse_in_ci
from evalkit.runner.from_manifest import jobs_from_manifest, suite_name
from evalkit.runner.inline_expected import InlineRefused, NewExpected, edit_expected
from evalkit.runner.jobs import ExampleJob, Selection, select
from evalkit.runner.results import OUTPUT_FILES_FOLDER, RESULTS_NAME, ExampleResult, Verdict
from evalkit.runner.results_file import read_results_file
from evalkit.runner.run_folders import latest_run, run_folder
from evalkit.safe_paths import UnsafePath, join_inside

__all__ = [
    "CI_VARIABLES",
    "AcceptError",
    "AcceptOutcome",
    "AcceptPlan",
    "ExampleChange",
    "NotAccepted",
    "accept",
    "latest_run",
    "plan_accept",
    "refuse_in_ci",
    "run_folder",
    "selected",
]


def accept(
    run: Path | str | None = None,
    manifest: Path | str | Manifest = "evalkit.yaml",
    selection: Selection | None = None,
    *,
    confirm: Callable[[AcceptPlan], bool] | None = None,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
) -> AcceptOutcome:
    """Accept the outputs of ``run`` (a run folder; default the latest under the manifest's
    ``.evalkit/runs/``) as the expected outputs of its selected examples that did not pass.

    ``confirm`` sees the plan before anything is written and says whether to go on (None:
    go on). Refused (``AcceptError``) when ``CI`` is set in ``environ`` (default the
    process's), unless ``force``: CI checks expected outputs, it does not rewrite them."""
    refuse_in_ci(force, environ)
    plan = plan_accept(run, manifest, selection or Selection())
    if not plan.writes:
        return AcceptOutcome(plan, written=False)
    if confirm is not None and not confirm(plan):
        return AcceptOutcome(plan, written=False, declined=True)
    write_all(plan.writes)
    return AcceptOutcome(plan, written=True)


def plan_accept(
    run: Path | str | None, manifest: Path | str | Manifest, selection: Selection
) -> AcceptPlan:
    """What accepting ``run`` would write (nothing is written here)."""
    loaded = manifest if isinstance(manifest, Manifest) else load_manifest(Path(manifest))
    folder = run_folder(run) if run is not None else latest_run(loaded.path)
    results = read_results_file(folder / RESULTS_NAME).results
    jobs = jobs_from_manifest(loaded)
    select(jobs, selection)  # an --only naming nothing in the manifest is an error
    by_key = {job.key: job for job in jobs}
    specs = _specs(loaded)
    planner = _Planner(folder, loaded, specs, judges=judges_used(jobs))
    passed = matched = 0
    for result in results:
        job = by_key.get(result.key)
        if not selection.matches(job or _job_of(result)):
            continue
        matched += 1
        if result.verdict is Verdict.PASS:
            passed += 1
            continue
        if job is None:
            planner.refuse(result, "no longer in the manifest")
            continue
        planner.consider(result, job, specs[job.key])
    if not matched and selection.as_dict():
        chosen = " ".join(
            f"--{option} {value}"
            for option, values in selection.as_dict().items()
            for value in values
        )
        raise AcceptError(
            f"no example of run {display_path(folder)} matches {chosen} "
            "(--example takes a name or agent/name, globs allowed)"
        )
    changes = planner.changes_with_inline_edits()
    return AcceptPlan(
        run_dir=folder,
        run_id=results[0].run_id if results else None,
        root=loaded.path.parent,
        changes=tuple(changes),
        unchanged=tuple(planner.unchanged),
        refused=tuple(planner.refused),
        passed=passed,
    )


def _specs(manifest: Manifest) -> dict[tuple[str, str, str], ExampleSpec]:
    specs = {}
    for agent in manifest.agents:
        for example in agent.examples:
            specs["agent", agent.manifest_slug, example.name] = example
    for suite in manifest.workflows:
        for example in suite.examples:
            specs["workflow", suite_name(suite), example.name] = example
    return specs


def _job_of(result: ExampleResult) -> ExampleJob:
    """A job standing for a result whose example left the manifest (to match a selection)."""
    return ExampleJob(
        kind=result.kind,
        platform_name=result.agent.split("@")[0],
        suite=result.agent,
        name=result.example,
        tags=tuple(result.tags),
    )


@dataclass
class _Inline:
    """The new expected JSON of an inline example, written with the others of its file."""

    change: ExampleChange
    edit: NewExpected
    path: Path


@dataclass
class _Planner:
    run_dir: Path
    manifest: Manifest
    specs: dict[tuple[str, str, str], ExampleSpec]
    #: the judge agents the manifest's rules name: their labelled examples are never accepted
    judges: set[str] = field(default_factory=set)
    changes: list[ExampleChange] = field(default_factory=list)
    inline: list[_Inline] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[NotAccepted] = field(default_factory=list)

    def refuse(self, result: ExampleResult, reason: str) -> None:
        self.refused.append(
            NotAccepted(result.kind, result.agent, result.example, result.verdict, reason)
        )

    def consider(self, result: ExampleResult, job: ExampleJob, spec: ExampleSpec) -> None:
        reason = why_not_accepted(result, job, self.judges)
        stale = reason is not None and reason == stale_reason(result, job)
        if stale and self._accepted_already(result, job, spec):
            self.unchanged.append(f"{result.agent}/{result.example}")
            return
        if reason is not None:
            self.refuse(result, reason)
            return
        try:
            self._plan(result, job, spec)
        except _Refused as refused:
            self.refuse(result, str(refused))

    def _accepted_already(self, result: ExampleResult, job: ExampleJob, spec: ExampleSpec) -> bool:
        """Whether an example whose expected output changed since the run now holds what
        accepting the run would write (an earlier accept of part of this run): nothing left."""
        probe = _Planner(self.run_dir, self.manifest, self.specs, self.judges)
        try:
            probe._plan(result, job, spec)
        except _Refused:
            return False
        return bool(probe.unchanged)

    def _plan(self, result: ExampleResult, job: ExampleJob, spec: ExampleSpec) -> None:
        writes: list[FileWrite] = []
        left: list[str] = []
        new_json: Any = None
        json_changed = False
        if job.has_expected_json:
            extra = result.model_extra or {}
            if "actual_json" not in extra:
                raise _Refused("the run kept no output JSON for it")
            old, root = self._expected_json(job, spec)
            accepted = accept_json(old, extra["actual_json"], job.compare, input=job.input_json)
            left += [difference.display() for difference in accepted.left]
            failed_then = {item.get("pointer") for item in _run_differences(result)}
            left += [
                f"{pointer or '(root)'}: a judge agent failed it in the run (accept runs no "
                "judge: its expected value stays)"
                for pointer in accepted.judged
                if pointer in failed_then
            ]
            json_changed, new_json = accepted.changed, accepted.value
            if json_changed and spec.folder is not None:
                path = spec.folder / "expected.json"
                before = path.read_bytes()
                text = before.decode("utf-8")
                after = edited_node(text, root, new_json) if root is not None else dumped(new_json)
                writes.append(FileWrite(path, before, after.encode("utf-8")))
        if job.expected_files:
            writes += self._file_writes(result, job, spec, left)
        if not writes and not json_changed:
            if left:
                raise _Refused("a rule rejects the output: " + "; ".join(left))
            self.unchanged.append(f"{result.agent}/{result.example}")
            return
        change = ExampleChange(
            kind=result.kind,
            suite=result.agent,
            example=result.example,
            verdict=result.verdict,
            writes=tuple(writes),
            differences=tuple(_differences(result)),
            left=tuple(left),
            note=_attempt_note(result),
        )
        if json_changed and spec.folder is None:
            edit = NewExpected(spec.mark, spec.name, new_json)
            self.inline.append(_Inline(change, edit, self._source_of(spec)))
        else:
            self.changes.append(change)

    def _expected_json(self, job: ExampleJob, spec: ExampleSpec) -> tuple[Any, Any]:
        """The expected JSON, read from its file's text for a folder example (so that its
        layout can be kept)."""
        if spec.folder is None:
            return job.expected_json, None
        try:
            root = parse((spec.folder / "expected.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, JsonSyntax):
            raise _Refused(
                "its expected.json cannot be read again; run 'evalkit validate'"
            ) from None
        return root.value, root

    def _file_writes(
        self, result: ExampleResult, job: ExampleJob, spec: ExampleSpec, left: list[str]
    ) -> list[FileWrite]:
        expected = {name: path.read_bytes() for name, path in job.expected_files.items()}
        accepted = accept_files(expected, self._output_files(result), job.compare.files)
        left += [f"file {compared.name}: {compared.status}" for compared in accepted.left]
        writes = []
        for change in accepted.changes:
            if change.action == "replace":
                path = job.expected_files[change.name]
                self._not_shared(path, spec)
                writes.append(FileWrite(path, expected[change.name], change.content))
            elif spec.folder is None:
                raise _Refused(
                    f"output file {change.name!r} is "
                    f"{'new' if change.action == 'add' else 'gone'}, and this inline example "
                    "lists its expected files in the manifest: change 'expected_files' by hand"
                )
            elif change.action == "remove":
                path = job.expected_files[change.name]
                writes.append(FileWrite(path, expected[change.name], None))
            else:
                try:
                    path = join_inside(spec.folder / "expected", change.name)
                except UnsafePath as err:
                    raise _Refused(f"output file {change.name!r} {err.reason}") from None
                writes.append(FileWrite(path, None, change.content))
        if (
            not job.has_expected_json
            and all(write.after is None for write in writes)
            and len(writes) == len(expected)
        ):
            raise _Refused("the output has none of its expected files: it would expect nothing")
        return writes

    def _output_files(self, result: ExampleResult) -> dict[str, bytes]:
        prefix = f"{OUTPUT_FILES_FOLDER}/{result.agent}/{result.example}/"
        files = {}
        for relative in result.output_files:
            if not relative.startswith(prefix):
                raise _Refused(f"output file {relative!r} is not where evalkit run puts it")
            try:
                path = join_inside(self.run_dir, relative)
                files[relative[len(prefix) :]] = path.read_bytes()
            except (UnsafePath, OSError) as err:
                raise _Refused(f"output file {relative!r} cannot be read: {err}") from None
        return files

    def _not_shared(self, path: Path, spec: ExampleSpec) -> None:
        """An expected file another example expects too is not rewritten for this one."""
        for other in self.specs.values():
            if other is spec:
                continue
            if any(_same_file(path, theirs) for theirs in other.expected_files.values()):
                raise _Refused(
                    f"its expected file {display_path(path)} is expected by {other.name!r} "
                    "too: give this example a file of its own"
                )

    def _source_of(self, spec: ExampleSpec) -> Path:
        for source in self.manifest.sources:
            if display_path(source) == spec.mark.file:
                return source
        raise _Refused(f"its manifest file {spec.mark.file} is not one the manifest read")

    def changes_with_inline_edits(self) -> list[ExampleChange]:
        """The changes, inline examples' included: one edit per manifest file, for all its
        examples (refused together when the file cannot be edited)."""
        changes = list(self.changes)
        by_file: dict[Path, list[_Inline]] = {}
        for item in self.inline:
            by_file.setdefault(item.path, []).append(item)
        for path, items in by_file.items():
            try:
                edit = edit_expected(path, [item.edit for item in items])
            except InlineRefused as err:
                for item in items:
                    change = item.change
                    self.refused.append(
                        NotAccepted(
                            change.kind, change.suite, change.example, change.verdict, str(err)
                        )
                    )
                continue
            write = FileWrite(path, edit.before.encode("utf-8"), edit.after.encode("utf-8"))
            first, *others = items
            changes.append(_with_write(first.change, write))
            changes += [item.change for item in others]
        return changes


class _Refused(Exception):
    pass


def _with_write(change: ExampleChange, write: FileWrite) -> ExampleChange:
    return ExampleChange(
        kind=change.kind,
        suite=change.suite,
        example=change.example,
        verdict=change.verdict,
        writes=(write, *change.writes),
        differences=change.differences,
        left=change.left,
        note=change.note,
    )


def _run_differences(result: ExampleResult) -> list[dict[str, Any]]:
    found = (result.comparison or {}).get("differences") or []
    return [item for item in found if isinstance(item, dict)]


def _differences(result: ExampleResult) -> list[str]:
    """The run's differences, as the report lists them."""
    comparison = result.comparison or {}
    lines = [_display(item) for item in _run_differences(result)]
    for file in comparison.get("files") or []:
        if file.get("status") != "match":
            lines.append(f"file {file.get('name')}: {file.get('status')}")
    return lines


def _display(item: dict[str, Any]) -> str:
    difference = Difference(
        item.get("pointer", ""),
        item.get("kind", "changed"),
        item.get("expected", ABSENT),
        item.get("actual", ABSENT),
        item.get("rule"),
    )
    return difference.display()


def _attempt_note(result: ExampleResult) -> str | None:
    repeats = result.repeats
    if repeats is None or repeats.trials < 2:
        return None
    execution = result.execution.id if result.execution else None
    ids = [attempt.execution_id for attempt in repeats.attempts]
    number = ids.index(execution) + 1 if execution in ids else repeats.trials
    return f"the output of attempt {number} of {repeats.trials} (execution {execution})"


def _same_file(left: Path, right: Path) -> bool:
    try:
        return left.resolve() == right.resolve()
    except OSError:
        return False


def selected(
    only: Sequence[str] = (), examples: Sequence[str] = (), tags: Sequence[str] = ()
) -> Selection:
    """The selection of ``--only``, ``--example`` and ``--tag``."""
    return Selection(only=tuple(only), examples=tuple(examples), tags=tuple(tags))
