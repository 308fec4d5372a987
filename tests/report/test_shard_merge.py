"""Merging the shards of one run (evalkit/report/shard_merge.py) and ``evalkit report --merged``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from evalkit.cli.context import GlobalOptions
from evalkit.cli.main import main
from evalkit.cli.report import report
from evalkit.errors import RunError
from evalkit.report import RunResults, load_results
from evalkit.report.shard_merge import ALL_SHARDS_GATE, merge_runs, write_run
from evalkit.runner.gates import GateConfig, evaluate_gates
from evalkit.runner.results import (
    DriftedAgent,
    ExampleChange,
    ExampleResult,
    JudgementCounts,
    RunSummary,
    Traffic,
)
from tests.report.sample_runs import all_passed_baseline, with_summary


def _as_shard(run: RunResults, index: int, count: int) -> RunResults:
    """``run`` as the runner records shard ``index/count`` (``--shard K/N`` in its selection)."""
    assert run.summary is not None
    run.summary.metadata.selection["shard"] = [f"{index}/{count}"]
    return run


def _shards(run: RunResults, count: int) -> list[RunResults]:
    return [
        _as_shard(with_summary(run.results[i::count], all_passed_baseline()), i + 1, count)
        for i in range(count)
    ]


def _summary(run: RunResults) -> RunSummary:
    assert run.summary is not None
    return run.summary


def _folders(tmp_path: Path, shards: list[RunResults]) -> list[str]:
    return [str(write_run(shard, tmp_path / f"shard-{i}")) for i, shard in enumerate(shards, 1)]


def _evalkit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The real entry point (errors mapped to exit codes): code, stdout, stderr (one line)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["report", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, " ".join(err.split())


def test_merged_counts_regressions_and_gates_judge_the_whole(failing_run: RunResults) -> None:
    shards = _shards(failing_run, 3)
    merged = merge_runs(shards)
    assert sorted(r.example for r in merged.results) == sorted(
        r.example for r in failing_run.results
    )
    summary, original = _summary(merged), _summary(failing_run)
    assert summary.counts == original.counts
    assert len(summary.regressions) == 5
    assert [g.message for g in summary.gates] == [g.message for g in original.gates]
    assert summary.status == "gate_failed"
    assert summary.exit_code == 1
    assert summary.outcome == "a gate failed (5/10 passed over 3 shards)"
    assert "shard" not in summary.metadata.selection
    assert (summary.model_extra or {})["shards"] == {"count": 3, "merged": [1, 2, 3], "missing": []}


def test_passing_shards_merge_into_a_pass(failing_run: RunResults) -> None:
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    shards = [
        _as_shard(with_summary(passing[:2], None), 1, 2),
        _as_shard(with_summary(passing[2:], None), 2, 2),
    ]
    summary = _summary(merge_runs(shards))
    assert (summary.status, summary.exit_code) == ("passed", 0)


def test_overlapping_shards_are_refused(failing_run: RunResults) -> None:
    shards = [
        _as_shard(with_summary(failing_run.results[:2], None), 1, 2),
        _as_shard(with_summary(failing_run.results[1:3], None), 2, 2),
    ]
    with pytest.raises(RunError, match="is in shard 1/2 and shard 2/2: shards must not overlap"):
        merge_runs(shards)


# Issue 10 item 2: a merge holds every shard 1..N exactly once, of one run, or is refused.


def test_a_missing_shard_is_refused(failing_run: RunResults) -> None:
    shards = _shards(failing_run, 3)
    with pytest.raises(RunError, match=r"shard 1/3 missing: a merge needs every shard 1\.\.3"):
        merge_runs(shards[1:])
    with pytest.raises(RunError, match="shards 1/3, 3/3 missing"):
        merge_runs(shards[1:2])


def test_cli_refuses_a_missing_shard_and_writes_nothing(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: shard 1/3 absent, every present example passes: exit 2, not 0."""
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    shards = [_as_shard(with_summary(passing[i::3], None), i + 1, 3) for i in range(3)]
    merged = tmp_path / "merged"
    code, _, err = _evalkit(
        capsys, *_folders(tmp_path, shards)[1:], "--merged", str(merged), "--gate"
    )
    assert code == 2
    assert "shard 1/3 missing" in err
    assert "--allow-missing-shards" in err
    assert "Traceback" not in err
    assert not merged.exists()


