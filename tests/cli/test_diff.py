"""``evalkit diff A B`` as a user runs it: run folders and ``batch:`` ids from real runs on the
local platform, in text, JSON and Markdown, with its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evalkit.runner.results import RunSummary
from tests.runner.test_cli_run import BROKEN
from tests.runner.test_platform_baseline import Runs, make_runs

from .harness import Evalkit


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return make_runs(tmp_path_factory.mktemp("diff"))


def folder(run: RunSummary) -> Path:
    return Path(run.results_file).parent


def batch(run: RunSummary) -> str:
    return f"batch:{run.metadata.run_id}"


def on(runs: Runs) -> tuple[str, ...]:
    """The global options that find the runs' local platform."""
    return ("-m", str(runs.project / "evalkit.yaml"))


def test_two_run_folders_in_words_pass_to_fail_listed_first(runs: Runs, evalkit: Evalkit) -> None:
    done = evalkit("diff", folder(runs.good), folder(runs.broken))

    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"{folder(runs.good)} → {folder(runs.broken)}"
    assert lines[1].startswith("run: pass rate 100% → 70% (−30 points, 95% CI ")
    heading = lines.index("pass→fail where no test decides (one attempt each, or too few) (3):")
    listed = {line.split()[0] for line in lines[heading + 1 : heading + 4]}
    assert listed == {f"invoice-extractor/{name}" for name in BROKEN}
    assert "unchanged: 7" in lines
    # worded as `evalkit run` words it: points, never "% of pass rate"
    assert lines[-1].startswith("with 10 examples, one attempt each, B could ")
    assert "pass-rate drop of" in lines[-1]


def test_fail_on_regression_fails_only_when_b_regressed(runs: Runs, evalkit: Evalkit) -> None:
    worse = evalkit("diff", "--fail-on-regression", folder(runs.good), folder(runs.broken))
    same = evalkit("diff", "--fail-on-regression", folder(runs.good), folder(runs.good))
    better = evalkit("diff", "--fail-on-regression", folder(runs.broken), folder(runs.good))

    assert worse.code == 1, worse.stderr
    assert same.code == 0, same.stderr
    assert "unchanged: 10" in same.stdout.splitlines()
    assert better.code == 0, better.stderr
    assert "improvements (3):" in better.stdout


def test_json_is_the_evidence_as_data(runs: Runs, evalkit: Evalkit) -> None:
    summary = runs.broken.results_file.replace("results.jsonl", "summary.json")
    done = evalkit("--json", "diff", "--confidence", "0.9", folder(runs.good), summary)

    assert done.code == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["confidence"] == 0.9
    assert data["regression_found"] is True
    assert data["deltas"][0]["scope"] == "run"
    assert "90% CI" in data["deltas"][0]["words"]
    regressed = {c["example"] for c in data["changes"] if c["change"] == "regression"}
    assert regressed == BROKEN
    assert len(data["changes"]) == 10
    assert 0 < data["minimum_detectable_drop"] < 1


def test_batches_are_rebuilt_from_the_platform_as_their_folders_read(
    runs: Runs, evalkit: Evalkit
) -> None:
    from_batches = evalkit(
        *on(runs), "--json", "diff", batch(runs.good), batch(runs.repeated), "--pass-if", "all"
    )
    from_folders = evalkit("--json", "diff", folder(runs.good), folder(runs.repeated))

    assert from_batches.code == 0, from_batches.stderr
    batches, folders = json.loads(from_batches.stdout), json.loads(from_folders.stdout)

    def kinds(data: dict[str, list[dict[str, object]]]) -> list[tuple[object, ...]]:
        return sorted(
            (c["example"], c["change"], c["significant"], str(c["passes_after"]))
            for c in data["changes"]
        )

    assert kinds(batches) == kinds(folders)
    assert [d["words"] for d in batches["deltas"]] == [d["words"] for d in folders["deltas"]]
    assert batches["baseline"] == batch(runs.good)
    assert any("30 execution(s)" in note for note in batches["notes"])


def test_markdown_for_a_pull_request_says_what_no_test_could_decide(
    runs: Runs, evalkit: Evalkit
) -> None:
    done = evalkit(*on(runs), "diff", "--markdown", batch(runs.good), folder(runs.repeated))

    assert done.code == 0, done.stderr
    text = done.stdout
    assert text.startswith(f"### evalkit diff: `{batch(runs.good)}` → ")
    # One attempt against three: no outcome of the exact test could be significant (1/1 against
    # 0/3 gives p 0.25 at best), so the combined verdicts decide, as without repeats: a
    # pass→fail, not noise, and not a significant regression either.
    heading, plain = text[text.index("🟠 Pass→fail where no test decides") :].split("\n\n")[:2]
    assert heading.endswith(f"({len(BROKEN)})")
    assert all(name in plain for name in BROKEN)
    assert "<details><summary>Noise" not in text
    assert "Significant regressions" not in text


def test_an_unknown_batch_is_exit_2_naming_it(runs: Runs, evalkit: Evalkit) -> None:
    done = evalkit(*on(runs), "diff", "batch:run-that-never-was", folder(runs.good))

    assert done.code == 2
    assert "error: batch 'run-that-never-was'" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_env_reads_the_environments_copies(runs: Runs, evalkit: Evalkit) -> None:
    # The runs used the agent itself, not its pull-request copy: nothing of the batch there.
    done = evalkit(*on(runs), "diff", "-e", "pr", batch(runs.good), folder(runs.good))

    assert done.code == 2
    assert "invoice-extractor-pr-local" in done.stderr


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("missing", None, "no such file or folder"),
        ("summary.json", "{not json", "summary.json"),
        ("empty-folder", "", "holds no results.jsonl"),
    ],
)
def test_an_unreadable_side_is_exit_2_without_a_traceback(
    tmp_path: Path, runs: Runs, evalkit: Evalkit, name: str, content: str | None, said: str
) -> None:
    side = tmp_path / name
    if content == "":
        side.mkdir()
    elif content is not None:
        side.write_text(content, encoding="utf-8")

    done = evalkit("diff", folder(runs.good), side)

    assert done.code == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_batch_needs_an_id(runs: Runs, evalkit: Evalkit) -> None:
    done = evalkit("diff", "batch:", folder(runs.good))
    assert done.code == 2
    assert "give the run id after 'batch:'" in done.stderr
