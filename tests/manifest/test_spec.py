from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError
from evalkit.manifest import load_manifest
from tests.manifest.project_files import Files

ENVIRONMENTS: Files = {
    "evalkit.yaml": (
        "version: 1\n"
        "agents:\n"
        "  - slug: invoices\n    name: Invoices\n"
        "    examples: [{name: one, expected: {a: 1}}]\n"
        "  - slug: receipts\n"
        "workflows:\n  - workflow: pipeline\n"
        "environments:\n"
        "  pr:\n    slug: '{slug}-pr-${PR_NUMBER:-local}'\n"
        "    name: '{name} (PR ${PR_NUMBER:-local})'\n"
        "  staging:\n    slug: 'staging-{slug}'\n"
    )
}


def test_an_environment_rewrites_every_agent_slug_and_name(
    project: Callable[[Files], Path],
) -> None:
    manifest = load_manifest(project(ENVIRONMENTS), env={"PR_NUMBER": "42"})
    pr = manifest.with_environment("pr")
    assert [(a.slug, a.name) for a in pr.agents] == [
        ("invoices-pr-42", "Invoices (PR 42)"),
        ("receipts-pr-42", "receipts (PR 42)"),
    ]
    assert [a.manifest_slug for a in pr.agents] == ["invoices", "receipts"]
    assert pr.agents[0].examples[0].agent_slug == "invoices-pr-42"
    assert pr.environment == "pr"
    assert pr.agent("invoices") is pr.agents[0]  # found by its manifest slug too
    # the original is untouched, and a second environment starts from the manifest's slugs
    assert manifest.agents[0].slug == "invoices"
    staging = pr.with_environment("staging")
    assert [(a.slug, a.name) for a in staging.agents] == [
        ("staging-invoices", "Invoices"),
        ("staging-receipts", "receipts"),
    ]
    assert [w.workflow for w in staging.workflows] == ["pipeline"]


def test_the_variable_default_applies_without_the_variable(
    project: Callable[[Files], Path],
) -> None:
    pr = load_manifest(project(ENVIRONMENTS), env={}).with_environment("pr")
    assert pr.agents[0].slug == "invoices-pr-local"


def test_an_unknown_environment_suggests_the_closest(project: Callable[[Files], Path]) -> None:
    manifest = load_manifest(project(ENVIRONMENTS), env={})
    with pytest.raises(ManifestError) as caught:
        manifest.with_environment("stagign")
    (problem,) = caught.value.problems
    assert problem.message == "unknown environment 'stagign' (known: pr, staging)"
    assert problem.hint == "did you mean 'staging'?"


def test_an_environment_value_that_makes_a_bad_slug_is_caught_at_load(
    project: Callable[[Files], Path],
) -> None:
    with pytest.raises(ManifestError, match="into invalid slug 'invoices-pr-feature/x'"):
        load_manifest(project(ENVIRONMENTS), env={"PR_NUMBER": "feature/x"})


def test_an_environment_may_not_land_on_another_agent(project: Callable[[Files], Path]) -> None:
    files = {
        "evalkit.yaml": (
            "version: 1\nagents: [{slug: a}, {slug: a-copy}]\n"
            "environments: {copy: {slug: '{slug}-copy'}}\n"
        )
    }
    with pytest.raises(ManifestError, match="maps 'a' onto the existing agent 'a-copy'"):
        load_manifest(project(files), env={})


def test_examples_lists_agents_then_workflows(project: Callable[[Files], Path]) -> None:
    files = {
        "evalkit.yaml": (
            "version: 1\nagents:\n  - slug: a\n    examples: [{name: e1, expected: 1}]\n"
            "workflows:\n  - workflow: w\n    examples: [{name: e2, expected: 2}]\n"
        )
    }
    manifest = load_manifest(project(files), env={})
    assert [(e.name, e.agent_slug, e.workflow) for e in manifest.examples()] == [
        ("e1", "a", None),
        ("e2", None, "w"),
    ]
    with pytest.raises(KeyError):
        manifest.agent("missing")


