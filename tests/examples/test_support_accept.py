"""``evalkit run --update --yes`` on the support project: the judge disagrees with one of its
labelled examples (condescending); the label is a person's, so accept lists it and leaves it
as written, and accepts nothing else (everything else passes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.runner.test_cli_run import evalkit, finish

from .support_harness import PROJECT

LABEL = "examples/support/agents/reply-judge/examples/condescending/expected.json"


@pytest.mark.slow
def test_run_update_leaves_a_judges_labels_alone(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    shutil.copytree(
        PROJECT,
        root / "examples" / "support",
        ignore=shutil.ignore_patterns(".evalkit", "__pycache__"),
    )
    label = (root / LABEL).read_bytes()
    args = ("-m", "examples/support/evalkit.yaml", "--json", "run", "--no-report", "--update")
    code, stdout, stderr = finish(evalkit(*args, "--yes", cwd=root, env={"CI": ""}))
    assert "Traceback" not in stderr, stderr
    assert code == 1, stderr  # not everything that did not pass could be accepted
    accepted = json.loads(stdout)["accept"]
    assert accepted["accepted"] == []
    assert [
        (item["agent"], item["example"], item["reason"]) for item in accepted["not_accepted"]
    ] == [
        (
            "reply-judge",
            "condescending",
            "a person's label: the judge disagrees with it; edit it by hand if the label is wrong",
        )
    ]
    assert (root / LABEL).read_bytes() == label
