"""One small YAML file per mistake (``cases/*.yaml``); each says what must be reported.

A case's header lines ``# expect: [FILE:]LINE:COLUMN: MESSAGE | HINT`` name every problem the
manifest must produce, exactly: the file (relative to the case, default the case itself), the
line and column, a fragment of the message and, after ``|``, a fragment of the hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest import load_manifest

CASES = Path(__file__).parent / "cases"
_EXPECT = r"^# {tag}: (?:(?P<file>[^:]+):)?(?P<line>\d+):(?P<column>\d+): (?P<rest>.*)$"


@dataclass(frozen=True)
class Expected:
    file: Path
    line: int
    column: int
    message: str
    hint: str

    def matches(self, problem: ManifestProblem) -> bool:
        return (
            Path(problem.mark.file).resolve() == self.file.resolve()
            and (problem.mark.line, problem.mark.column) == (self.line, self.column)
            and self.message in problem.message
            and self.hint in problem.hint
        )


def expectations(case: Path, tag: str = "expect") -> list[Expected]:
    """The case's ``# <tag>: ...`` header lines."""
    pattern = re.compile(_EXPECT.format(tag=tag))
    found = []
    for line in case.read_text().splitlines():
        match = pattern.match(line)
        if match is None:
            continue
        message, _, hint = match.group("rest").partition(" | ")
        file = case.parent / match.group("file") if match.group("file") else case
        found.append(
            Expected(
                file, int(match.group("line")), int(match.group("column")), message, hint.strip()
            )
        )
    return found


def case_files() -> list[Path]:
    return sorted(p for p in CASES.glob("*.yaml") if expectations(p))


def test_every_case_declares_expectations() -> None:
    assert len(case_files()) == len(list(CASES.glob("*.yaml")))
    assert len(case_files()) >= 30


@pytest.mark.parametrize("case", case_files(), ids=lambda p: p.stem)
def test_case_reports_exactly_its_problems(case: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest(case, env={})
    problems = caught.value.problems
    expected = expectations(case)
    unmatched = [e for e in expected if not any(e.matches(p) for p in problems)]
    report = "\n".join(f"  {p} [hint: {p.hint}]" for p in problems)
    assert not unmatched, f"missing {unmatched}\nproblems:\n{report}"
    assert len(problems) == len(expected), f"unexpected extra problems:\n{report}"
