"""``evalkit init``: write a small working project (manifest, one agent, one example).

The files come from ``templates/project/`` inside the package; the manifest's JSON Schema is
written beside it so that editors help from the first keystroke.
"""

from __future__ import annotations

from pathlib import Path

from evalkit.conventions import PROJECT_FOLDER
from evalkit.errors import ConfigError
from evalkit.manifest.json_schema import render_schema

SCHEMA_NAME = "evalkit.schema.json"
_GITIGNORE_LINE = f"{PROJECT_FOLDER}/"
_SKIPPED = {"__pycache__", ".DS_Store"}
_TEMPLATES = Path(__file__).resolve().parent / "templates" / "project"


def template_files() -> dict[str, bytes]:
    """Relative POSIX path -> content of every file ``init`` writes (``.gitignore`` aside)."""
    files = dict(_collect(_TEMPLATES, ""))
    files[SCHEMA_NAME] = render_schema().encode()
    return dict(sorted(files.items()))


def _collect(folder: Path, prefix: str) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for entry in folder.iterdir():
        if entry.name in _SKIPPED or entry.name.endswith(".pyc"):
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_collect(entry, relative + "/"))
        else:
            found.append((relative, entry.read_bytes()))
    return found


def scaffold_project(target: Path, *, force: bool = False) -> list[Path]:
    """Write the starter project into ``target`` (created if needed); return the files written.

    Existing files are never overwritten unless ``force``; a ``.gitignore`` is created or gets
    the ``.evalkit/`` line (local platform state) appended."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder; name a folder for the project")
    files = template_files()
    clashes = [name for name in files if (target / name).exists()]
    if clashes and not force:
        listing = ", ".join(clashes)
        raise ConfigError(
            f"not initialising {target}: these files exist already: {listing} "
            "(choose an empty folder, or pass --force to overwrite them)"
        )
    written = []
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    written.append(ensure_gitignore(target))
    return written


def ensure_gitignore(target: Path) -> Path:
    """Create ``target/.gitignore`` or append ``.evalkit/`` to it (run results, platform
    state): a project made by ``init`` or by ``pull`` must not commit them."""
    path = target / ".gitignore"
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if _GITIGNORE_LINE not in existing.splitlines():
        separator = "" if not existing or existing.endswith("\n") else "\n"
        path.write_text(existing + separator + _GITIGNORE_LINE + "\n", encoding="utf-8")
    return path
