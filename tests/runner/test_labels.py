"""The labels evalkit puts on executions are declared once (``runner.labels``): no other module
of evalkit spells one. The local platform (``emulator``) and the wire models (``api``) read
``batchId``/``exampleName`` as the contract's own fields and are not evalkit's writers."""

from __future__ import annotations

import ast
from pathlib import Path

import evalkit
from evalkit.runner import labels as run_labels

PACKAGE = Path(evalkit.__file__).parent
NOT_WRITERS = ("emulator", "api")
KEYS = {
    value for name, value in vars(run_labels).items() if name.isupper() and isinstance(value, str)
}


def test_the_label_keys_are_spelt_only_in_runner_labels() -> None:
    assert {"batchId", "exampleName", "evalkitAttempt", "evalkitJudgement"} <= KEYS
    spelt = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in NOT_WRITERS or relative == Path("runner/labels.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in KEYS:
                spelt.append(f"{relative}:{node.lineno}: {node.value}")
    assert spelt == []


def test_evalkit_only_labels_are_labels() -> None:
    assert run_labels.EVALKIT_ONLY <= KEYS
    assert run_labels.EXAMPLE_NAME not in run_labels.EVALKIT_ONLY  # a user's run may set it
