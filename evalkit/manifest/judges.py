"""``judge:`` rules against the manifest's agents: each judge must be an agent declared in the
same manifest (its includes too), and no agent may judge its own output.

The compare blocks are seen as they are anchored (``Resolution.anchored``), each judge rule
noted with its place (``judge_uses``); once every agent is resolved, ``check_judges`` reports
a problem at the rule's ``agent:`` line for each judge that cannot be used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evalkit.compare.rules import CompareSpec
from evalkit.errors import ManifestProblem
from evalkit.manifest.problems import suggest
from evalkit.manifest.spec import AgentSpec
from evalkit.manifest.yaml_source import Loc, YamlSource, loc_text


@dataclass(frozen=True)
class JudgeUse:
    """A ``judge`` rule as written: the agent it names, and where (the rule's ``judge`` key)."""

    agent: str
    source: YamlSource
    loc: Loc

    @property
    def owner_place(self) -> tuple[Path, int] | None:
        """(file, index under ``agents:``) of the agent whose block holds the rule; None for
        the defaults and workflows."""
        if len(self.loc) > 1 and self.loc[0] == "agents" and isinstance(self.loc[1], int):
            return self.source.path, self.loc[1]
        return None

    @property
    def in_defaults(self) -> bool:
        return self.loc[:1] == ("defaults",)


def judge_uses(spec: CompareSpec | None, source: YamlSource, loc: Loc) -> Iterator[JudgeUse]:
    """The judge rules of one ``compare:`` block at ``loc``, its files' blocks included."""
    if spec is None:
        return
    for pointer, rule in spec.rules.items():
        if rule.judge is not None:
            yield JudgeUse(rule.judge.agent, source, (*loc, "rules", pointer, "judge"))
    for glob, file_rule in spec.files.items():
        yield from judge_uses(file_rule.compare, source, (*loc, "files", glob, "compare"))


def check_judges(
    uses: Sequence[JudgeUse],
    agents: Sequence[AgentSpec],
    places: Mapping[tuple[Path, int], str],
) -> list[ManifestProblem]:
    """A problem for each judge that is not an agent of the manifest, or that would judge
    itself. ``places``: (file, index under ``agents:``) -> that agent's slug."""
    by_slug = {agent.manifest_slug: agent for agent in agents}
    problems = []
    for use in uses:
        at = (*use.loc, "agent")
        mark = use.source.mark(at)
        judge = by_slug.get(use.agent)
        if judge is None:
            known = ", ".join(sorted(by_slug)) or "none"
            problems.append(
                ManifestProblem(
                    mark,
                    f"judge agent {use.agent!r} is not declared in this manifest (agents: {known})",
                    loc_text(at),
                    suggest(use.agent, by_slug)
                    or "declare the judge under 'agents:' (with its workspace), like any agent",
                )
            )
            continue
        owner = places.get(use.owner_place) if use.owner_place is not None else None
        if owner == use.agent:
            problems.append(
                ManifestProblem(
                    mark,
                    f"agent {use.agent!r} would judge its own output: a judge cannot judge itself",
                    loc_text(at),
                    "judge it with another agent; to check the judge, give it examples of its "
                    "own with the verdicts you expect",
                )
            )
        elif use.in_defaults and judge.examples:
            problems.append(
                ManifestProblem(
                    mark,
                    f"the defaults apply to every agent, {use.agent!r} included: the judge "
                    "would judge its own examples",
                    loc_text(at),
                    "put the rule on the agents (or examples) it judges",
                )
            )
    return problems
