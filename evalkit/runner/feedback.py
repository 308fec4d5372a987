"""The review evalkit writes onto each execution: rating, status, Markdown body, expected JSON.

Status rule (what a reviewer sees in the platform's queue):

- ``pass``  -> status ``resolved``: nothing to look at.
- ``partial`` / ``fail`` -> status ``open``: a reviewer should look.
- an execution that failed, was rejected or timed out -> rating ``fail``, status ``open``,
  and the body says what went wrong.

The body lists every difference with its JSON pointer, the expected and actual values, and the
rule that applied, then the file comparisons, so a reviewer does not need the CI logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from evalkit.runner.results import ExampleError, Verdict

#: the platform stores the body as text; keep it readable and bounded
MAX_BODY_CHARS = 20_000
MAX_VALUE_CHARS = 200
MAX_ROWS = 100

_RATING_AND_STATUS: dict[Verdict, tuple[str, str]] = {
    Verdict.PASS: ("pass", "resolved"),
    Verdict.PARTIAL: ("partial", "open"),
    Verdict.FAIL: ("fail", "open"),
    Verdict.ERROR: ("fail", "open"),
}


@dataclass(frozen=True)
class FeedbackPlan:
    """What to write on one execution: the PATCH fields and the expected files to upload."""

    rating: str
    status: str
    body: str
    expected: Any = None
    has_expected: bool = False
    expected_files: dict[str, Any] = field(default_factory=dict)

    def patch_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``agents.executions.update_feedback``."""
        fields: dict[str, Any] = {"rating": self.rating, "status": self.status, "body": self.body}
        if self.has_expected:
            fields["expected"] = self.expected
        return fields


def rating_and_status(verdict: Verdict) -> tuple[str, str]:
    """The status rule above; ``cancelled`` examples get no feedback at all."""
    if verdict not in _RATING_AND_STATUS:
        raise ValueError(f"no feedback is written for verdict {verdict.value!r}")
    return _RATING_AND_STATUS[verdict]


def render_body(
    *,
    verdict: Verdict,
    score: float | None,
    example: str,
    run_id: str,
    comparison: dict[str, Any] | None,
    error: ExampleError | None,
) -> str:
    """The Markdown body for one execution."""
    head = f"**evalkit: {verdict.value}**"
    if score is not None:
        head += f" (score {score:.2f})"
    lines = [head, "", f"Example `{_code(example)}`, run `{_code(run_id)}`."]
    if error is not None:
        lines += ["", f"Error ({error.kind.value}): {_one_line(error.message, 2000)}"]
    if comparison:
        lines += _differences_section(comparison.get("differences") or [])
        lines += _files_section(comparison.get("files") or [])
        lines += _rules_section(comparison.get("rules") or comparison.get("rules_applied") or [])
    body = "\n".join(lines) + "\n"
    if len(body) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - 40] + "\n\n_(truncated; see the run results)_\n"
    return body


def _differences_section(differences: list[Any]) -> list[str]:
    if not differences:
        return ["", "No differences in the JSON output."]
    lines = ["", f"### Differences ({len(differences)})", ""]
    lines += ["| Path | Expected | Actual | Rule |", "|---|---|---|---|"]
    for difference in differences[:MAX_ROWS]:
        item = difference if isinstance(difference, dict) else {"message": str(difference)}
        path = item.get("path", item.get("pointer", ""))
        rule = item.get("rule") or item.get("kind") or item.get("message") or ""
        lines.append(
            f"| `{_cell(str(path) or '/')}` | {_value_cell(item, 'expected')} "
            f"| {_value_cell(item, 'actual')} | {_cell(_one_line(_text(rule), 120))} |"
        )
    if len(differences) > MAX_ROWS:
        lines.append(f"\n_{len(differences) - MAX_ROWS} more differences in the run results._")
    return lines


def _files_section(files: list[Any]) -> list[str]:
    if not files:
        return []
    lines = ["", "### Files", ""]
    for entry in files[:MAX_ROWS]:
        item = entry if isinstance(entry, dict) else {"name": str(entry)}
        name = _code(str(item.get("name", "?")))
        status = item.get("status") or ("match" if item.get("matched") else "differs")
        detail = item.get("message") or item.get("detail") or ""
        line = f"- `{name}`: {_one_line(_text(status), 60)}"
        if detail:
            line += f": {_one_line(_text(detail), 300)}"
        lines.append(line)
    return lines


def _rules_section(rules: list[Any]) -> list[str]:
    if not rules:
        return []
    lines = ["", "### Rules applied", ""]
    lines += [f"- {_one_line(_text(rule), 200)}" for rule in rules[:MAX_ROWS]]
    return lines


def _value_cell(item: dict[str, Any], key: str) -> str:
    if key not in item:
        return "_(absent)_"
    return f"`{_cell(_one_line(json.dumps(item[key], ensure_ascii=False), MAX_VALUE_CHARS))}`"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cell(text: str) -> str:
    """Table-cell safe: a ``|`` would split the cell, a backtick would end the code span."""
    return text.replace("|", "\\|").replace("`", "'")


def _code(text: str) -> str:
    return text.replace("`", "'")
