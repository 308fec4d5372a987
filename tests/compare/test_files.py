"""Expected files against output files, every mode."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from evalkit.compare import CompareSpec, FileMode, FileRule, compare_files, default_mode
from evalkit.compare.files import csv_spec, glob_matches, rule_for


def rules(data: dict[str, Any]) -> dict[str, FileRule]:
    return CompareSpec.model_validate({"files": data}).files


def one(
    expected: bytes, actual: bytes | None, name: str, file_rules: dict[str, Any] | None = None
) -> Any:
    outputs = {} if actual is None else {name: actual}
    [result] = compare_files({name: expected}, outputs, rules(file_rules or {}))
    return result


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("a.json", FileMode.JSON),
        ("out/A.JSON", FileMode.JSON),
        ("t.csv", FileMode.CSV),
        ("notes.md", FileMode.TEXT),
        ("r.txt", FileMode.TEXT),
        ("page.html", FileMode.TEXT),
        ("img.png", FileMode.BYTES),
        ("README", FileMode.BYTES),
    ],
)
def test_default_mode_by_extension(name: str, mode: FileMode) -> None:
    assert default_mode(name) is mode


@pytest.mark.parametrize(
    ("name", "expected", "actual", "file_rules", "status"),
    [
        # bytes: exact, by sha256
        ("a.bin", b"\x00\x01", b"\x00\x01", None, "match"),
        ("a.bin", b"\x00\x01", b"\x00\x02", None, "differ"),
        ("a.txt", b"a\r\nb\r\n", b"a\nb\n", {"a.txt": {"mode": "bytes"}}, "differ"),
        # text: newlines normalised, final newline not significant
        ("a.txt", b"a\r\nb\r\n", b"a\nb", None, "match"),
        ("a.txt", b"a\rb", b"a\nb\n", None, "match"),
        ("a.txt", b"a\nb\n", b"a\nc\n", None, "differ"),
        ("a.txt", b"a\n\n", b"a\n", None, "differ"),  # only one final newline is forgiven
        (
            "a.txt",
            b"Hello  World\n",
            b"hello world",
            {"*.txt": {"text": ["casefold", "whitespace"]}},
            "match",
        ),
        ("a.txt", "\ufeffhé".encode(), "hé".encode(), None, "match"),  # byte-order mark dropped
        # json: the JSON engine with the file's own rules
        ("a.json", b'{"a": 1, "b": [1, 2]}', b'{"b":[1,2],"a":1.0}', None, "match"),
        ("a.json", b'{"a": 1}', b'{"a": 2}', None, "differ"),
        (
            "a.json",
            b'{"a": 1, "t": "x"}',
            b'{"a": 2, "t": "x"}',
            {"a.json": {"compare": {"ignore": ["/a"]}}},
            "match",
        ),
        # csv: rows as records
        (
            "t.csv",
            b"id,n\n1,a\n2,b\n",
            b"n,id\r\na,1\r\nb,2\r\n",
            None,
            "match",
        ),  # column order free
        ("t.csv", b"id,n\n1,a\n2,b\n", b"id,n\n2,b\n1,a\n", None, "differ"),
        (
            "t.csv",
            b"id,n\n1,a\n2,b\n",
            b"id,n\n2,b\n1,a\n",
            {"*.csv": {"order": "ignore"}},
            "match",
        ),
        (
            "t.csv",
            b"id,n\n1,A\n",
            b"id,n\n1, a \n",
            {"*.csv": {"text": ["strip", "casefold"]}},
            "match",
        ),
        ("t.csv", b"id,amt\n1,1.0\n", b"id,amt\n1,1\n", None, "differ"),  # numbers are text...
        (
            "t.csv",
            b"id,amt\n1,1.0\n",
            b"id,amt\n1,1.004\n",
            {"*.csv": {"compare": {"rules": {"/*/amt": {"tolerance": 0.01}}}}},
            "match",
        ),  # ...unless a tolerance says
        # exists: anything will do
        ("a.bin", b"x", b"completely different", {"a.bin": {"mode": "exists"}}, "match"),
    ],
)
def test_modes(
    name: str, expected: bytes, actual: bytes, file_rules: dict[str, Any] | None, status: str
) -> None:
    assert one(expected, actual, name, file_rules).status == status


def test_missing_and_unexpected_files_are_differences() -> None:
    results = compare_files({"a.txt": b"a", "b.txt": b"b"}, {"b.txt": b"b", "c.png": b"\x89"}, {})
    assert [(r.name, r.status, r.mode) for r in results] == [
        ("a.txt", "missing", FileMode.TEXT),
        ("b.txt", "match", FileMode.TEXT),
        ("c.png", "unexpected", FileMode.BYTES),
    ]
    missing, _, unexpected = results
    assert (missing.expected_size, missing.actual_size, missing.actual_sha256) == (1, None, None)
    assert unexpected.actual_sha256 == hashlib.sha256(b"\x89").hexdigest()
    assert unexpected.expected_sha256 is None


def test_sizes_hashes_and_a_unified_diff_for_text() -> None:
    result = one(b"one\ntwo\nthree\n", b"one\n2\nthree\n", "n.txt")
    assert (result.expected_size, result.actual_size) == (14, 12)
    assert result.expected_sha256 == hashlib.sha256(b"one\ntwo\nthree\n").hexdigest()
    assert result.diff == (
        "--- expected/n.txt\n+++ actual/n.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n"
    )
    assert result.score == 0.0


def test_a_huge_text_diff_is_bounded() -> None:
    expected = "".join(f"line {i}\n" for i in range(3000)).encode()
    actual = "".join(f"LINE {i}\n" for i in range(3000)).encode()
    diff = one(expected, actual, "big.txt").diff
    assert diff is not None
    lines = diff.splitlines()
    assert len(lines) == 201
    assert lines[-1].startswith("... (")
    assert lines[-1].endswith("more diff lines not shown)")


def test_json_file_differences_and_partial_score() -> None:
    result = one(b'{"a": 1, "b": 2, "c": 3, "d": 4}', b'{"a": 1, "b": 2, "c": 3, "d": 5}', "x.json")
    assert result.status == "differ"
    assert [(d.pointer, d.kind) for d in result.differences] == [("/d", "changed")]
    assert result.score == 0.75


def test_csv_row_differences_point_at_row_and_column() -> None:
    result = one(b"id,n\n1,a\n2,b\n3,c\n", b"id,n\n1,a\n2,B\n", "t.csv")
    assert [(d.pointer, d.kind) for d in result.differences] == [
        ("/1/n", "changed"),
        ("/2", "missing"),
    ]
    assert result.score == pytest.approx(3 / 6)  # 6 cells: row 2 missing, one changed


def test_csv_order_ignored_reports_rows_by_pointer() -> None:
    result = one(b"id\n1\n2\n3\n", b"id\n3\n4\n1\n", "t.csv", {"*.csv": {"order": "ignore"}})
    # Nothing in common between rows {"id": "2"} and {"id": "4"}: one missing, one unexpected.
    assert [(d.pointer, d.kind) for d in result.differences] == [
        ("/1", "missing"),
        ("/1", "unexpected"),
    ]
    paired = one(b"id,n\n1,a\n2,b\n", b"id,n\n2,x\n1,a\n", "t.csv", {"*.csv": {"order": "ignore"}})
    assert [(d.pointer, d.kind) for d in paired.differences] == [("/1/n", "changed")]


def test_csv_ragged_rows() -> None:
    result = one(b"a,b\n1,2\n", b"a,b\n1\n3,4,5\n", "t.csv")
    assert [(d.pointer, d.kind) for d in result.differences] == [
        ("/0/b", "missing"),
        ("/1", "unexpected"),
    ]
    assert result.differences[1].actual == {"a": "3", "b": "4", "#3": "5"}


@pytest.mark.parametrize(
    ("name", "expected", "actual", "problem"),
    [
        (
            "a.json",
            b'{"a": 1}',
            b'{"a": ',
            "the output file is not valid JSON: Expecting value at line 1 column 7",
        ),
        ("a.json", b"{", b"{}", "the expected file is not valid JSON"),
        ("a.txt", b"abc", b"\xff\xfe\xfa", "the output file is not UTF-8 text (byte 0)"),
        ("a.csv", b"a\n1\n", b"\xffa", "the output file is not UTF-8 text"),
    ],
)
def test_unreadable_files_differ_with_a_reason(
    name: str, expected: bytes, actual: bytes, problem: str
) -> None:
    result = one(expected, actual, name)
    assert result.status == "differ"
    assert result.problem is not None
    assert result.problem.startswith(problem)


def test_most_specific_file_rule_wins() -> None:
    file_rules = rules(
        {
            "*": {"mode": "bytes"},
            "*.csv": {"mode": "text"},
            "out/*.csv": {"mode": "exists"},
            "out/a.csv": {"mode": "csv"},
        }
    )
    chosen = {
        name: rule_for(name, file_rules) for name in ["x.bin", "b.csv", "out/b.csv", "out/a.csv"]
    }
    assert {name: rule.mode.value for name, rule in chosen.items() if rule} == {
        "x.bin": "bytes",
        "b.csv": "text",
        "out/b.csv": "exists",
        "out/a.csv": "csv",
    }
    assert rule_for("x", {}) is None


def test_ignored_output_files_are_never_unexpected() -> None:
    results = compare_files(
        {"a.txt": b"a"},
        {"a.txt": b"a", "run.log": b"noise", "out/debug.log": b"more", "c.txt": b"c"},
        rules({"*.log": {"ignore": True}}),
    )
    assert [(r.name, r.status) for r in results] == [("a.txt", "match"), ("c.txt", "unexpected")]


def test_expected_files_matching_an_ignored_rule_are_skipped() -> None:
    expected = {"run.log": b"expected log", "gone.log": b"never written", "t.txt": b"t"}
    results = compare_files(
        expected, {"run.log": b"other log", "t.txt": b"t"}, rules({"*.log": {"ignore": True}})
    )
    assert [(r.name, r.status) for r in results] == [("t.txt", "match")]


def test_a_more_specific_rule_brings_an_ignored_file_back() -> None:
    file_rules = rules({"*.log": {"ignore": True}, "audit.log": {"mode": "text"}})
    results = compare_files({}, {"audit.log": b"x", "run.log": b"y"}, file_rules)
    assert [(r.name, r.status, r.mode) for r in results] == [
        ("audit.log", "unexpected", FileMode.TEXT)
    ]


def test_ignore_false_is_the_default_and_changes_nothing() -> None:
    assert FileRule().ignore is False
    results = compare_files({}, {"run.log": b"y"}, rules({"*.log": {"ignore": False}}))
    assert [(r.name, r.status) for r in results] == [("run.log", "unexpected")]


@pytest.mark.parametrize(
    ("glob", "name", "matches"),
    [
        ("*.csv", "a.csv", True),
        ("*.csv", "out/a.csv", True),
        ("a.csv", "out/a.csv", True),  # no '/': the base name, in any folder
        ("out/*.csv", "out/a.csv", True),
        ("out/*.csv", "a.csv", False),
        ("in/a.csv", "out/a.csv", False),
        ("A.csv", "a.csv", False),  # case matters
        ("a.cs?", "a.csv", True),
    ],
)
def test_glob_matching(glob: str, name: str, matches: bool) -> None:
    assert glob_matches(glob, name) is matches


def test_a_rule_without_a_mode_keeps_the_extension_default() -> None:
    result = one(b"id\n1\n2\n", b"id\n2\n1\n", "t.csv", {"*": {"order": "ignore"}})
    assert (result.mode, result.status) == (FileMode.CSV, "match")


def test_csv_spec_puts_file_options_under_the_compare_block() -> None:
    rule = rules(
        {"t.csv": {"order": "ignore", "text": "casefold", "compare": {"ignore": ["/*/id"]}}}
    )["t.csv"]
    merged = csv_spec(rule)
    assert merged.ignore == ["/*/id"]
    assert merged.rules[""].order is not None
    assert merged.rules[""].order.value == "ignore"


def test_to_dict_carries_what_a_report_needs() -> None:
    data = one(b"a\n", b"b\n", "n.txt").to_dict()
    assert data["name"] == "n.txt"
    assert data["mode"] == "text"
    assert data["status"] == "differ"
    assert data["diff"].startswith("--- expected/n.txt")
    assert set(data) >= {"expectedSize", "actualSize", "expectedSha256", "actualSha256", "score"}


def test_a_deeply_nested_json_output_file_differs_with_a_reason() -> None:
    result = one(b"[[1]]", b"[" * 5000 + b"]" * 5000, "t.json")
    assert (result.status, result.score) == ("differ", 0.0)
    assert result.problem == (
        "the output file nests lists and objects more than 64 deep "
        "(evalkit reads at most 64 levels; flatten it)"
    )


def test_a_deeply_nested_expected_json_file_differs_with_a_reason() -> None:
    result = one(b"[" * 100 + b"]" * 100, b"[]", "t.json")
    assert result.status == "differ"
    assert result.problem is not None
    assert result.problem.startswith("the expected file nests lists and objects more than 64")


def test_a_csv_column_named_twice_hides_no_difference() -> None:
    result = one(b"a,b\n9,2\n", b"a,a\n1,2\n", "t.csv")
    assert (result.status, result.score) == ("differ", 0.0)
    assert result.problem is not None
    assert result.problem.startswith("the output file's header names the column 'a' twice")
    # the same repeated header on both sides: still not a match
    both = one(b"a,a\n9,2\n", b"a,a\n1,2\n", "t.csv")
    assert both.status == "differ"
    assert both.problem is not None
    assert both.problem.startswith("the expected file's header names the column 'a' twice")


def test_blank_lines_after_a_csv_files_last_row_are_not_an_extra_row() -> None:
    result = one(b"a,b\n1,2\n", b"a,b\n1,2\n\n\n", "t.csv")
    assert (result.status, result.differences) == ("match", [])
