"""The judge agents of a run: who they are on the platform, the judgement cache, and what
they judged so far (``runner.judging`` judges with them)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from evalkit.compare.judges import Judgement, digest
from evalkit.manifest import Manifest
from evalkit.runner.calibration import judges_used
from evalkit.runner.jobs import ExampleJob
from evalkit.runner.judge_cache import JudgeCache
from evalkit.runner.results import JudgementCounts


@dataclass(frozen=True)
class JudgeAgent:
    """A judge agent of the manifest, as the run calls it."""

    #: the slug rules name it by (the manifest's)
    slug: str
    #: the slug run on the platform (an environment's copy under ``--env``)
    platform_slug: str
    #: its workspace files and config as the manifest declares them (what sync puts on the
    #: platform), and the variables ``local_platform.pass_env`` hands it: part of each
    #: judgement's cache key
    digest: str


@dataclass
class PendingJudgement:
    """A judgement being made; ``made`` stays None when its maker was stopped."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    made: Judgement | None = None


@dataclass
class Judging:
    """The run's judges, its judgement cache, and what was judged so far."""

    agents: Mapping[str, JudgeAgent] = field(default_factory=dict)
    #: None: no cache at all
    cache: JudgeCache | None = None
    #: read the cache (``--no-judge-cache`` does not, but still writes it)
    read_cache: bool = True
    counts: JudgementCounts = field(default_factory=JudgementCounts)
    #: judgements being made, by cache key: a value wanted twice at once is judged once
    pending: dict[str, PendingJudgement] = field(default_factory=dict)


def judge_agents_of(
    manifest: Manifest,
    jobs: Collection[ExampleJob],
    environ: Mapping[str, str] | None = None,
) -> dict[str, JudgeAgent]:
    """The judges the jobs' rules name, as the run calls them (``manifest`` under its
    environment, if any). ``environ``: where the local platform reads ``pass_env`` (default:
    this process's environment)."""
    from evalkit.sync.desired import hash_file

    named = judges_used(jobs)
    passed = passed_env_digests(manifest.local_pass_env, environ)
    found: dict[str, JudgeAgent] = {}
    for slug in sorted(named):
        agent = manifest.agent(slug)  # the loader refused judges it does not declare
        files = {path: hash_file(source)[0] for path, source in agent.workspace_files().items()}
        declared: dict[str, object] = {"config": agent.config, "files": files}
        if passed:  # absent when empty: the keys of projects without pass_env stay as they were
            declared["pass_env"] = passed
        found[slug] = JudgeAgent(
            slug=agent.manifest_slug, platform_slug=agent.slug, digest=digest(declared)
        )
    return found


def passed_env_digests(
    names: Collection[str], environ: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Each ``pass_env`` name and a sha256 of its value (None: unset). A judge's model and
    endpoint often come this way: another value is another judge. Never the value itself: the
    cache key is written to disk."""
    source = os.environ if environ is None else environ
    return {
        name: hashlib.sha256(source[name].encode()).hexdigest() if name in source else None
        for name in sorted(names)
    }
