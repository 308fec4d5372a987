from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evalkit.errors import ManifestError, ManifestProblem, SourceMark
from evalkit.manifest import examples, load_manifest
from evalkit.manifest.paths import display_path
from evalkit.manifest.workspace import DEFAULT_EXCLUDES, glob_regex
from evalkit.manifest.yaml_source import loc_text
from tests.manifest.project_files import Files, write_files

FOLDER_PROJECT: Files = {
    "evalkit.yaml": (
        "version: 1\n"
        "agents:\n"
        "  - slug: invoices\n"
        "    tags: [billing]\n"
        "    workspace: agent/\n"
        "    examples:\n"
        "      - folder: agent/examples/\n"
        "        tags: [regression]\n"
        "        examples:\n"
        "          acme:\n"
        "            tags: [smoke]\n"
        "            notes: The simplest invoice.\n"
        "            compare: {rules: {/total: {tolerance: 0.5}}}\n"
        "      - name: inline-one\n"
        "        input: {currency: EUR}\n"
        "        input_files: {invoice: files/march.pdf}\n"
        "        expected: {total: 10}\n"
        "        expected_files: {report/lines.csv: files/lines.csv}\n"
        "        tags: [inline]\n"
    ),
    "agent/AGENT.md": "# invoices\n",
    "agent/examples/acme/input.json": {"currency": "USD"},
    "agent/examples/acme/input/invoice.csv": "a,b\n",
    "agent/examples/acme/expected.json": {"total": 3},
    "agent/examples/acme/expected/line_items.csv": "x\n",
    "agent/examples/acme/expected/pages/1.txt": "page\n",
    "agent/examples/acme/README.md": "Notes from the file.\n",
    "agent/examples/beta/input/invoice.txt": "text invoice\n",
    "agent/examples/beta/expected.json": {"total": 4},
    "agent/examples/beta/README.md": "Beta notes.\n",
    "agent/examples/.DS_Store": b"junk",
    "files/march.pdf": b"%PDF-1.4",
    "files/lines.csv": "l\n",
}


def test_folder_examples_are_read_in_the_platform_layout(
    project: Callable[[Files], Path],
) -> None:
    path = project(FOLDER_PROJECT)
    agent = load_manifest(path, env={}).agent("invoices")
    acme, beta, inline = agent.examples
    folder = path.parent.resolve() / "agent/examples/acme"
    assert (acme.name, acme.agent_slug, acme.workflow) == ("acme", "invoices", None)
    assert acme.input_json == {"currency": "USD"}
    assert acme.input_files == {"invoice": folder / "input/invoice.csv"}
    assert acme.expected_json == {"total": 3}
    assert acme.expected_files == {
        "line_items.csv": folder / "expected/line_items.csv",
        "pages/1.txt": folder / "expected/pages/1.txt",
    }
    assert acme.tags == ("billing", "regression", "smoke")
    assert acme.notes == "The simplest invoice."  # the manifest's notes win over README.md
    assert acme.compare.rules["/total"].tolerance == 0.5
    assert acme.mark == SourceMark(display_path(path), 10, 11)
    # without extras: the folder's tags, README.md as notes, marked at its expected.json
    assert beta.tags == ("billing", "regression")
    assert beta.notes == "Beta notes."
    assert beta.input_json == {}
    assert beta.mark == SourceMark(display_path(folder.parent / "beta/expected.json"), 1, 1)
    assert inline.name == "inline-one"


def test_platform_files_map_folder_examples_to_their_files(
    project: Callable[[Files], Path],
) -> None:
    path = project(FOLDER_PROJECT)
    acme = load_manifest(path, env={}).agent("invoices").examples[0]
    folder = path.parent.resolve() / "agent/examples/acme"
    assert acme.platform_files() == {
        "examples/acme/input.json": folder / "input.json",
        "examples/acme/input/invoice.csv": folder / "input/invoice.csv",
        "examples/acme/expected.json": folder / "expected.json",
        "examples/acme/expected/line_items.csv": folder / "expected/line_items.csv",
        "examples/acme/expected/pages/1.txt": folder / "expected/pages/1.txt",
    }


def test_platform_files_of_inline_examples_generate_json(
    project: Callable[[Files], Path],
) -> None:
    path = project(FOLDER_PROJECT)
    inline = load_manifest(path, env={}).agent("invoices").examples[2]
    files = inline.platform_files()
    root = path.parent.resolve()
    assert sorted(files) == [
        "examples/inline-one/expected.json",
        "examples/inline-one/expected/report/lines.csv",
        "examples/inline-one/input.json",
        "examples/inline-one/input/invoice.pdf",
    ]
    assert files["examples/inline-one/input/invoice.pdf"] == root / "files/march.pdf"
    content = inline.platform_content()
    assert json.loads(content["examples/inline-one/input.json"]) == {"currency": "EUR"}
    assert json.loads(content["examples/inline-one/expected.json"]) == {"total": 10}
    assert content["examples/inline-one/input/invoice.pdf"] == b"%PDF-1.4"
    assert inline.input_file_types() == {"invoice": "application/pdf"}
    assert inline.tags == ("billing", "inline")
    assert inline.mark.line == 14


