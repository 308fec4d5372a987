from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evalkit.manifest.interpolate import (
    InterpolationError,
    interpolate_source,
    interpolate_text,
)
from evalkit.manifest.yaml_source import read_yaml

ENV = {"PR": "42", "EMPTY": "", "NAME": "invoices"}


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("plain", "plain"),
        ("${PR}", "42"),
        ("{slug}-pr-${PR}", "{slug}-pr-42"),
        ("${MISSING:-local}", "local"),
        ("${PR:-local}", "42"),
        ("${EMPTY:-fallback}", ""),  # set but empty is set: the default is for unset only
        ("${MISSING:-}", ""),
        ("${MISSING:-a:b-c}", "a:b-c"),
        ("$${PR}", "${PR}"),
        ("$$${PR}", "$${PR}"),  # only "$${" is special: the first "$" stays
        ("cost: $5", "cost: $5"),
        ("$", "$"),
        ("${NAME}/${PR}", "invoices/42"),
    ],
)
def test_references_are_replaced(text: str, result: str) -> None:
    assert interpolate_text(text, ENV) == result


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("${MISSING}", "undefined variable 'MISSING'", "${MISSING:-value}"),
        ("a ${1X} b", "bad variable reference '${1X}'", "${NAME:-default}"),
        ("${}", "bad variable reference '${}'", "${NAME}"),
        ("${PR", "unclosed '${'", "'$${'"),
        ("${PR:+x}", "bad variable reference '${PR:+x}'", ""),
    ],
)
def test_bad_references_are_errors_not_empty_strings(text: str, message: str, hint: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        interpolate_text(text, ENV)
    assert str(caught.value) == message or message in str(caught.value)
    assert hint in caught.value.hint


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
safe_text = st.text(alphabet=st.characters(blacklist_characters="$"), max_size=30)


@given(safe_text)
def test_text_without_dollar_is_unchanged(text: str) -> None:
    assert interpolate_text(text, {}) == text


@given(safe_text, names, safe_text.filter(lambda t: "}" not in t))
def test_escape_gives_the_reference_literally(prefix: str, name: str, default: str) -> None:
    literal = f"{prefix}${{{name}:-{default}}}"
    assert interpolate_text(literal.replace("${", "$${"), {}) == literal


@given(names, st.text(max_size=20), safe_text.filter(lambda t: "}" not in t))
def test_a_set_variable_wins_over_its_default(name: str, value: str, default: str) -> None:
    assert interpolate_text(f"<${{{name}:-{default}}}>", {name: value}) == f"<{value}>"


def test_the_api_key_cannot_be_read_into_a_manifest() -> None:
    with pytest.raises(InterpolationError) as caught:
        interpolate_text("${EIGENPAL_API_KEY:-x}", {"EIGENPAL_API_KEY": "eg_top_secret"})
    assert "may not be used in a manifest" in str(caught.value)
    assert "eg_top_secret" not in str(caught.value) + caught.value.hint


def test_a_source_is_copied_only_where_a_value_changed(tmp_path: Path) -> None:
    """Most of a large manifest has nothing to interpolate: it is kept as read, not copied."""
    path = tmp_path / "evalkit.yaml"
    path.write_text(
        "version: 1\n"
        "agents:\n"
        "  - slug: a-${PR}\n"
        "    examples:\n"
        "      - {name: one, input: {text: plain, n: [1, {k: v}]}}\n"
        "      - {name: two, input: {text: cost $5}}\n"
    )
    source, problems = read_yaml(path, "evalkit.yaml")
    assert source is not None
    assert not problems
    agent = source.data["agents"][0]
    examples = agent["examples"]
    assert not interpolate_source(source, ENV)
    after = source.data["agents"][0]
    assert after["slug"] == "a-42"
    assert after is not agent  # the slug changed in it
    assert after["examples"] is examples  # nothing in them did
    assert examples[1]["input"]["text"] == "cost $5"
