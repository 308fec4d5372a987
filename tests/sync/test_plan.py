"""A plan's changes as data: the outline of an agent's change that a run's record keeps."""

from __future__ import annotations

from pathlib import Path

from evalkit.sync.plan import Action
from evalkit.sync.plan_file import plan_record
from evalkit.sync.render import render_markdown

from .plans import realistic_plan


def test_an_outline_counts_and_renders_as_the_whole_change(tmp_path: Path) -> None:
    made = realistic_plan(tmp_path)
    outlined = made.model_copy(update={"agents": tuple(a.outline() for a in made.agents)})

    assert plan_record(outlined) == plan_record(made)
    for shown in (None, 0, 1):
        assert render_markdown(outlined, examples_shown=shown) == render_markdown(
            made, examples_shown=shown
        )
    for whole, outline in zip(made.agents, outlined.agents, strict=True):
        assert [outline.count(a) for a in Action] == [whole.count(a) for a in Action]
        assert outline.desired.files == {}
        examples = {f.example for f in whole.files if f.example is not None}
        assert len([f for f in outline.files if f.example is not None]) == len(examples)
    assert any(
        len(o.files) < len(w.files) for o, w in zip(outlined.agents, made.agents, strict=True)
    )
