from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from evalkit.errors import ManifestError
from evalkit.manifest import load_manifest
from tests.manifest.project_files import Files, write_files

SUITE = "version: 1\nagents:\n  - {slug: a, workspace: ../shared/agent/}\n"


def test_a_minimal_manifest_loads_into_frozen_models(project: Callable[[Files], Path]) -> None:
    path = project({"evalkit.yaml": "version: 1\nagents:\n  - slug: invoices\n"})
    manifest = load_manifest(path, env={})
    agent = manifest.agent("invoices")
    assert (agent.slug, agent.name, agent.config, agent.workspace) == (
        "invoices",
        "invoices",
        {},
        None,
    )
    assert manifest.project_root == path.parent.resolve()
    assert manifest.sources == (path.resolve(),)
    with pytest.raises(ValidationError):
        agent.slug = "other"  # type: ignore[misc]


def test_variables_come_from_the_given_environment(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": (
                "version: 1\nagents:\n  - slug: a\n    name: 'A ${TEAM}'\n"
                "    config: {model: '${MODEL:-small}', price: '$${X}'}\n"
            )
        }
    )
    agent = load_manifest(path, env={"TEAM": "billing"}).agents[0]
    assert agent.name == "A billing"
    assert agent.config == {"model": "small", "price": "${X}"}


def test_the_process_environment_is_the_default(
    project: Callable[[Files], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALKIT_TEST_TEAM", "ops")
    path = project(
        {"evalkit.yaml": "version: 1\nagents:\n  - {slug: a, name: '${EVALKIT_TEST_TEAM}'}\n"}
    )
    assert load_manifest(path).agents[0].name == "ops"


def test_includes_join_agents_with_paths_relative_to_the_included_file(
    project: Callable[[Files], Path],
) -> None:
    path = project(
        {
            "evalkit.yaml": "version: 1\ninclude: [teams/*.yaml]\nagents:\n  - slug: root\n",
            "teams/billing.yaml": "version: 1\nagents:\n  - slug: billing\n    workspace: ws/\n",
            "teams/ws/AGENT.md": "# billing\n",
            "teams/search.yaml": (
                "version: 1\ninclude: [nested/more.yaml]\nagents:\n  - slug: search\n"
            ),
            "teams/nested/more.yaml": "version: 1\nworkflows:\n  - workflow: nightly\n",
        }
    )
    manifest = load_manifest(path, env={})
    assert [a.slug for a in manifest.agents] == ["root", "billing", "search"]
    assert [w.workflow for w in manifest.workflows] == ["nightly"]
    billing = manifest.agent("billing")
    assert billing.workspace is not None
    assert billing.workspace.path == (path.parent / "teams" / "ws").resolve()
    assert [p.name for p in manifest.sources] == [
        "evalkit.yaml",
        "billing.yaml",
        "search.yaml",
        "more.yaml",
    ]


def test_a_file_included_twice_is_read_once(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": "version: 1\ninclude: [a.yaml, b.yaml]\n",
            "a.yaml": "version: 1\ninclude: [shared.yaml]\n",
            "b.yaml": "version: 1\ninclude: [shared.yaml]\n",
            "shared.yaml": "version: 1\nagents: [{slug: shared}]\n",
        }
    )
    assert [a.slug for a in load_manifest(path, env={}).agents] == ["shared"]


def test_an_include_glob_matching_nothing_is_an_error(project: Callable[[Files], Path]) -> None:
    path = project({"evalkit.yaml": "version: 1\ninclude: [agents/*.yaml]\n"})
    with pytest.raises(ManifestError, match=r"include pattern 'agents/\*.yaml' matches no file"):
        load_manifest(path, env={})


def test_a_missing_manifest_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(tmp_path / "evalkit.yaml")
    (problem,) = caught.value.problems
    assert "does not exist" in problem.message
    assert "evalkit init" in problem.hint


def test_a_manifest_that_is_no_regular_file_says_what_it_is(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)  # reading it would wait for a writer forever
    dangling = tmp_path / "link.yaml"
    dangling.symlink_to(tmp_path / "gone.yaml")
    (tmp_path / "folder.yaml").mkdir()
    said = {}
    for path in (pipe, dangling, tmp_path / "folder.yaml", Path("/dev/null")):
        with pytest.raises(ManifestError) as caught:
            load_manifest(path)
        (problem,) = caught.value.problems
        said[path.name] = problem.message
    assert said["pipe.yaml"].endswith("is not a regular file (a device, pipe or socket)")
    assert said["null"].endswith("is not a regular file (a device, pipe or socket)")
    assert said["link.yaml"].endswith("is a link to nothing (its target does not exist)")
    assert said["folder.yaml"].endswith("is a folder, not a file")


def test_paths_may_leave_the_manifest_folder_inside_a_git_checkout(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "shared/agent/AGENT.md": "# shared\n",
            "suite/evalkit.yaml": SUITE,
        },
    )
    manifest = load_manifest(tmp_path / "suite" / "evalkit.yaml", env={})
    assert manifest.project_root == tmp_path.resolve()
    assert manifest.agents[0].workspace_files() == {
        "AGENT.md": (tmp_path / "shared/agent/AGENT.md").resolve()
    }