INLINE: Files = {
    "evalkit.yaml": (
        "version: 1\n"
        "agents:\n"
        "  - slug: a\n"
        "    examples:\n"
        "      - name: e1\n"
        "        input: {invoice: INV-1, lines: [{qty: 2, price: 1.5}], note: caf\u00e9}\n"
        "        expected: {total: 3.0, big: 123456789012345678901234567890}\n"
    )
}


def test_an_inline_example_is_kept_as_compact_json_and_read_back_equal(
    project: Callable[[Files], Path],
) -> None:
    # 20,000 inline examples held as Python objects were ~4 KB each: they are kept as text
    manifest = load_manifest(project(INLINE), env={})
    (example,) = manifest.examples()
    assert example.input_text == (
        b'{"invoice":"INV-1","lines":[{"qty":2,"price":1.5}],"note":"caf\\u00e9"}'
    )
    assert example.input_json == {
        "invoice": "INV-1",
        "lines": [{"qty": 2, "price": 1.5}],
        "note": "caf\u00e9",
    }
    expected = example.expected_json
    assert expected == {"total": 3.0, "big": 123456789012345678901234567890}
    assert isinstance(expected["total"], float)
    # each use is a copy: changing one changes nothing in the manifest
    expected["total"] = 0
    assert example.expected_json["total"] == 3.0


def test_an_example_made_in_code_takes_json_values(tmp_path: Path) -> None:
    from evalkit.errors import SourceMark
    from evalkit.manifest.spec import ExampleSpec

    lone = "\ud800"  # a JSON file may escape half a surrogate pair: kept as it was read
    example = ExampleSpec(
        name="e", input_json={"q": lone}, expected_json=None, mark=SourceMark("m.yaml", 1, 1)
    )
    assert example.input_json == {"q": lone}
    assert example.expected_json is None
    assert example.expected_text is None
    assert example.model_copy(update={"agent_slug": "b"}).input_json == {"q": lone}
    files = example.model_copy(update={"input_text": b'{"q":1}'}).platform_files()
    assert files == {"examples/e/input.json": b'{\n  "q": 1\n}\n'}


def test_an_inline_examples_platform_files_are_made_when_asked(
    project: Callable[[Files], Path],
) -> None:
    (example,) = load_manifest(project(INLINE), env={}).examples()
    sources = example.platform_sources()
    assert sorted(sources) == ["examples/e1/expected.json", "examples/e1/input.json"]
    made = sources["examples/e1/input.json"]
    assert not isinstance(made, (bytes, Path))
    assert made() == example.platform_files()["examples/e1/input.json"]
    assert (
        made()
        == (
            '{\n  "invoice": "INV-1",\n  "lines": [\n    {\n      "qty": 2,\n      "price": 1.5\n'
            '    }\n  ],\n  "note": "caf\u00e9"\n}\n'
        ).encode()
    )


def test_json_texts_serves_the_example_and_the_job_and_declares_no_field() -> None:
    from evalkit.manifest.spec import ExampleSpec, JsonTexts
    from evalkit.runner.jobs import ExampleJob

    # one declaration of input_json/expected_json over compact text, for both classes
    for cls in (ExampleSpec, ExampleJob):
        assert issubclass(cls, JsonTexts)
        assert "input_json" not in vars(cls)
        assert "expected_json" not in vars(cls)
    fields = {field.name for field in dataclasses.fields(ExampleSpec)}
    assert "input_json" not in fields
    assert {"input_text", "expected_text"} <= fields


FILES_OR_NOT: Files = {
    "evalkit.yaml": (
        "version: 1\n"
        "agents:\n"
        "  - slug: a\n"
        "    examples:\n"
        "      - {name: plain, input: {q: 1}, expected: {a: 1}}\n"
        "      - name: with-files\n"
        "        input_files: {doc: doc.txt}\n"
        "        expected_files: {out.txt: out.txt}\n"
        "      - folder: examples\n"
    ),
    "doc.txt": "document\n",
    "out.txt": "output\n",
    "examples/folder-one/input.json": '{"q": 2}',
    "examples/folder-one/expected.json": '{"a": 2}',
}


