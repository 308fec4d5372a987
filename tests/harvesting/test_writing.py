"""``write_example``: an example folder is written whole or not at all, never outside its
examples folder, and an existing one is replaced only when asked and only once complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.harvesting.draft import ExampleDraft, FileToFetch
from evalkit.harvesting.writing import ExampleExists, write_example
from evalkit.manifest.models import ExampleSource
from evalkit.safe_paths import UnsafePath


class Downloads:
    """Stands in for ``client.agents.executions``: each file's content is its name; a name in
    ``failing`` fails as a broken connection would."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing = failing
        self.asked: list[tuple[str, str]] = []

    def _write(self, kind: str, filename: str, to: Path) -> Path:
        self.asked.append((kind, filename))
        if filename in self.failing:
            raise ConnectionError(f"lost {filename}")
        to.parent.mkdir(parents=True, exist_ok=True)
        to.write_text(f"{kind}:{filename}", encoding="utf-8")
        return to

    def download_file(self, execution_id: str, kind: str, filename: str, *, to: Path) -> Path:
        return self._write(kind, filename, to)

    def download_expected(self, execution_id: str, filename: str, *, to: Path) -> Path:
        return self._write("expected", filename, to)


def made(*files: FileToFetch) -> ExampleDraft:
    source = ExampleSource(execution="exec_1", expected_from={"json": "output"})
    return ExampleDraft(
        "exec_1",
        {"input.json": {"a": 1}, "expected.json": {"b": 2}, "source.json": {"execution": "x"}},
        files,
        source,
    )


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_the_folder_holds_the_json_files_and_the_downloads(tmp_path: Path) -> None:
    files = (
        FileToFetch("input", "scan.pdf", ("input", "invoice.pdf")),
        FileToFetch("expected", "pages/1.txt", ("expected", "pages", "1.txt")),
    )
    write_example(Downloads(), made(*files), tmp_path / "new", force=False)
    assert listing(tmp_path) == [
        "new/expected.json",
        "new/expected/pages/1.txt",
        "new/input.json",
        "new/input/invoice.pdf",
        "new/source.json",
    ]
    assert (tmp_path / "new" / "input" / "invoice.pdf").read_text() == "input:scan.pdf"
    assert (tmp_path / "new" / "input.json").read_text() == '{\n  "a": 1\n}\n'


def test_a_failed_download_leaves_nothing(tmp_path: Path) -> None:
    files = (FileToFetch("output", "big.bin", ("expected", "big.bin")),)
    with pytest.raises(ConnectionError):
        write_example(Downloads(failing=("big.bin",)), made(*files), tmp_path / "new", force=False)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_replacement_keeps_the_old_example(tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "expected.json").write_text("{}")
    files = (FileToFetch("output", "big.bin", ("expected", "big.bin")),)
    with pytest.raises(ConnectionError):
        write_example(Downloads(failing=("big.bin",)), made(*files), old, force=True)
    assert listing(tmp_path) == ["old/expected.json"]


def test_an_existing_folder_is_refused_before_any_download(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    downloads = Downloads()
    files = (FileToFetch("output", "a.txt", ("expected", "a.txt")),)
    with pytest.raises(ExampleExists, match="--force"):
        write_example(downloads, made(*files), tmp_path / "old", force=False)
    assert downloads.asked == []


def test_force_replaces_a_folder_never_a_file(tmp_path: Path) -> None:
    (tmp_path / "old").write_text("mine")
    downloads = Downloads()
    files = (FileToFetch("output", "a.txt", ("expected", "a.txt")),)
    with pytest.raises(ExampleExists, match="no example folder"):
        write_example(downloads, made(*files), tmp_path / "old", force=True)
    assert downloads.asked == []
    assert listing(tmp_path) == ["old"]


@pytest.mark.parametrize(
    "target", [("..", "escape.txt"), ("input", "..", "..", "escape.txt"), ("/abs",)]
)
def test_a_target_that_would_leave_the_folder_is_refused(
    tmp_path: Path, target: tuple[str, ...]
) -> None:
    """Drafts refuse such names already; the writer joins every path inside regardless."""
    examples = tmp_path / "examples"
    with pytest.raises(UnsafePath):
        write_example(
            Downloads(), made(FileToFetch("output", "x", target)), examples / "new", force=False
        )
    assert listing(tmp_path) == []


def test_a_json_file_name_that_would_leave_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    examples = tmp_path / "examples"
    draft = made()
    hostile = ExampleDraft("exec_1", {"../outside/evil.json": 1}, (), draft.source)
    with pytest.raises(UnsafePath):
        write_example(Downloads(), hostile, examples / "new", force=False)
    assert list(outside.iterdir()) == []
    assert list(examples.iterdir()) == []