def test_allowing_missing_shards_fails_the_merged_gate(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    shards = [_as_shard(with_summary(passing[i::3], None), i + 1, 3) for i in range(3)]
    merged = tmp_path / "merged"
    folders = _folders(tmp_path, shards)[1:]
    args = [*folders, "--merged", str(merged), "--gate", "--allow-missing-shards"]
    code, _, err = _evalkit(capsys, *args)
    assert code == 1, "never green with a shard missing"
    assert "2 of 3 shards merged (shard 1/3 missing)" in err
    summary = _summary(load_results(merged))
    gate = next(g for g in summary.gates if g.name == ALL_SHARDS_GATE)
    assert (gate.passed, gate.limit, gate.actual) == (False, 3, 2)
    assert summary.outcome.startswith("shards missing: a gate failed (")
    assert "over 2 of 3 shards" in summary.outcome
    assert (
        "❌ all\\_shards: 2 of 3 shards merged" in (merged / "reports" / "summary.md").read_text()
    )


def test_a_shard_without_summary_is_incomplete(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job killed mid-run leaves results.jsonl and no summary.json."""
    folders = _folders(tmp_path, _shards(failing_run, 2))
    Path(folders[1], "summary.json").unlink()
    code, _, err = _evalkit(capsys, *folders, "--merged", str(tmp_path / "m"), "--gate")
    assert code == 2
    assert "shard-2 has no summary.json: that shard's run did not finish" in err
    code, _, err = _evalkit(
        capsys, *folders, "--merged", str(tmp_path / "m"), "--gate", "--allow-missing-shards"
    )
    assert code == 1
    assert "1 of 2 shards merged (shard 2/2 missing; " in err


def test_the_same_shard_twice_is_refused(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shards = _shards(failing_run, 2)
    folders = _folders(tmp_path, shards)
    code, _, err = _evalkit(
        capsys, folders[0], folders[0], folders[1], "--merged", str(tmp_path / "m")
    )
    assert code == 2
    assert f"shard 1/2 is given twice: {folders[0]} and {folders[0]}" in err


def test_shards_of_different_splits_are_refused(failing_run: RunResults) -> None:
    one, two = _shards(failing_run, 2)
    _as_shard(two, 2, 3)
    with pytest.raises(RunError, match=r"is shard 2/3 but RESULTS #1 is shard 1/2"):
        merge_runs([one, two])
    with pytest.raises(RunError, match=r"is shard 2/3"):
        merge_runs([one, two], allow_missing=True)


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("commit", "fedcba9876543210fedc", "git commits"),
        ("manifest_digest", "sha256:other", "manifest digests"),
        ("selection", {"tag": ["smoke"]}, "selections"),
    ],
)
def test_shards_of_different_runs_are_refused(
    failing_run: RunResults, field: str, value: object, what: str
) -> None:
    one, two = _shards(failing_run, 2)
    metadata = _summary(two).metadata
    if field == "commit":
        metadata.git.commit = str(value)
    elif field == "selection":
        metadata.selection.update(value)  # type: ignore[call-overload]
    else:
        setattr(metadata, field, value)
    with pytest.raises(RunError, match=f"are not shards of one run: their {what}"):
        merge_runs([one, two])


def test_a_single_shard_merges(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """N=1: one job, --shard 1/1, or a run without --shard."""
    (whole,) = _shards(failing_run, 1)
    folder = _folders(tmp_path, [whole])[0]
    merged = tmp_path / "merged"
    code, _, err = _evalkit(capsys, folder, "--merged", str(merged), "--gate")
    assert code == 1
    assert "a gate failed (5/10 passed over 1 shard)" in err
    assert len(load_results(merged).results) == 10
    unsharded = with_summary(failing_run.results, None)
    assert _summary(merge_runs([unsharded])).counts.total == 10
    with pytest.raises(RunError, match="shard 1/1 is given twice"):
        merge_runs([unsharded, with_summary(failing_run.results[:1], None)])


def test_suite_gates_are_judged_again_on_the_merged_run(failing_run: RunResults) -> None:
    """A gate of one agent (``min_pass_rate[agent]``) is not lost in the merge."""
    shards = _shards(failing_run, 2)
    for shard in shards:
        summary = _summary(shard)
        (outcome,) = evaluate_gates(GateConfig(max_failures=9), summary.counts)
        outcome.name = "max_failures[invoice-extractor]"
        summary.gates.append(outcome)
    gates = {g.name: g for g in _summary(merge_runs(shards)).gates}
    assert gates["max_failures[invoice-extractor]"].actual == 5
    assert gates["max_failures[invoice-extractor]"].passed


def test_cli_merges_shard_folders_writes_a_baseline_and_gates(
    failing_run: RunResults, tmp_path: Path
) -> None:
    folders = _folders(tmp_path, _shards(failing_run, 2))
    options = GlobalOptions(
        manifest=Path("evalkit.yaml"), base_url=None, api_key=None, local=False, verbose=0,
        json_output=False,
    )  # fmt: skip
    merged = tmp_path / "merged"
    result = CliRunner().invoke(
        report,
        [*folders, "--merged", str(merged), "--gate"],
        obj=options,
        env={"GITHUB_ACTIONS": ""},
    )
    assert result.exit_code == 1, result.output
    assert "a gate failed (5/10 passed over 2 shards)" in result.output
    again = load_results(merged)
    assert len(again.results) == 10
    assert _summary(again).counts.passed == 5
    assert (merged / "reports" / "report.html").is_file()


def test_cli_needs_merged_for_several_results(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _folders(tmp_path, _shards(failing_run, 2))
    code, _, err = _evalkit(capsys, *folders)
    assert code == 2
    assert "say where with --merged DIR" in err
    code, _, err = _evalkit(capsys, folders[0], "--allow-missing-shards")
    assert code == 2
    assert "--allow-missing-shards is for merging" in err


def test_quarantined_failures_never_fail_the_merged_gates(failing_run: RunResults) -> None:
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    failing = next(r for r in failing_run.results if r.verdict.value == "fail")
    quarantined = ExampleResult.model_validate({**failing.to_dict(), "quarantined": True})
    shards = [
        _as_shard(with_summary(passing, None), 1, 2),
        _as_shard(with_summary([quarantined], None), 2, 2),
    ]
    summary = _summary(merge_runs(shards))
    assert summary.counts.failed == 1, "the quarantined failure is still reported"
    assert (summary.status, summary.exit_code) == ("passed", 0)

    unquarantined = [
        _as_shard(with_summary(passing, None), 1, 2),
        _as_shard(with_summary([failing], None), 2, 2),
    ]
    assert _summary(merge_runs(unquarantined)).exit_code == 1


def test_targets_must_match_but_a_local_platform_port_may_differ(failing_run: RunResults) -> None:
    one, two = _shards(failing_run, 2)
    _summary(two).metadata.target.base_url = "http://127.0.0.1:40001"  # each run's own port
    assert _summary(merge_runs([one, two])).counts.total == 10
    for shard, url in ((one, "https://eu.eigenpal.example"), (two, "https://u:secret@us.example")):
        target = _summary(shard).metadata.target
        target.kind, target.base_url = "remote", url
    with pytest.raises(RunError, match="their targets differ") as refused:
        merge_runs([one, two])
    assert "secret" not in str(refused.value)
    assert "https://us.example" in str(refused.value)


def _without_baseline(run: RunResults, count: int) -> list[RunResults]:
    return [
        _as_shard(with_summary(run.results[i::count], None), i + 1, count) for i in range(count)
    ]


def test_a_gate_the_shards_could_not_check_is_not_checked_merged(
    failing_run: RunResults, tmp_path: Path
) -> None:
    shards = _without_baseline(failing_run, 2)
    assert [g.checked for g in _summary(shards[0]).gates] == [True, False]
    merged = merge_runs(shards)
    gates = {gate.name: gate for gate in _summary(merged).gates}
    assert not gates["max_regressions"].checked
    assert gates["min_pass_rate"].checked
    write_run(merged, tmp_path)
    assert [g.checked for g in _summary(load_results(tmp_path)).gates] == [True, False]


def test_the_merged_summary_keeps_feedback_failures_traffic_and_drift(
    failing_run: RunResults,
) -> None:
    results = [result.model_copy(deep=True) for result in failing_run.results]
    results[0].feedback.error = "writing the feedback: server error (HTTP 503)"
    results[3].feedback.error = "uploading expected file a.csv: server error (HTTP 502)"
    shards = _shards(RunResults(results=results), 2)
    drift = DriftedAgent(agent="invoice-extractor", slug="invoice-extractor", differences=["x"])
    for number, shard in enumerate(shards, start=1):
        summary = _summary(shard)
        summary.traffic = Traffic(requests=100 * number, server_errors=number, repeated=1)
        summary.judgements = JudgementCounts(total=4, from_cache=number, failed=1)
        summary.drifted_agents = [drift]
        summary.feedback_failures = [b for b in summary.examples if b.feedback_error]
    merged = _summary(merge_runs(shards))
    assert [(b.example, b.feedback_error) for b in merged.feedback_failures] == [
        (results[0].example, results[0].feedback.error),
        (results[3].example, results[3].feedback.error),
    ]
    assert merged.outcome.endswith("; feedback not written for 2 examples (the verdicts stand)")
    assert merged.traffic == Traffic(requests=300, server_errors=3, repeated=2)
    assert merged.drifted_agents == [drift]
    assert merged.judgements == JudgementCounts(total=8, from_cache=3, failed=2)
    # Every field of the summary is the merge's own choice, none left to its default: a field
    # added to RunSummary fails here until the merge fills it.
    assert set(RunSummary.model_fields) - merged.model_fields_set == {"format"}


def test_shards_that_measured_no_traffic_merge_without_figures(failing_run: RunResults) -> None:
    assert _summary(merge_runs(_shards(failing_run, 2))).traffic is None


# Issue 12: shards of a run with repeats and a baseline.


def _repeated_shards(run: RunResults, count: int, baseline: RunSummary | None) -> list[RunResults]:
    """``run`` cut into shards as the runner records them: each shard weighed against the
    baseline on its own examples (its changes, deltas and gates are the shard's)."""
    from evalkit.runner.evidence import weigh

    shards = []
    whole = _summary(run)
    for i in range(count):
        results = run.results[i::count]
        part = with_summary(results, None)
        summary = _summary(part)
        keys = {r.key for r in results}
        summary.examples = [b for b in whole.examples if (b.kind, b.agent, b.example) in keys]
        evidence = weigh(_summary_baseline(run), summary.examples, confidence=0.95)
        summary.changes, summary.deltas = evidence.changes, evidence.deltas
        summary.gates = evaluate_gates(
            GateConfig(min_pass_rate=0.9, max_regressions=0, min_pass_rate_delta=-0.05),
            summary.counts,
            regressions=0,
            delta=evidence.deltas[0],
        )
        summary.baseline = "baseline/summary.json"
        summary.minimum_detectable_drop = 0.5
        summary.executions, summary.fixed_executions = 20, 40
        shards.append(_as_shard(RunResults(results, summary, baseline), i + 1, count))
    return shards


def _summary_baseline(run: RunResults) -> RunSummary:
    assert run.baseline is not None
    return run.baseline


def test_repeated_shards_merge_with_changes_and_deltas_weighed_again(repeated: RunResults) -> None:
    from evalkit.runner.evidence import weigh

    merged = _summary(merge_runs(_repeated_shards(repeated, 2, repeated.baseline)))
    whole = _summary(repeated)
    # The merged run holds the examples shard by shard: the same changes, in its own order,
    # and the deltas weigh() gives over its examples (the bootstrap follows their order).
    assert _by_example(merged.changes) == _by_example(whole.changes)
    again = weigh(_summary_baseline(repeated), merged.examples, confidence=0.95)
    assert merged.deltas == again.deltas
    assert [(d.scope, round(d.pass_rate_delta, 9), d.verdict) for d in merged.deltas] == [
        (d.scope, round(d.pass_rate_delta, 9), d.verdict) for d in whole.deltas
    ]
    assert sorted(b.example for b in merged.regressions) == sorted(
        b.example for b in whole.regressions
    )
    assert [(g.name, g.passed) for g in merged.gates] == [(g.name, g.passed) for g in whole.gates]
    assert merged.minimum_detectable_drop == whole.minimum_detectable_drop
    assert (merged.executions, merged.fixed_executions) == (40, 80)
    assert sorted((b.example, b.trials, b.passes) for b in merged.examples) == sorted(
        (b.example, b.trials, b.passes) for b in whole.examples
    )


def test_a_delta_gate_is_judged_again_on_the_merged_run(repeated: RunResults) -> None:
    """A shard's delta gate judged its half; the merged gate judges the whole run's delta."""
    shards = _repeated_shards(repeated, 2, repeated.baseline)
    for shard in shards:
        gate = next(g for g in _summary(shard).gates if g.name == "min_pass_rate_delta")
        gate.limit, gate.passed = 0.5, True  # as if each half had passed a stricter limit
    merged = _summary(merge_runs(shards))
    gate = next(g for g in merged.gates if g.name == "min_pass_rate_delta")
    # The sample ran with --confirm: its change is not estimated, so the merged gate is not
    # checked (and fails nothing), whatever the shards' halves said.
    assert (gate.limit, gate.passed, gate.checked) == (0.5, True, False)
    assert "--confirm biases it" in gate.message


def test_repeated_shards_without_the_baseline_are_refused(
    repeated: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(RunError, match="cannot be added across shards: pass --baseline"):
        merge_runs(_repeated_shards(repeated, 2, None))
    folders = _folders(tmp_path, _repeated_shards(repeated, 2, None))
    merged = tmp_path / "merged"
    code, _, err = _evalkit(capsys, *folders, "--merged", str(merged), "--gate")
    assert code == 2
    assert "pass --baseline with the baseline's summary.json" in err
    assert not merged.exists()
    baseline = tmp_path / "baseline.json"
    baseline.write_text(_summary_baseline(repeated).model_dump_json())
    code, _, err = _evalkit(
        capsys, *folders, "--merged", str(merged), "--gate", "--baseline", str(baseline)
    )
    assert code == 1, err
    assert _by_example(_summary(load_results(merged)).changes) == _by_example(
        _summary(repeated).changes
    )


def _by_example(changes: list[ExampleChange]) -> dict[str, ExampleChange]:
    return {change.example: change for change in changes}


# --merged DIR never replaces a run: not a shard being merged, not a finished run's folder.


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_merging_into_a_shard_being_merged_is_refused_and_it_is_left_as_it_was(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _folders(tmp_path, _shards(failing_run, 2))
    before = _files(Path(folders[0]))
    # the shard's folder, its results.jsonl given instead, the folder by another spelling
    results = str(Path(folders[0], "results.jsonl"))
    spelled = str(tmp_path / "shard-2" / ".." / "shard-1")
    for shards in ([*folders], [results, folders[1]], [spelled, folders[1]]):
        code, _, err = _evalkit(capsys, *shards, "--merged", folders[0], "--gate")
        assert code == 2, err
        assert f"--merged {folders[0]} is the folder of" in err
        assert "one of the shards being merged" in err
        assert "give --merged a new or empty folder" in err
        assert "Traceback" not in err
        assert _files(Path(folders[0])) == before
        assert not (Path(folders[0]) / "reports").exists()
    # the shards are intact: a retry into an empty or a missing folder merges them
    empty = tmp_path / "empty"
    empty.mkdir()
    for merged in (empty, tmp_path / "missing" / "merged"):
        code, _, err = _evalkit(capsys, *folders, "--merged", str(merged), "--gate")
        assert code == 1, err
        assert "a gate failed (5/10 passed over 2 shards)" in err
        assert len(load_results(merged).results) == 10
        assert [p.name for p in merged.iterdir() if p.name.startswith(".")] == []  # no temp file


@pytest.mark.parametrize(
    "held", [("results.jsonl", "summary.json"), ("summary.json",), ("results.jsonl",)]
)
def test_merging_into_a_folder_that_holds_a_run_is_refused(
    failing_run: RunResults,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    held: tuple[str, ...],
) -> None:
    folders = _folders(tmp_path, _shards(failing_run, 2))
    base = write_run(with_summary(failing_run.results[:3], None), tmp_path / "base")
    for name in {"results.jsonl", "summary.json"} - set(held):
        (base / name).unlink()
    (base / "files").mkdir()
    before = _files(base)
    code, _, err = _evalkit(capsys, *folders, "--merged", str(base))
    assert code == 2, err
    assert f"--merged {base} already holds a run ({' and '.join(held)})" in err
    assert "give --merged a new or empty folder, or remove that run first" in err
    assert "Traceback" not in err
    assert _files(base) == before
    assert sorted(p.name for p in base.iterdir()) == sorted([*held, "files"])


def test_a_merge_that_fails_half_way_leaves_no_half_written_file(
    failing_run: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are replaced whole: a failure while writing leaves what was there."""
    folder = write_run(with_summary(failing_run.results[:3], None), tmp_path / "run")
    before = _files(folder)
    merged = merge_runs(_shards(failing_run, 2))
    written: list[str] = []
    real = ExampleResult.to_dict

    def failing_after_two(result: ExampleResult) -> dict[str, object]:
        if len(written) == 2:
            raise OSError("No space left on device")
        written.append(result.example)
        return real(result)

    monkeypatch.setattr(ExampleResult, "to_dict", failing_after_two)
    with pytest.raises(OSError, match="No space left"):
        write_run(merged, folder)
    assert written  # it failed half-way through the results
    assert _files(folder) == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