def test_examples_without_files_share_one_empty_mapping_that_refuses_changes(
    project: Callable[[Files], Path],
) -> None:
    from evalkit.errors import SourceMark
    from evalkit.manifest.spec import NO_FILES, ExampleSpec

    path = project(FILES_OR_NOT)
    root = path.parent
    plain, with_files, folder_one = load_manifest(path, env={}).examples()
    # one empty mapping for all of them (20,000 examples held 40,000 empty dicts)
    for example in (plain, folder_one):
        assert example.input_files is NO_FILES
        assert example.expected_files is NO_FILES
    assert with_files.input_files == {"doc": root / "doc.txt"}
    assert with_files.expected_files == {"out.txt": root / "out.txt"}
    # the same example as one made with empty dicts: fields, fields given, dump, mark
    made = ExampleSpec(
        name="plain",
        agent_slug="a",
        workflow=None,
        input_json={"q": 1},
        input_files={},
        expected_json={"a": 1},
        expected_files={},
        tags=(),
        compare=plain.compare,
        repeat=None,
        notes=None,
        mark=SourceMark(plain.mark.file, 5, 9),
    )
    assert made.input_files is NO_FILES
    assert plain == made
    assert plain.platform_files() == {
        "examples/plain/input.json": b'{\n  "q": 1\n}\n',
        "examples/plain/expected.json": b'{\n  "a": 1\n}\n',
    }
    # shared, so changing it would give files to every example: refused
    with pytest.raises(TypeError, match="cannot be changed"):
        plain.input_files["doc"] = root / "doc.txt"
    with pytest.raises(TypeError, match="cannot be changed"):
        plain.expected_files.update({"out.txt": root / "out.txt"})
    assert NO_FILES == {}
    copied = plain.model_copy(update={"agent_slug": "b"})
    assert copied.input_files is NO_FILES


def _kept_bytes_per_example(path: Path, count: int) -> float:
    import gc
    import tracemalloc

    load_manifest(path, env={})  # imports and caches first
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        manifest = load_manifest(path, env={})
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(manifest.examples()) == count
    return kept / count


def test_an_inline_example_keeps_its_texts_and_little_else(
    project: Callable[[Files], Path],
) -> None:
    count = 400
    lines = "".join(
        f"      - {{name: ex{i:04d}, input: {{invoice: INV-{i:06d}}}, expected: {{ok: true}}}}\n"
        for i in range(count)
    )
    path = project({"evalkit.yaml": f"version: 1\nagents:\n  - slug: a\n    examples:\n{lines}"})
    # its two compact JSON texts, the example with its attributes, and its mark: 961 bytes
    # when each example had an empty dict for each of its files, 833 with one shared, 793
    # with its mark slotted (no __dict__)
    assert _kept_bytes_per_example(path, count) < 815


def test_an_example_is_slotted_and_still_read_and_dumped_as_its_agents_field(
    project: Callable[[Files], Path],
) -> None:
    """A 20,000-example manifest held 600 bytes an example as a pydantic model; slotted, 200.
    Its agent still takes it as it is and dumps it field by field (declarations read that)."""
    import sys

    manifest = load_manifest(project(INLINE), env={})
    (agent,) = manifest.agents
    (example,) = agent.examples
    assert not hasattr(example, "__dict__")
    assert sys.getsizeof(example) < 200
    assert agent.model_copy(update={"examples": (example,)}).examples[0] is example
    dumped = agent.model_dump()["examples"][0]
    assert dumped["name"] == "e1"
    assert dumped["input_text"] == example.input_text
    assert dumped["compare"] == example.compare.model_dump()
    renamed = example.model_copy(update={"agent_slug": "b"})
    assert (renamed.agent_slug, renamed.input_json) == ("b", example.input_json)
    assert renamed != example
    assert dataclasses.replace(renamed, agent_slug=example.agent_slug) == example
