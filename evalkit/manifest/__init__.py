"""The manifest (``evalkit.yaml``): typed, frozen, validated, with every problem at its line.

    load_manifest(path, env=...)  -> Manifest
    Manifest.with_environment(n)  -> Manifest with every agent's slug rewritten
    AgentSpec.workspace_files()   -> {relative POSIX path: file}
    ExampleSpec.platform_files()  -> {examples/<name>/...: file or bytes}
    validate_manifest(path)       -> ValidationSummary, after every offline check

Paths in a manifest are relative to the file that names them and must stay inside the project
folder: the git checkout holding the root manifest, or the manifest's folder outside git.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evalkit.lazy_names import lazy_names
from evalkit.manifest.levels import merge_compare, merge_gates
from evalkit.manifest.loader import load_manifest
from evalkit.manifest.models import Gates, ManifestFile
from evalkit.manifest.spec import AgentSpec, EnvironmentSpec, ExampleSpec, Manifest, WorkflowSpec
from evalkit.manifest.workspace import DEFAULT_EXCLUDES, WorkspaceSpec

if TYPE_CHECKING:
    from evalkit.manifest.checks import ValidationSummary, validate_manifest

#: name -> the module that defines it, imported when the name is first used: the offline
#: checks (and their jsonschema, referencing and rule-usage checks) serve ``evalkit validate``,
#: ``init`` and the library, not a run reading its manifest
_LAZY = {
    "ValidationSummary": "evalkit.manifest.checks",
    "validate_manifest": "evalkit.manifest.checks",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "DEFAULT_EXCLUDES",
    "AgentSpec",
    "EnvironmentSpec",
    "ExampleSpec",
    "Gates",
    "Manifest",
    "ManifestFile",
    "ValidationSummary",
    "WorkflowSpec",
    "WorkspaceSpec",
    "load_manifest",
    "merge_compare",
    "merge_gates",
    "validate_manifest",
]
