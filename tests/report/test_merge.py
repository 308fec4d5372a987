from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from evalkit.cli.context import GlobalOptions
from evalkit.cli.report import report
from evalkit.errors import RunError
from evalkit.report import RunResults, load_results
from evalkit.report.merge import EXIT_CODES, merge_runs, write_run
from evalkit.runner.results import ExampleResult
from evalkit.runner.session import EXIT_CODES as RUNNER_EXIT_CODES
from tests.report.sample_runs import all_passed_baseline, with_summary


def _shards(run: RunResults, count: int) -> list[RunResults]:
    return [with_summary(run.results[i::count], all_passed_baseline()) for i in range(count)]


def test_exit_codes_match_the_runner() -> None:
    assert {status.value: code for status, code in RUNNER_EXIT_CODES.items()} == EXIT_CODES


def test_merged_counts_regressions_and_gates_judge_the_whole(failing_run: RunResults) -> None:
    shards = _shards(failing_run, 3)
    merged = merge_runs(shards)
    assert sorted(r.example for r in merged.results) == sorted(
        r.example for r in failing_run.results
    )
    assert merged.summary is not None
    assert failing_run.summary is not None
    assert merged.summary.counts == failing_run.summary.counts
    assert len(merged.summary.regressions) == 5
    assert [g.message for g in merged.summary.gates] == [
        g.message for g in failing_run.summary.gates
    ]
    assert merged.summary.status == "gate_failed"
    assert merged.summary.exit_code == 1
    assert merged.summary.outcome == "a gate failed (5/10 passed over 3 shards)"


def test_passing_shards_merge_into_a_pass(failing_run: RunResults) -> None:
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    shards = [with_summary(passing[:2], None), with_summary(passing[2:], None)]
    merged = merge_runs(shards)
    assert merged.summary is not None
    assert (merged.summary.status, merged.summary.exit_code) == ("passed", 0)


def test_overlapping_shards_are_refused(failing_run: RunResults) -> None:
    shard = with_summary(failing_run.results[:2], None)
    with pytest.raises(RunError, match="is in shard 1 and shard 2: shards must not overlap"):
        merge_runs([shard, shard])


def test_cli_merges_shard_folders_writes_a_baseline_and_gates(
    failing_run: RunResults, tmp_path: Path
) -> None:
    folders = [
        write_run(shard, tmp_path / f"shard-{i}") for i, shard in enumerate(_shards(failing_run, 2))
    ]
    options = GlobalOptions(
        manifest=Path("evalkit.yaml"), base_url=None, api_key=None, local=False, verbose=0,
        json_output=False,
    )  # fmt: skip
    merged = tmp_path / "merged"
    result = CliRunner().invoke(
        report,
        [*map(str, folders), "--merged", str(merged), "--gate"],
        obj=options,
        env={"GITHUB_ACTIONS": ""},
    )
    assert result.exit_code == 1, result.output
    assert "a gate failed (5/10 passed over 2 shards)" in result.output
    again = load_results(merged)
    assert len(again.results) == 10
    assert again.summary is not None
    assert again.summary.counts.passed == 5
    assert (merged / "reports" / "report.html").is_file()


def test_cli_needs_merged_for_several_results(failing_run: RunResults, tmp_path: Path) -> None:
    folders = [
        write_run(shard, tmp_path / f"s{i}") for i, shard in enumerate(_shards(failing_run, 2))
    ]
    options = GlobalOptions(
        manifest=Path("evalkit.yaml"), base_url=None, api_key=None, local=False, verbose=0,
        json_output=False,
    )  # fmt: skip
    result = CliRunner().invoke(report, [*map(str, folders)], obj=options)
    assert result.exit_code == 2
    assert "say where with --merged DIR" in result.output


def test_quarantined_failures_never_fail_the_merged_gates(failing_run: RunResults) -> None:
    passing = [r for r in failing_run.results if r.verdict.value == "pass"]
    failing = next(r for r in failing_run.results if r.verdict.value == "fail")
    quarantined = ExampleResult.model_validate({**failing.to_dict(), "quarantined": True})
    shards = [with_summary(passing, None), with_summary([quarantined], None)]
    merged = merge_runs(shards)
    assert merged.summary is not None
    assert merged.summary.counts.failed == 1, "the quarantined failure is still reported"
    assert (merged.summary.status, merged.summary.exit_code) == ("passed", 0)

    unquarantined = [with_summary(passing, None), with_summary([failing], None)]
    assert merge_runs(unquarantined).summary.exit_code == 1  # type: ignore[union-attr]
