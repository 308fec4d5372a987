"""``carried_over``: ruamel.yaml's edit reaches the file's own lines; a line it writes back
differently stays as written, unless the edit touches it, which names its place."""

from __future__ import annotations

import pytest

from evalkit.runner.carried_edit import Unreproduced, carried_over

FILE = 'a: "\\u00c9"\nb: 1\nc:  2\nd: 3\n'
BASE = 'a: "É"\nb: 1\nc: 2\nd: 3\n'  # as ruamel.yaml writes FILE back


def test_the_edit_reaches_the_file_and_the_rest_stays_as_written() -> None:
    carried = carried_over(
        FILE, BASE, BASE.replace("b: 1", "b: 9").replace("d: 3\n", "d: 3\ne: 4\n")
    )
    assert carried.text == FILE.replace("b: 1", "b: 9") + "e: 4\n"
    assert carried.replaced == [(1, 2), (4, 4)]


ESCAPE = "the escape \\u00c9"
LAYOUT = "the layout of 'c:  2' (spacing, quoting or a comment)"


@pytest.mark.parametrize(
    ("file", "base", "edited", "place"),
    [
        (FILE, BASE, BASE.replace("É", "x"), (1, 5, ESCAPE)),
        (FILE, BASE, BASE.replace("c: 2", "c: 5"), (3, 4, LAYOUT)),
        # a line inserted between two lines written back differently
        ('a: "\\u00c9"\nc:  2\n', 'a: "É"\nc: 2\n', 'a: "É"\nb: 1\nc: 2\n', (1, 5, ESCAPE)),
    ],
)
def test_an_edit_of_a_line_written_back_differently_names_it(
    file: str, base: str, edited: str, place: tuple[int, int, str]
) -> None:
    with pytest.raises(Unreproduced) as raised:
        carried_over(file, base, edited)
    assert (raised.value.line, raised.value.column, raised.value.construct) == place
