"""The complete example in docs/agent-runtime.md runs as the page says it does."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from evalkit.emulator.runtime import AgentJob, InputFile, run_agent_job

DOC = Path(__file__).resolve().parents[3] / "docs" / "agent-runtime.md"


def fenced_block(text: str, language: str, index: int = 0) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)
    return str(blocks[index])


def test_documented_example_agent(make_job: Callable[..., AgentJob]) -> None:
    text = DOC.read_text()
    workspace = {
        "main.py": fenced_block(text, "python").encode(),
        "output-schema.json": fenced_block(text, "json").encode(),
        "examples/march/expected.json": b'{"total": 12.75}',
    }
    job = make_job(
        workspace=workspace,
        input_json={"currency": "EUR"},
        input_files=[InputFile("invoice", "march.txt", b"Paper 10.50\nInk 2.25\n", "text/plain")],
    )
    outcome = run_agent_job(job)
    assert outcome.status == "completed", outcome.error
    assert outcome.output == {"currency": "EUR", "total": 12.75, "lines": 2}
    assert outcome.schema_valid is True
    assert [f.name for f in outcome.output_files] == ["summary.md"]
    assert b"Total: 12.75" in outcome.output_files[0].content
    assert [(f.name, f.content) for f in outcome.issues] == [("issues.md", b"")]
    documented_builtin = json.loads(fenced_block(text, "json", 1))
    fixed = run_agent_job(make_job(config=documented_builtin))
    assert fixed.output == {"total": 1}
    assert [(f.name, f.content) for f in fixed.output_files] == [("a.txt", b"hi")]