def test_outside_git_the_manifest_folder_is_the_project(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "shared/agent/AGENT.md": "# shared\n",
            "suite/evalkit.yaml": SUITE,
        },
    )
    with pytest.raises(ManifestError, match="leads outside the project folder"):
        load_manifest(tmp_path / "suite" / "evalkit.yaml", env={})


def test_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_files(outside, {"secret/key.txt": "s3cr3t"})
    write_files(
        tmp_path / "p", {"evalkit.yaml": "version: 1\nagents:\n  - {slug: a, workspace: ws}\n"}
    )
    (tmp_path / "p" / "ws").symlink_to(outside / "secret")
    with pytest.raises(ManifestError, match="leads outside the project folder"):
        load_manifest(tmp_path / "p" / "evalkit.yaml", env={})


def test_digest_is_stable_and_follows_the_content(project: Callable[[Files], Path]) -> None:
    path = project({"evalkit.yaml": "version: 1\nagents:\n  - {slug: a, name: 'A ${N:-1}'}\n"})
    first = load_manifest(path, env={}).digest
    assert load_manifest(path, env={}).digest == first
    assert len(first) == 64
    # comments and formatting do not count; content and variables do
    path.write_text("# a comment\nversion: 1\nagents:\n- slug: a\n  name: 'A ${N:-1}'\n")
    assert load_manifest(path, env={}).digest == first
    assert load_manifest(path, env={"N": "2"}).digest != first


def test_digest_is_the_canonical_json_of_every_file_with_its_path(
    project: Callable[[Files], Path],
) -> None:
    """Hashed a file at a time (not the whole text at once), the digest is still that of the
    one canonical text, so runs' manifestDigest labels compare across versions."""
    path = project(
        {
            "evalkit.yaml": "version: 1\ninclude: [more/*.yaml]\n",
            "more/a.yaml": "version: 1\nagents:\n  - {slug: a, name: 'Äpfel ünd'}\n",
            "more/b.yaml": "version: 1\nagents:\n  - {slug: b, config: {n: 2.5, x: null}}\n",
        }
    )
    documents = [
        {"file": "evalkit.yaml", "data": {"version": 1, "include": ["more/*.yaml"]}},
        {
            "file": "more/a.yaml",
            "data": {"version": 1, "agents": [{"slug": "a", "name": "Äpfel ünd"}]},
        },
        {
            "file": "more/b.yaml",
            "data": {"version": 1, "agents": [{"slug": "b", "config": {"n": 2.5, "x": None}}]},
        },
    ]
    text = json.dumps(documents, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert load_manifest(path, env={}).digest == hashlib.sha256(text.encode()).hexdigest()


def test_gates_merge_top_level_then_agent(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": (
                "version: 1\ngates: {min_pass_rate: 0.9, max_failures: 2}\nagents:\n"
                "  - slug: strict\n    gates: {min_pass_rate: 1.0, max_regressions: 0}\n"
                "  - slug: lenient\n    gates: {max_failures: null}\n"
                "  - slug: plain\n"
            )
        }
    )
    manifest = load_manifest(path, env={})
    gates = {a.slug: a.gates.model_dump(exclude_none=True) for a in manifest.agents}
    assert gates == {
        "strict": {"min_pass_rate": 1.0, "max_failures": 2, "max_regressions": 0},
        "lenient": {"min_pass_rate": 0.9},
        "plain": {"min_pass_rate": 0.9, "max_failures": 2},
    }
    assert manifest.gates.model_dump(exclude_none=True) == {"min_pass_rate": 0.9, "max_failures": 2}


