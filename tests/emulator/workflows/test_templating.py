"""``${...}`` templating: typed values, text interpolation, escapes, errors."""

from __future__ import annotations

from typing import Any

import pytest

from evalkit.emulator.runtime.job import InputFile
from evalkit.emulator.workflows.templating import TemplateError, expressions, render

CONTEXT: dict[str, Any] = {
    "input": {
        "currency": "EUR",
        "n": 3,
        "doc": InputFile("doc", "a.pdf", b"12", "application/pdf"),
    },
    "steps": {"extract": {"output": {"total": 12.5, "lines": [{"amount": 1}, {"amount": 2}]}}},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${input.n}", 3),
        ("${steps.extract.output.total}", 12.5),
        ("${steps.extract.output.lines.1.amount}", 2),
        ("${steps.extract.output}", CONTEXT["steps"]["extract"]["output"]),
        ("Total ${steps.extract.output.total} ${input.currency}", "Total 12.5 EUR"),
        ("lines: ${steps.extract.output.lines}", 'lines: [{"amount": 1}, {"amount": 2}]'),
        ("file ${input.doc}", "file a.pdf"),
        ("${input.doc.filename} ${input.doc.size}", "a.pdf 2"),
        ("cost $${input.n}", "cost ${input.n}"),
        ("$${input.n}", "${input.n}"),
        (
            {"a": ["${input.n}", {"b": "${input.currency}"}], "${input.n}": 1},
            {"a": [3, {"b": "EUR"}], "${input.n}": 1},
        ),
        (7, 7),
        (None, None),
    ],
)
def test_render(template: Any, expected: Any) -> None:
    assert render(template, CONTEXT) == expected


def test_whole_expression_keeps_a_file_input_as_the_file() -> None:
    assert render("${input.doc}", CONTEXT) is CONTEXT["input"]["doc"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("${input.missing}", "input has no 'missing'"),
        ("${steps.extract.output.lines.5}", "steps.extract.output.lines has no '5'"),
        ("${steps.extract.output.total.x}", "has no 'x'"),
        ("${env.HOME}", "must start with 'input.' or 'steps.'"),
        ("${input.a + 1}", "is not a dotted path"),
        ("${__import__('os')}", "is not a dotted path"),
        ("${steps.extract.total}", "must look like ${steps.<id>.output...}"),
    ],
)
def test_bad_expressions_raise_clear_errors(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, CONTEXT)
    assert message in str(caught.value)


def test_expressions_lists_every_expression_but_escapes() -> None:
    template = {"a": "${input.x} and $${input.y}", "b": ["${steps.s.output}"]}
    assert list(expressions(template)) == ["input.x", "steps.s.output"]
