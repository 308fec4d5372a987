"""``publish_reports``: every format into one folder; in GitHub Actions the step summary too,
and the annotations returned for the caller to print (nothing is printed here).
``publish_run``: the same from a run's folder, as ``evalkit run`` does after its last
example, with no garbage collection on the way."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from evalkit import report
from evalkit.report import RunResults, github, html, junit, load_results, markdown, publish
from evalkit.report.history import earlier_runs
from evalkit.report.publish import Published, publish_reports, publish_run
from evalkit.report.shard_merge import write_run
from evalkit.report.view import ReportView, build_view
from tests.report.history_runs import make_history
from tests.report.sample_runs import large_run, write_failing_variant

URL = "https://github.com/acme/invoices/actions/runs/42/artifacts/7"


def test_outside_github_every_format_and_no_lines(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = publish_reports(failing_run, tmp_path / "reports", env={})
    assert sorted(published.files) == ["html", "junit", "markdown"]
    assert all(path.is_file() for path in published.files.values())
    assert published.github_lines == []
    assert capsys.readouterr() == ("", "")


def test_in_github_the_annotations_come_back_and_the_step_summary_is_written(
    failing_run: RunResults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    step_summary = tmp_path / "step.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)}
    published = publish_reports(failing_run, tmp_path / "reports", env=env, html_link=URL)
    assert sum(line.startswith("::error ") for line in published.github_lines) == 5
    assert capsys.readouterr() == ("", ""), "the caller prints them where GitHub reads them"
    assert f"({URL})" in step_summary.read_text()
    assert f"({URL})" in published.files["markdown"].read_text()


def _github_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step.md"),
        "GITHUB_OUTPUT": str(tmp_path / "outputs.txt"),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/invoices",
        "GITHUB_RUN_ID": "42",
    }


def _assert_github_got_its_share_without_report_links(published: Published, tmp_path: Path) -> None:
    assert sum(line.startswith("::error ") for line in published.github_lines) == 5
    step_summary = (tmp_path / "step.md").read_text()
    assert step_summary.startswith("## ❌ evalkit: gate failed")
    # no report to link: neither --html-link's address nor the workflow run's page
    assert URL not in step_summary
    assert "actions/runs/42" not in step_summary
    outputs = dict(line.split("=", 1) for line in (tmp_path / "outputs.txt").read_text().split())
    assert outputs["verdict"] == "gate_failed"
    assert outputs["failed"] == "1"
    assert not {"html", "junit", "markdown"} & set(outputs)


def test_without_a_report_folder_github_still_gets_its_summary_outputs_and_annotations(
    failing_run: RunResults, tmp_path: Path
) -> None:
    published = publish_reports(failing_run, None, env=_github_env(tmp_path), html_link=URL)
    assert published.files == {}
    assert published.report_error is None
    _assert_github_got_its_share_without_report_links(published, tmp_path)


def test_a_report_folder_that_cannot_be_written_leaves_github_its_share(
    failing_run: RunResults, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = _github_env(tmp_path)
    published = publish_reports(failing_run, tmp_path / "a-file" / "reports", env=env)
    assert isinstance(published.report_error, NotADirectoryError)
    assert published.files == {}
    _assert_github_got_its_share_without_report_links(published, tmp_path)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder as ``evalkit run`` writes it: results.jsonl, summary.json, its baseline."""
    return write_failing_variant(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three runs of a project (``history_runs``), in its runs folder."""
    return make_history(tmp_path_factory.mktemp("project"))


@pytest.mark.parametrize("with_history", [False, True])
def test_publish_run_writes_what_reading_the_run_then_publishing_it_writes(
    run_folder: Path, history: Path, tmp_path: Path, with_history: bool
) -> None:
    folder = history / "run-a" if with_history else run_folder
    earlier = history if with_history else None
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "step-a.md")}
    published = publish_run(folder, tmp_path / "a", html_link=URL, history=earlier, env=env)
    run = load_results(folder)
    if earlier is not None:
        run.history = earlier_runs([earlier], before=run.mark())
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step-b.md")
    expected = publish_reports(run, tmp_path / "b", html_link=URL, env=env)
    assert published.github_lines == expected.github_lines
    assert sorted(published.files) == sorted(expected.files) == ["html", "junit", "markdown"]
    for name, path in published.files.items():
        assert path.read_bytes() == expected.files[name].read_bytes(), name
    assert (tmp_path / "step-a.md").read_text() == (tmp_path / "step-b.md").read_text()
    markdown = published.files["markdown"].read_text()
    assert ("### Pass-rate trend" in markdown) is with_history
    if with_history:  # the middle run of three: the run after it is none of its history
        assert "- `climbing`: 33% → **67%**" in markdown
    assert any(line.startswith("::error ") for line in published.github_lines)


def test_publish_run_without_a_report_folder_reads_the_run_for_github_alone(
    run_folder: Path, tmp_path: Path
) -> None:
    env = _github_env(tmp_path)
    published = publish_run(run_folder, None, html_link=URL, env=env)
    assert published.files == {}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["outputs.txt", "step.md"]
    _assert_github_got_its_share_without_report_links(published, tmp_path)


@pytest.fixture(scope="module")
def large_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large-run")
    write_run(large_run(1_000), folder)
    return folder


def test_a_runs_reports_run_no_garbage_collection_and_leave_none_owed(
    large_folder: Path, tmp_path: Path, collections: list[int]
) -> None:
    """Reading 1,000 results and rendering every report allocates hundreds of thousands of
    objects, freed by their reference counts: the collector ran 150 times over them (once
    over everything the process held) before it was held off. What is left is at most one
    collection of the youngest generation, as the pause ends (its count does not fall back
    quite to where it was: objects kept by the interpreter for reuse are not counted off)."""
    gc.collect()
    collections.clear()
    published = publish_run(large_folder, tmp_path / "reports", env={})
    assert collections in ([], [0])
    assert published.files["junit"].read_text().count('<testcase name="example-') == 1_000


def test_publishing_a_run_read_before_runs_no_garbage_collection(
    large_folder: Path, tmp_path: Path, collections: list[int]
) -> None:
    run = load_results(large_folder)
    gc.collect()  # what reading them left to count
    collections.clear()
    publish_reports(run, tmp_path / "reports", env={"GITHUB_ACTIONS": "true"})
    assert collections in ([], [0])


def test_every_report_and_the_github_output_share_one_view(
    failing_run: RunResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view (rows, counts, evidence) is computed once for every report, not per report."""
    built: list[RunResults] = []

    def counted(run: RunResults) -> ReportView:
        built.append(run)
        return build_view(run)

    for module in (report, html, junit, markdown, github, publish):
        if hasattr(module, "build_view"):
            monkeypatch.setattr(module, "build_view", counted)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "step.md")}
    published = publish_reports(failing_run, tmp_path / "reports", env=env)
    assert len(built) == 1
    assert published.github_lines
    assert (tmp_path / "step.md").read_text()


def test_the_warm_up_compiles_the_page_and_loads_what_publishing_imports() -> None:
    """(``evalkit run`` calls it in a worker thread while its first examples run)"""
    html._environment.cache_clear()
    publish.warm_up()
    assert html._environment.cache_info().currsize == 1
    compiled = html._environment().cache
    assert compiled is not None
    assert [name for _, name in compiled] == ["report.html.j2"]
