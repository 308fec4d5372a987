from evalkit.control_chars import visible


def test_visible_keeps_tabs_and_newlines_and_escapes_every_other_control() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("\x00\x1b\x7f\x85\u2028\u2066") == "\\x00\\x1b\\x7f\\x85\\u2028\\u2066"
    assert visible("é ✓ 日本") == "é ✓ 日本"