def test_an_example_with_only_file_inputs_has_no_generated_input_json(
    project: Callable[[Files], Path],
) -> None:
    path = project(FOLDER_PROJECT)
    beta = load_manifest(path, env={}).agent("invoices").examples[1]
    assert sorted(beta.platform_files()) == [
        "examples/beta/expected.json",
        "examples/beta/input/invoice.txt",
    ]


def test_example_files_linked_from_outside_the_project_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_files(outside, {"secret.txt": "s3cr3t", "case/input.json": {}, "case/expected.json": 1})
    project_dir = tmp_path / "p"
    write_files(
        project_dir,
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "cases/ok/input.json": {},
            "cases/ok/expected.json": {"a": 1},
        },
    )
    (project_dir / "cases/ok/input").mkdir()
    (project_dir / "cases/ok/input/doc.txt").symlink_to(outside / "secret.txt")
    (project_dir / "cases/ok/expected/").mkdir()
    (project_dir / "cases/ok/expected/out.txt").symlink_to(outside / "secret.txt")
    (project_dir / "cases/linked").symlink_to(outside / "case")
    with pytest.raises(ManifestError) as caught:
        load_manifest(project_dir / "evalkit.yaml", env={})
    assert sorted(p.message for p in caught.value.problems) == [
        "example folder 'linked' links outside the project",
        "expected file 'out.txt' links outside the project",
        "input file 'doc.txt' links outside the project",
    ]


def test_example_own_files_linked_from_outside_the_project_are_refused(tmp_path: Path) -> None:
    """input.json, expected.json, README.md and source.json are read only where they stay in
    the project, as input/ and expected/ files are: a link out is refused, once, unread."""
    outside = tmp_path / "outside"
    write_files(outside, {"secret.json": {"token": "s3cr3t"}, "notes.md": "s3cr3t"})
    project_dir = tmp_path / "p"
    write_files(
        project_dir,
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "cases/one/expected.json": {"a": 1},
            "cases/two/input.json": {},
            "cases/two/source.json": {"execution": "exec_1"},
        },
    )
    (project_dir / "cases/one/input.json").symlink_to(outside / "secret.json")
    (project_dir / "cases/one/README.md").symlink_to(outside / "notes.md")
    (project_dir / "cases/two/expected.json").symlink_to(outside / "secret.json")
    (project_dir / "cases/two/source.json").unlink()
    (project_dir / "cases/two/source.json").symlink_to(outside / "secret.json")
    with pytest.raises(ManifestError) as caught:
        load_manifest(project_dir / "evalkit.yaml", env={})
    assert sorted(p.message for p in caught.value.problems) == [
        "example file 'README.md' links outside the project",
        "example file 'expected.json' links outside the project",
        "example file 'input.json' links outside the project",
        "example file 'source.json' links outside the project",
    ]
    assert "s3cr3t" not in str(caught.value)


def test_example_folders_and_files_linked_inside_the_project_are_read(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "shared/case/input.json": {"q": 1},
            "shared/case/expected.json": {"a": 1},
            "shared/answer.json": {"a": 2},
            "cases/own/input.json": {"q": 2},
        },
    )
    (tmp_path / "cases/linked").symlink_to(tmp_path / "shared/case")
    (tmp_path / "cases/own/expected.json").symlink_to(tmp_path / "shared/answer.json")
    manifest = load_manifest(tmp_path / "evalkit.yaml", env={})
    read = {e.name: (e.input_json, e.expected_json) for e in manifest.examples()}
    assert read == {"linked": ({"q": 1}, {"a": 1}), "own": ({"q": 2}, {"a": 2})}


def test_inline_examples_share_their_owners_merged_rules_when_they_have_none(
    project: Callable[[Files], Path],
) -> None:
    # 20,000 inline examples held as many equal copies of their agent's rules
    files = {
        "evalkit.yaml": (
            "version: 1\n"
            "defaults: {compare: {ignore: [/at]}}\n"
            "agents:\n"
            "  - slug: a\n"
            "    compare: {rules: {/total: {tolerance: 0.1}}}\n"
            "    examples:\n"
            "      - {name: e1, expected: {total: 1}}\n"
            "      - {name: e2, expected: {total: 2}}\n"
            "      - {name: e3, expected: {total: 3}, compare: {ignore: [/id]}}\n"
        )
    }
    e1, e2, e3 = load_manifest(project(files), env={}).examples()
    assert e1.compare is e2.compare
    assert e1.compare.ignore == ["/at"]
    assert e1.compare.rules["/total"].tolerance == 0.1
    assert e3.compare.ignore == ["/at", "/id"]
    assert e3.compare.rules["/total"].tolerance == 0.1


