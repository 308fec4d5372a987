from evalkit.control_chars import one_line, visible
from evalkit.errors import SourceMark


def test_visible_keeps_tabs_and_newlines_and_escapes_every_other_control() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("\x00\x1b\x7f\x85\u2028\u2066") == "\\x00\\x1b\\x7f\\x85\\u2028\\u2066"
    assert visible("é ✓ 日本") == "é ✓ 日本"


def test_one_line_escapes_newlines_and_tabs_too_and_keeps_other_text() -> None:
    assert one_line("new\nline\t.txt") == "new\\nline\\t.txt"
    assert one_line("a\x1b[31m\r\u202e café") == "a\\x1b[31m\\r\\u202e café"


def test_a_file_named_with_a_newline_keeps_its_mark_on_one_line() -> None:
    mark = SourceMark("agents/new\nline.md", 3, 1)
    assert str(mark) == "agents/new\\nline.md:3:1"
    assert str(SourceMark("tab\there")) == "tab\\there"
