"""scripts/gate_trials.py at a tiny size: the shape of what it measures, not the rates (those
need many trials; the script's default run gives them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.gate_trials import CASES, FIXED, TrialSetup, confirm_mode, main, render, run_trials

TINY = TrialSetup(examples=4, repeat=2, confirm_max=(3,), concurrency=4)


def test_trials_measure_every_mode_and_case_against_the_local_platform(tmp_path: Path) -> None:
    report = run_trials(2, 2, TINY, seed=7, workdir=tmp_path)

    modes = [FIXED, confirm_mode(3)]
    assert len(report.measures) == 2 * 2 * len(modes)
    assert {(m.case, m.mode) for m in report.measures} == {(c, m) for c in CASES for m in modes}
    seeds = [m.seed for m in report.measures]
    assert len(set(seeds)) == len(seeds), "every run draws with a seed of its own"
    for measure in report.measures:
        assert measure.delta_verdict in ("regression", "improvement", "noise")
        low, high = measure.interval
        assert -1 <= low <= high <= 1
        assert -1 <= measure.pass_rate_delta <= 1
        assert 0 <= measure.confirmed_true <= measure.confirmed <= TINY.examples
        assert 0 <= measure.confirmed_by_scores <= measure.confirmed
        assert set(measure.failed_gates) <= {"max_regressions", "min_pass_rate_delta"}
        if measure.mode == FIXED:
            assert measure.executions == TINY.examples * TINY.repeat
            assert measure.fixed_executions is None
        else:
            assert TINY.examples <= measure.executions <= TINY.examples * 3
            assert measure.fixed_executions == TINY.examples * 3
        if measure.case == "no change":
            assert measure.confirmed_true == 0, "nothing truly regressed"
    assert report.baseline_executions == 4 * TINY.examples * TINY.repeat
    assert report.seconds > 0
    assert list(tmp_path.iterdir()) == [], "the trials' projects are removed"

    rows = report.rows()
    assert [(row.case, row.mode) for row in rows] == [(c, m) for c in CASES for m in modes]
    for row in rows:
        assert row.trials == 2
        assert 0 <= row.rate <= 1
        assert row.mean_executions > 0
    assert set(report.savings()) == {confirm_mode(3)}

    data = json.loads(json.dumps(report.as_json()))
    assert set(data) >= {"setup", "machine", "seconds", "rows", "savings", "trials"}
    assert len(data["trials"]) == len(report.measures)
    assert all(("false_alarm" in t) == (t["case"] == "no change") for t in data["trials"])
    assert all(("missed" in t) == (t["case"] == "regression") for t in data["trials"])

    table = render(report)
    assert "false alarm" in table
    assert "miss" in table
    assert f"{confirm_mode(3)}:" in table, "the saving is printed"


def test_the_setup_spreads_the_rates_and_raises_every_third_example() -> None:
    setup = TrialSetup(examples=7, max_wrong_rate=0.3, raise_by=0.8)
    assert setup.baseline_rates() == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    assert setup.raised() == [True, False, False, True, False, False, True]
    assert setup.rates("regression") == [0.8, 0.05, 0.1, 0.95, 0.2, 0.25, 1.0]
    assert setup.rates("no change") == setup.baseline_rates()


def test_main_writes_the_table_and_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "trials.json"
    argv = ["--no-change", "0", "--regression", "1", "--examples", "3", "--repeat", "2"]
    code = main([*argv, "--confirm-max", "2", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "miss" in printed
    assert f"trials written to {out}" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [row["case"] for row in data["rows"]] == ["regression", "regression"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--repeat", "0"], "repeat is 0: it must be 1 to 100"),
        (["--raise-by", "1.5"], "raise_by is 1.5"),
        (["--no-change", "-1"], "0 or more"),
    ],
)
def test_bad_options_exit_2_before_any_run(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert words in capsys.readouterr().err
