"""A project with a writer agent and judge agents, for the judge agents' run-level tests.

``keyword-judge`` is a small program agent with a deterministic rubric: ``must mention: a,
b`` passes a reply that contains every word (score: the share found); ``nonsense-judge``
answers ``"yes"``; ``broken-judge`` fails."""

from __future__ import annotations

from pathlib import Path

KEYWORD_JUDGE = """\
import json

request = json.load(open("input.json"))
words = [w.strip() for w in request["rubric"].split(":", 1)[1].split(",")]
actual = str(request["actual"]).lower()
found = [w for w in words if w in actual]
missing = [w for w in words if w not in actual]
reason = "mentions " + ", ".join(found) if not missing else "does not mention " + ", ".join(missing)
print(json.dumps({"score": len(found) / len(words), "passed": not missing, "reason": reason}))
"""

MANIFEST = """
version: 1
agents:
  - slug: writer
    config: {runtime: {builtin: echo}}
    workspace: agents/writer/
    compare:
      rules:
        /reply: {judge: {agent: keyword-judge, rubric: "must mention: refund, sorry"}}
    examples:
      - name: polite
        input: {reply: "Sorry: we refund 42 EUR today."}
        expected: {reply: "We are sorry and refund you."}
      - name: curt
        input: {reply: "We refund."}
        expected: {reply: "We are sorry and refund you."}
      - name: strict
        input: {reply: "Sorry: we refund 42 EUR today."}
        expected: {reply: "We are sorry and refund you."}
        compare:
          rules:
            /reply:
              judge: {agent: keyword-judge, rubric: "must mention: refund, sorry, euro", min: 0.5}
      - name: nonsense
        input: {reply: "Sorry, refund."}
        expected: {reply: "x"}
        compare:
          rules:
            /reply: {judge: {agent: nonsense-judge, rubric: "anything"}}
      - name: broken
        input: {reply: "Sorry, refund."}
        expected: {reply: "x"}
        compare:
          rules:
            /reply: {judge: {agent: broken-judge, rubric: "anything"}}
  - slug: keyword-judge
    workspace: agents/keyword-judge/
  - slug: nonsense-judge
    config: {runtime: {builtin: fixed, output: "yes"}}
    workspace: agents/nonsense-judge/
  - slug: broken-judge
    config: {runtime: {builtin: fail, error: "the judge's model is down"}}
    workspace: agents/broken-judge/
"""


def write_judge_project(folder: Path, manifest: str = MANIFEST) -> Path:
    """The project in ``folder``; returns its manifest."""
    for agent in ("writer", "keyword-judge", "nonsense-judge", "broken-judge"):
        (folder / "agents" / agent).mkdir(parents=True, exist_ok=True)
        (folder / "agents" / agent / "AGENT.md").write_text(f"# {agent}\n")
    (folder / "agents" / "keyword-judge" / "main.py").write_text(KEYWORD_JUDGE)
    path = folder / "evalkit.yaml"
    path.write_text(manifest)
    return path