def test_workflows_resolve_with_version_and_examples(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": (
                "version: 1\nworkflows:\n  - workflow: invoice-pipeline\n    version: wfh_123\n"
                "    examples:\n      - {name: one, input: {a: 1}, expected: {ok: true}}\n"
            )
        }
    )
    (suite,) = load_manifest(path, env={}).workflows
    assert (suite.workflow, suite.version) == ("invoice-pipeline", "wfh_123")
    (example,) = suite.examples
    assert (example.workflow, example.agent_slug, example.expected_json) == (
        "invoice-pipeline",
        None,
        {"ok": True},
    )


def test_problems_in_several_files_are_all_reported(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": "version: 1\ninclude: [a.yaml]\nagents:\n  - {slug: a, nmae: x}\n",
            "a.yaml": "version: 1\nagents:\n  - {slug: b, workspace: missing/}\n",
        }
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={})
    where = [(Path(p.mark.file).name, p.mark.line) for p in caught.value.problems]
    assert where == [("evalkit.yaml", 4), ("a.yaml", 3)]
    assert str(caught.value).startswith("2 problems in the manifest:")


def test_local_platform_workflows_is_an_absolute_resolved_folder(
    project: Callable[[Files], Path],
) -> None:
    path = project(
        {
            "evalkit.yaml": "version: 1\nlocal_platform:\n  workflows: ./defs/../platform/\n",
            "platform/pipeline.yaml": "name: pipeline\n",
            "defs/README.md": "\n",
        }
    )
    manifest = load_manifest(path, env={})
    folder = manifest.local_workflows_dir
    assert folder == (path.parent / "platform").resolve()
    assert folder is not None
    assert folder.is_absolute()


def test_without_local_platform_there_is_no_workflows_folder(
    project: Callable[[Files], Path],
) -> None:
    path = project({"evalkit.yaml": "version: 1\nlocal_platform: {}\n"})
    assert load_manifest(path, env={}).local_workflows_dir is None
    path.write_text("version: 1\n")
    assert load_manifest(path, env={}).local_workflows_dir is None


def test_local_platform_workflows_may_not_link_out_of_the_project(tmp_path: Path) -> None:
    write_files(tmp_path / "outside", {"wf.yaml": "name: x\n"})
    write_files(tmp_path / "p", {"evalkit.yaml": "version: 1\nlocal_platform: {workflows: wf}\n"})
    (tmp_path / "p" / "wf").symlink_to(tmp_path / "outside")
    with pytest.raises(ManifestError, match="leads outside the project folder"):
        load_manifest(tmp_path / "p" / "evalkit.yaml", env={})


def test_problems_deep_in_the_last_example_of_a_large_manifest_keep_their_place(
    project: Callable[[Files], Path],
) -> None:
    # marks deeper than agents[].examples[].<key> are found again from the text when a
    # problem needs one: they must be exact at the end of a large file too
    lines = ["version: 1", "agents:", "  - slug: big", "    examples:"]
    for index in range(2000):
        lines += [f"      - name: ex{index}", f"        input: {{n: {index}, deep: [{{k: 1}}]}}"]
        lines.append("        expected: {total: 1}")
    lines += [
        "      - name: without-its-file",
        "        input: {n: 1}",
        "        input_files: {doc: missing.pdf}",
        "        expected: {total: 1}",
        "  - slug: after",
        "    examples:",
        "      - name: last",
        "        input: {n: 1}",
        "        expected: {total: 1}",
        "        compare: {rules: {/total: {tolerance: many}}}",
    ]
    path = project({"evalkit.yaml": "\n".join(lines) + "\n"})
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={})
    found = {(p.mark.line, p.mark.column, p.key) for p in caught.value.problems}
    doc, rules = len(lines) - 7, len(lines)
    assert found == {
        (doc, lines[doc - 1].index("missing") + 1, "agents[0].examples[2000].input_files.doc"),
        (
            rules,
            lines[rules - 1].index("many") + 1,
            'agents[1].examples[0].compare.rules["/total"].tolerance',
        ),
    }