@pytest.mark.parametrize(
    "name",
    [
        ".git",
        ".DS_Store",
        "__pycache__",
        "x.pyc",
        "a/b/x.pyo",
        "sub/.git/config",
        "input.json",
        "expected",
        "notes.md",
        "ex00001",
        "x.pyc.json",
        "a.pyc\n",
        ".gitkeep",
    ],
)
def test_junk_is_any_default_exclusion(name: str) -> None:
    """The default exclusions, matched as one pattern, leave out what any one of them does."""
    one_by_one = any(glob_regex(p).match(name) for p in DEFAULT_EXCLUDES)
    assert bool(examples._JUNK.match(name)) is one_by_one


def test_a_json_file_with_a_byte_order_mark_is_read_past_it(
    project: Callable[[Files], Path],
) -> None:
    """Some editors start UTF-8 files with a byte-order mark; JSON parsers may ignore it (RFC
    8259, 8.1), and evalkit reads past it rather than calling the file invalid JSON."""
    files = dict(FOLDER_PROJECT)
    files["agent/examples/acme/input.json"] = codecs.BOM_UTF8 + b'{"currency": "USD"}'
    agent = load_manifest(project(files), env={}).agent("invoices")
    assert agent.examples[0].input_json == {"currency": "USD"}


#: names a file input could be given: the platform takes the first ones and refuses the rest
FIELD_NAMES = ["invoice", "doc.v2", "ünïcode", "../doc", "a/b", "", ".", "..", "%2e%2e", "a\\b"]
FIELD_NAMES += ["tab\there", "．．", "a" * 256]


def _platform_refuses(field: str) -> bool:
    from evalkit.emulator.multipart import check_file_field
    from evalkit.emulator.problems import ApiProblem

    try:
        check_file_field(field, field)
    except ApiProblem:
        return True
    return False


def _refused_fields(problems: list[ManifestProblem]) -> list[ManifestProblem]:
    return [p for p in problems if "cannot be a file input" in p.message]


@pytest.mark.parametrize("field", FIELD_NAMES, ids=lambda field: repr(field)[:20])
def test_an_input_files_key_is_refused_where_the_platform_refuses_it(
    project: Callable[[Files], Path], field: str
) -> None:
    """The manifest and the local platform apply one rule to a file input's name: a name that
    validates is one that runs."""
    manifest = (
        "version: 1\nagents:\n  - slug: a\n    examples:\n      - name: x\n"
        f"        input_files: {{{json.dumps(field)}: doc.pdf}}\n        expected: {{}}\n"
    )
    path = project({"evalkit.yaml": manifest, "doc.pdf": "%PDF"})
    problems: list[ManifestProblem] = []
    try:
        load_manifest(path, env={})
    except ManifestError as err:
        problems = err.problems
    refused = _refused_fields(problems)
    assert refused == problems  # nothing else is wrong with the manifest
    assert bool(refused) is _platform_refuses(field)
    if refused:
        assert (refused[0].mark.line, refused[0].mark.column) == (6, 23)
        assert refused[0].key == loc_text(("agents", 0, "examples", 0, "input_files", field))


@pytest.mark.parametrize("name", ["..pdf", "...pdf", "%2e%2e.pdf", "a\\b.pdf", "．．.pdf"])
def test_an_input_file_named_as_the_platform_refuses_is_refused(
    project: Callable[[Files], Path], name: str
) -> None:
    """An example folder's input/<field>.<ext> names its field by the same rule."""
    path = project(
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "cases/one/input.json": {},
            f"cases/one/input/{name}": "x",
            "cases/one/expected.json": {},
        }
    )
    field = Path(name).stem
    assert _platform_refuses(field)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={})
    [problem] = caught.value.problems
    assert problem.message.startswith(f"input file {name!r} names the input field {field!r}")
    assert "cannot be a file input" in problem.message
    assert problem.mark.file == display_path(path.parent / "cases/one/input" / name)
    assert "rename it input/<input key><extension>" in problem.hint


def test_an_input_file_with_a_plain_field_name_is_taken(project: Callable[[Files], Path]) -> None:
    path = project(
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "cases/one/input/doc.v2.pdf": "x",
            "cases/one/expected.json": {},
        }
    )
    [example] = load_manifest(path, env={}).agent("a").examples
    assert list(example.input_files) == ["doc.v2"]


@pytest.mark.parametrize("name", ["%2e%2e", "a%2fb.csv", "．．"])
def test_an_expected_file_named_as_the_platform_refuses_is_refused(
    project: Callable[[Files], Path], name: str
) -> None:
    """expected/<name> becomes examples/<example>/expected/<name> on the platform: a name it
    refuses (contract A7) is refused at the file, not by sync without a line."""
    path = project(
        {
            "evalkit.yaml": "version: 1\nagents:\n  - {slug: a, examples: cases/}\n",
            "cases/one/input.json": {},
            f"cases/one/expected/{name}": "x",
        }
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(path, env={})
    [problem] = caught.value.problems
    assert problem.message.startswith(f"expected file {name!r} is not a safe relative path: ")
    assert problem.mark.file == display_path(path.parent / "cases/one/expected" / name)
    assert "rename it" in problem.hint
