"""A manifest's suites as declared, then and now: the half of ``--changed-since``
(``runner.changed``) that runs when a manifest file changed.

The manifest is loaded as it was at the merge base (its files checked out into a temporary
folder) and each suite's resolved declaration (config, workspace settings, examples with their
merged compare rules, ``repeat`` and tags, gates, slug under ``--env``) is compared with
today's, as plain data: paths relative to the project, source marks dropped (a line added above
must not change a suite). A suite runs only when its own declaration differs, so a new default
reaches exactly the suites it reaches and a comment edit reaches none; a changed project
setting (``local_platform``) reaches every suite.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from evalkit.errors import ManifestError
from evalkit.manifest import AgentSpec, Manifest, WorkflowSpec, load_manifest
from evalkit.runner.from_manifest import suite_name
from evalkit.runner.git_tree import GitError, Repository

#: (kind, suite): how results name a suite
SuiteKey = tuple[str, str]
#: examples named in a reason; the others are counted ("and 4 more")
SHOWN_EXAMPLES = 3


def suites_of(manifest: Manifest) -> Iterator[tuple[SuiteKey, AgentSpec | WorkflowSpec]]:
    """Each suite of the manifest under the key results name it by, in manifest order."""
    for agent in manifest.agents:
        yield ("agent", agent.manifest_slug), agent
    for suite in manifest.workflows:
        yield ("workflow", suite_name(suite)), suite


def declaration_changes(
    manifest: Manifest,
    repo: Repository,
    base: str,
    since: str,
    environment: str | None,
    env: Mapping[str, str] | None,
) -> tuple[dict[SuiteKey, list[str]], str | None]:
    """Each suite whose resolved declaration differs from the one at ``base``; and why every
    suite must run instead, when the manifest cannot be read there."""
    relative = manifest.path.relative_to(repo.root)
    with tempfile.TemporaryDirectory(prefix="evalkit-changed-") as folder:
        tree = Path(folder, "tree")
        try:
            repo.checkout(base, tree)
        except GitError as err:
            return {}, f"the files at {since} could not be checked out ({err})"
        (tree / ".git").mkdir(exist_ok=True)  # the project folder, as in the checkout
        then_path = tree / relative
        now = declarations_of(manifest)
        if not then_path.is_file():
            return {key: [f"new since {since} (the manifest is)"] for key in now}, None
        try:
            then_manifest = load_manifest(then_path, env=env)
            if environment is not None:
                then_manifest = then_manifest.with_environment(environment)
        except ManifestError as err:
            first = err.problems[0].message if err.problems else str(err)
            return {}, f"the manifest as it was at {since} cannot be loaded ({first})"
        then = declarations_of(then_manifest)
        settings = _settings(then_manifest)
    changed: dict[SuiteKey, list[str]] = {}
    for key, declaration in now.items():
        before = then.get(key)
        if before is None:
            changed[key] = [f"new since {since}"]
        elif before != declaration:
            changed[key] = [f"declaration changed: {_what_differs(before, declaration)}"]
    now_settings = _settings(manifest)
    differing = sorted(k for k in now_settings if settings.get(k) != now_settings[k])
    if differing:
        reason = f"project settings changed: {', '.join(_SETTINGS.get(k, k) for k in differing)}"
        for key in now:
            changed.setdefault(key, []).append(reason)
    return changed, None


#: manifest fields each suite's declaration already holds (merged into it), or that do not
#: reach an example's outcome; any other field (today the local platform's settings) is a
#: project setting that reaches every suite
_NOT_SETTINGS = frozenset(
    {
        "path",
        "project_root",
        "version",
        "defaults",
        "gates",
        "agents",
        "workflows",
        "environments",
        "environment",
        "ignore_orphans",
        "digest",
        "sources",
    }
)
#: how project settings are named in a reason: as the manifest spells them
_SETTINGS = {
    "local_workflows_dir": "local_platform.workflows",
    "local_pass_env": "local_platform.pass_env",
}


def _settings(manifest: Manifest) -> dict[str, Any]:
    data = _plain(manifest.model_dump(exclude=set(_NOT_SETTINGS)), manifest.project_root)
    assert isinstance(data, dict)
    return data


#: how a declaration's parts are named in a reason
_PARTS = {
    "config": "config",
    "compare": "compare rules",
    "gates": "gates",
    "workspace": "workspace settings",
    "tags": "tags",
    "slug": "slug",
    "name": "name",
    "description": "description",
    "version": "version",
}


def _what_differs(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The parts of a declaration that differ; examples are named when they differ in more
    than what they took from the suite (its merged compare rules, its slug)."""
    differing = [key for key in after if key != "examples" and before.get(key) != after.get(key)]
    taken = {"compare"} & set(differing) | ({"agent_slug"} if "slug" in differing else set())
    then = {example["name"]: example for example in before.get("examples", [])}
    now = {example["name"]: example for example in after.get("examples", [])}
    names = sorted(
        {name for name in now if name not in then or _keys_differing(then[name], now[name]) - taken}
        | (then.keys() - now.keys())
    )
    parts = [_PARTS.get(key, key) for key in differing]
    if names:
        shown = ", ".join(names[:SHOWN_EXAMPLES])
        more = f" and {len(names) - SHOWN_EXAMPLES} more" if len(names) > SHOWN_EXAMPLES else ""
        parts.append(f"examples ({shown}{more})")
    elif not parts:
        parts.append("the order of examples")
    return ", ".join(parts)


def _keys_differing(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def declarations_of(manifest: Manifest) -> dict[SuiteKey, dict[str, Any]]:
    """Each suite's resolved declaration as plain data, with paths relative to the project
    and without source marks (a line added above must not change a suite)."""
    root = manifest.project_root
    found: dict[SuiteKey, dict[str, Any]] = {}
    for key, owner in suites_of(manifest):
        data = _plain(owner.model_dump(exclude={"manifest_slug", "manifest_name"}), root)
        assert isinstance(data, dict)
        found[key] = data
    return found


def _plain(value: Any, root: Path) -> Any:
    """``value`` with marks dropped and every path (or path text) inside ``root`` relative."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v, root) for k, v in value.items() if k != "mark"}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item, root) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return _relative(str(value), root)
    if isinstance(value, str):
        return _relative(value, root)
    return value


def _relative(text: str, root: Path) -> str:
    prefix = f"{root}/"
    if text == str(root):
        return "<project>"
    return f"<project>/{text[len(prefix) :]}" if text.startswith(prefix) else text