def test_a_json_schema_rule_is_anchored_to_its_file_and_checked_at_its_line(
    project: Callable[[Files], Path],
) -> None:
    schema = '{"type": "object", "required": ["answer"]}'
    text = (
        "version: 1\nagents:\n  - slug: bot\n    compare:\n      rules:\n"
        "        '': {json_schema: schemas/answer.json}\n"
        "    examples:\n      - {name: one, input: {a: 1}, expected: {answer: x}}\n"
    )
    path = project({"evalkit.yaml": text, "schemas/answer.json": schema})
    manifest = load_manifest(path, env={})
    rule = manifest.agents[0].examples[0].compare.rules[""]
    assert rule.json_schema == str(path.parent.resolve() / "schemas" / "answer.json")

    missing = project({"evalkit.yaml": text.replace("answer.json", "gone.json")})
    with pytest.raises(ManifestError) as caught:
        load_manifest(missing, env={})
    problem = caught.value.problems[0]
    assert (problem.mark.line, "gone.json" in problem.message) == (6, True)

    outside = project({"evalkit.yaml": text.replace("schemas/answer.json", "../x.json")})
    with pytest.raises(ManifestError, match="outside the project"):
        load_manifest(outside, env={})


def test_loading_many_inline_examples_peaks_at_the_files_models_not_its_hash(
    project: Callable[[Files], Path],
) -> None:
    """A file's canonical text is hashed before its models and examples are made: made at
    the end, it was alive on top of all of them, the peak of a load (11.4 KB an example of
    the benchmark's, 9.1 KB hashed first: traced bytes, ``tracemalloc``)."""
    import gc
    import tracemalloc

    count = 300
    lines = "".join(
        f"      - name: ex{i:04d}\n"
        f"        input: {{invoice: INV-{i:06d}, vendor: Vendor number {i % 97}, lines: ["
        + ", ".join(
            f"{{sku: SKU-{i % 13}-{n}, quantity: {n + 1}, price: {n * 1.25}}}" for n in range(6)
        )
        + "]}\n"
        f"        expected: {{invoice: INV-{i:06d}, total: {i * 2.5}}}\n"
        for i in range(count)
    )
    path = project({"evalkit.yaml": f"version: 1\nagents:\n  - slug: a\n    examples:\n{lines}"})
    load_manifest(path, env={})  # imports and caches first
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        manifest = load_manifest(path, env={})
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(manifest.examples()) == count
    assert peak / count < 8_800  # 9,984 bytes an example hashed last, 7,734 hashed first


def test_a_workspace_pull_is_about_to_write_may_be_missing(
    project: Callable[[Files], Path],
) -> None:
    """``awaiting_workspaces``: those agents' folders may not exist yet, the others' must."""
    path = project(
        {
            "evalkit.yaml": (
                "version: 1\nagents:\n  - {slug: a, workspace: new/}\n"
                "  - {slug: b, workspace: gone/}\n"
            )
        }
    )
    manifest = load_manifest(path, env={}, awaiting_workspaces=["a", "b"])
    workspace = manifest.agent("a").workspace
    assert workspace is not None
    assert workspace.path == path.parent.resolve() / "new"
    assert workspace.files() == {}
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={}, awaiting_workspaces=["a"])
    (problem,) = caught.value.problems
    assert "folder 'gone/' not found" in problem.message
    assert (problem.mark.line, problem.mark.column) == (4, 26)
