"""``--changed-since``: which suites a change touches, in a scripted git history."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.errors import ConfigError
from evalkit.manifest import load_manifest
from evalkit.runner.change_text import selection_lines
from evalkit.runner.changed import ChangedSuites, changed_suites
from evalkit.runner.config import RunConfig
from evalkit.runner.from_manifest import jobs_from_manifest
from evalkit.runner.git_tree import GitError
from evalkit.runner.jobs import ALWAYS_TAG
from tests.runner.git_project import commit, git, make_project, write, write_example


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def changes(project: Path, since: str = "main", environment: str | None = None) -> ChangedSuites:
    manifest = load_manifest(project / "evalkit.yaml", env={})
    if environment is not None:
        manifest = manifest.with_environment(environment)
    return changed_suites(manifest, since, environment=environment, env={})


def suites(found: ChangedSuites) -> set[str]:
    return {name for _, name in found.changed}


def edit_manifest(project: Path, old: str, new: str) -> None:
    path = project / "evalkit.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_nothing_changed_selects_nothing(project: Path) -> None:
    found = changes(project)
    assert found.changed == {}
    assert found.everything is None
    assert found.base == git(project, "rev-parse", "main").strip()


def test_a_committed_workspace_file_selects_its_agent_and_the_workflows(project: Path) -> None:
    write(project / "agents" / "a" / "AGENT.md", "# a, better\n")
    commit(project, "improve a")
    found = changes(project)
    assert found.changed[("agent", "a")] == ["workspace file agents/a/AGENT.md"]
    # a workflow's steps may call any agent: it runs too, and says why
    assert found.changed[("workflow", "flow")] == ["agent(s) its steps may call changed: a"]
    assert suites(found) == {"a", "flow"}


def test_an_excluded_workspace_file_selects_nothing(project: Path) -> None:
    write(project / "agents" / "a" / "notes.swp", "junk")  # a default exclude, untracked
    write(project / "README.md", "# a file no suite uses\n")
    assert changes(project).changed == {}


def test_an_uncommitted_example_change_selects_its_agent(project: Path) -> None:
    write_example(project / "agents" / "b" / "examples" / "two", 22)
    found = changes(project)
    assert found.changed[("agent", "b")] == ["example two"]
    assert suites(found) == {"b", "flow"}


def test_an_untracked_new_example_counts(project: Path) -> None:
    write_example(project / "agents" / "a" / "examples" / "new-one", 7)
    assert changes(project).changed[("agent", "a")] == ["example new-one"]


def test_a_deleted_example_selects_its_agent(project: Path) -> None:
    git(project, "rm", "-q", "-r", "agents/b/examples/two")
    reasons = changes(project).changed[("agent", "b")]
    assert reasons == [
        "examples folder file agents/b/examples/two/expected.json",
        "examples folder file agents/b/examples/two/input.json",
    ]


def test_files_the_rules_name_select_the_suites_using_them(project: Path) -> None:
    write(project / "schemas" / "b.json", '{"type": "object", "required": ["q"]}\n')
    found = changes(project)
    assert found.changed[("agent", "b")] == ["json_schema file schemas/b.json"]
    assert ("agent", "c") not in found.changed
    git(project, "checkout", "-q", "--", "schemas/b.json")
    # a scorer imports its neighbours: a change to one counts
    write(project / "scorers" / "helpers.py", "def same(a, b):\n    return a is b\n")
    found = changes(project)
    assert found.changed[("agent", "c")] == ["python scorer file scorers/helpers.py"]
    assert suites(found) == {"c", "flow"}


def test_a_compare_rule_changed_in_the_manifest_selects_that_agent_only(project: Path) -> None:
    edit_manifest(
        project,
        '"": {json_schema: schemas/b.json}',
        '"": {json_schema: schemas/b.json}\n        /q: {tolerance: 1}',
    )
    found = changes(project)
    assert found.changed == {
        ("agent", "b"): ["declaration changed: compare rules"],
        ("workflow", "flow"): ["agent(s) its steps may call changed: b"],
    }


def test_an_example_changed_in_the_manifest_is_named(project: Path) -> None:
    edit_manifest(project, "kept: {tags: [always]}", "kept: {tags: [always, smoke]}")
    assert changes(project).changed[("agent", "b")] == ["declaration changed: examples (kept)"]


def test_a_config_change_says_so(project: Path) -> None:
    edit_manifest(
        project,
        "  - slug: c\n    config: {runtime: {builtin: echo}}",
        "  - slug: c\n    config: {runtime: {builtin: echo}, mode: fast}",
    )
    assert changes(project).changed[("agent", "c")] == ["declaration changed: config"]


def test_defaults_select_every_suite_they_reach(project: Path) -> None:
    edit_manifest(project, "ignore: [/at]", "ignore: [/at, /bt]")
    found = changes(project)
    assert suites(found) == {"a", "b", "c", "flow"}
    assert found.changed[("agent", "a")] == ["declaration changed: compare rules"]
    assert found.changed[("workflow", "flow")][0] == "declaration changed: compare rules"


def test_a_comment_or_a_moved_line_in_the_manifest_selects_nothing(project: Path) -> None:
    text = (project / "evalkit.yaml").read_text()
    (project / "evalkit.yaml").write_text("# evaluated on every pull request\n\n" + text)
    assert changes(project).changed == {}


def test_a_new_suite_in_the_manifest_is_new(project: Path) -> None:
    edit_manifest(
        project,
        "workflows:",
        "  - slug: d\n    config: {runtime: {builtin: echo}}\n"
        "    examples: [{name: x, input: {q: 1}, expected: {q: 1}}]\nworkflows:",
    )
    found = changes(project)
    assert found.changed[("agent", "d")] == ["new since main"]


def test_an_environment_change_selects_every_agent_run_under_it(project: Path) -> None:
    edit_manifest(project, 'slug: "{slug}-pr"', 'slug: "{slug}-review"')
    assert changes(project, environment="pr").changed[("agent", "a")] == [
        "declaration changed: slug"
    ]
    # without --env the copies' slugs do not matter
    assert changes(project).changed == {}


def test_a_manifest_unreadable_at_the_base_runs_everything(project: Path) -> None:
    git(project, "checkout", "-q", "main")
    write(project / "schemas" / "b.json", "not json\n")
    commit(project, "a broken schema on main")
    git(project, "checkout", "-q", "-b", "fix")
    write(project / "schemas" / "b.json", '{"type": "object"}\n')
    edit_manifest(project, "ignore: [/at]", "ignore: [/at, /bt]")
    found = changes(project)
    assert found.everything is not None
    assert found.everything.startswith("the manifest as it was at main cannot be loaded")
    jobs = jobs_from_manifest(load_manifest(project / "evalkit.yaml", env={}))
    kept, record = found.apply(jobs)
    assert kept == jobs
    assert record.everything == found.everything
    assert record.skipped == []


def test_a_manifest_new_since_the_base_makes_every_suite_new(project: Path) -> None:
    git(project, "checkout", "-q", "--orphan", "empty")
    git(project, "rm", "-q", "-r", "--cached", ".")
    git(project, "commit", "-q", "--allow-empty", "-m", "nothing yet")
    git(project, "checkout", "-q", "-f", "pr")
    found = changes(project, since="empty")
    assert found.warnings
    assert "no merge base of empty and HEAD" in found.warnings[0]
    assert found.changed[("agent", "b")][-1] == "new since empty (the manifest is)"


def test_an_unknown_ref_is_an_error_that_says_how_to_fetch_it(project: Path) -> None:
    with pytest.raises(GitError) as caught:
        changes(project, since="origin/main")
    assert "git does not know 'origin/main'" in str(caught.value)
    assert "git fetch origin main" in str(caught.value)
    assert "it has no remote 'origin' yet" in str(caught.value)


def test_an_unknown_ref_that_names_no_remote_branch_says_to_pick_one(project: Path) -> None:
    """A fetch cannot bring HEAD~99999 or a mistyped branch: say what exists instead."""
    for ref in ("HEAD~99999", "mian", "feature/typo"):
        with pytest.raises(GitError) as caught:
            changes(project, since=ref)
        message = str(caught.value)
        assert f"git does not know {ref!r}" in message
        assert "git fetch" not in message
        assert "name a branch, tag or commit that exists (branches: " in message
        assert "main" in message.split("(branches: ")[1]
        assert "'git log --oneline' shows the commits" in message


@pytest.mark.parametrize("ref", ["--output=x", "-", "--end-of-options"])
def test_a_ref_like_an_option_is_refused_before_git_is_asked(project: Path, ref: str) -> None:
    with pytest.raises(GitError) as caught:
        changes(project, since=ref)
    assert str(caught.value) == (
        f"--changed-since {ref!r} is not a git ref (a ref never starts with '-'): give a git "
        "ref, e.g. origin/main (a branch, tag or commit)"
    )


def test_outside_a_git_checkout_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "plain" / "evalkit.yaml", "version: 1\n")
    manifest = load_manifest(tmp_path / "plain" / "evalkit.yaml", env={})
    with pytest.raises(GitError, match="is not in a git checkout"):
        changed_suites(manifest, "main")


def test_apply_keeps_changed_suites_and_always_examples(project: Path) -> None:
    write(project / "agents" / "a" / "AGENT.md", "# a, better\n")
    found = changes(project)
    jobs = jobs_from_manifest(load_manifest(project / "evalkit.yaml", env={}))
    kept, record = found.apply(jobs)
    assert [job.label for job in kept] == ["a/one", "b/kept", "flow/w1"]
    assert ALWAYS_TAG in kept[1].tags
    assert [(c.suite, c.reasons) for c in record.changed] == [
        ("a", ["workspace file agents/a/AGENT.md"]),
        ("flow", ["agent(s) its steps may call changed: a"]),
    ]
    assert [(c.suite, c.examples, c.reasons) for c in record.skipped] == [
        ("b", 1, ["unchanged since main", "ran its 1 example(s) tagged always"]),
        ("c", 1, ["unchanged since main"]),
    ]
    assert record.since == "main"
    assert record.base == found.base


@pytest.mark.parametrize("ref", ["", "  ", 7])
def test_run_config_refuses_a_ref_that_names_nothing(ref: object) -> None:
    with pytest.raises(ConfigError) as caught:
        RunConfig(changed_since=ref)  # type: ignore[arg-type]
    assert str(caught.value).startswith("--changed-since needs a git ref, e.g. origin/main")
    assert "RunConfig" not in str(caught.value)


def test_run_config_refuses_a_ref_like_an_option() -> None:
    with pytest.raises(ConfigError, match="'--output=/tmp/x' is not a git ref"):
        RunConfig(changed_since="--output=/tmp/x")


def test_a_local_workflow_definition_selects_the_workflow_suites(project: Path) -> None:
    git(project, "checkout", "-q", "main")
    edit_manifest(
        project, "environments:", "local_platform:\n  workflows: platform/\nenvironments:"
    )
    write(project / "platform" / "flow.yaml", "name: flow\n")
    commit(project, "the workflow's definition")
    git(project, "checkout", "-q", "-B", "pr")
    write(project / "platform" / "flow.yaml", "name: flow\n# a step more\n")
    found = changes(project)
    assert found.changed == {("workflow", "flow"): ["workflow definition platform/flow.yaml"]}


def test_a_shallow_clone_says_how_to_fetch_and_falls_back_to_the_ref(
    project: Path, tmp_path: Path
) -> None:
    write(project / "agents" / "a" / "AGENT.md", "# a, better\n")
    commit(project, "improve a")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{project}", str(clone))
    with pytest.raises(GitError, match="This clone is shallow"):
        changes(clone, since="origin/main")
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    found = changes(clone, since="origin/main")
    assert "this clone is shallow" in found.warnings[0]
    assert "comparing with origin/main itself" in found.warnings[0]
    assert found.base == git(clone, "rev-parse", "origin/main").strip()
    assert suites(found) == {"a", "flow"}
    # the record keeps the warning: reports and the pull-request comment show it
    record = found.apply(jobs_from_manifest(load_manifest(clone / "evalkit.yaml", env={})))[1]
    assert record.warnings == list(found.warnings)
    assert f"warning: {found.warnings[0]}" in selection_lines(record)


def test_a_local_platform_setting_reaches_every_suite(project: Path) -> None:
    edit_manifest(
        project, "environments:", "local_platform:\n  pass_env: [API_TOKEN]\nenvironments:"
    )
    found = changes(project)
    assert suites(found) == {"a", "b", "c", "flow"}
    assert found.changed[("agent", "a")] == ["project settings changed: local_platform.pass_env"]
