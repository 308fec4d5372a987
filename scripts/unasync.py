"""Writes the sync client from the async one, as httpcore's ``unasync`` script does.

The async code is the single source of truth: ``evalkit/client/_async/*.py`` and
``evalkit/client/_async_executor.py``. Each becomes its sync twin by an explicit table of
whole-word rewrites (``async def`` -> ``def``, ``await x`` -> ``x``, ``AsyncIterator`` ->
``Iterator``, ...); then ruff sorts the imports (renames move some), turns a loop that
yields each item into ``yield from`` (not allowed in async generators), and formats the
file, so the generated code is as lint-clean as the hand-written code.

    python scripts/unasync.py          # rewrite evalkit/client/_sync/*.py and _sync_executor.py
    python scripts/unasync.py --check  # exit 1 when a committed sync file is not what its
                                       # source generates (a hand edit, a forgotten rerun)
"""

from __future__ import annotations

import argparse
import ast
import difflib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "evalkit" / "client"

#: (pattern, replacement), applied in order to every line, docstrings and comments included.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    # keywords
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    # types: an awaitable of T is a plain T (innermost brackets only: Awaitable[R], [None])
    (r"\bAwaitable\[([^\[\]]*)\]", r"\1"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAwaitable, |, Awaitable\b", ""),  # what is left of it: its name in an import list
    # httpx and anyio
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncBaseTransport\b", "BaseTransport"),
    (r"\baread\b", "read"),
    (r"\baclose\b", "close"),
    (r"\baiter_bytes\b", "iter_bytes"),
    (r"\banyio\.sleep\b", "time.sleep"),
    (r"^import anyio\n", ""),
    # the context manager protocol
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    # evalkit's own names
    (r"\bAsyncEigenpalClient\b", "EigenpalClient"),
    (r"\bAsyncExecutor\b", "SyncExecutor"),
    (r"\bAsyncPageFetcher\b", "PageFetcher"),
    (r"\baiter_items\b", "iter_items"),
    (r"\bapoll_until\b", "poll_until"),
    (r"\basync_transport\b", "sync_transport"),
    (r"\b_async_executor\b", "_sync_executor"),
    (r"\b_async\b", "_sync"),
)

_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in REPLACEMENTS)

#: words that must not survive the rewrite: a new async construct needs a rule in the table
_LEFTOVER = re.compile(r"\b(async|await|Async\w*|Awaitable|anyio|aiter\w*|anext)\b")


class UnasyncError(Exception):
    """The source cannot be turned into its sync twin; the message says where and why."""


@dataclass(frozen=True)
class Pair:
    source: Path
    target: Path


def pairs(client_dir: Path = CLIENT_DIR) -> list[Pair]:
    """Every async source beside the sync file it generates."""
    found = [
        Pair(source, client_dir / "_sync" / source.name)
        for source in sorted((client_dir / "_async").glob("*.py"))
    ]
    executor = client_dir / "_async_executor.py"
    if executor.exists():
        found.append(Pair(executor, client_dir / "_sync_executor.py"))
    return found


def unasync_line(line: str) -> str:
    for pattern, replacement in _COMPILED:
        line = pattern.sub(replacement, line)
    return line


def unasync_text(text: str, *, source_name: str) -> str:
    """The token rewrite alone (no ruff): fails on any async word the table does not cover."""
    lines = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        rewritten = unasync_line(line)
        leftover = _LEFTOVER.search(rewritten)
        if leftover:
            raise UnasyncError(
                f"{source_name}:{number}: {leftover.group(0)!r} is left after the rewrite; "
                "add a rule to REPLACEMENTS in scripts/unasync.py or reword the line"
            )
        lines.append(rewritten)
    return "".join(lines)


def header(pair: Pair, client_dir: Path) -> str:
    name = pair.source.relative_to(client_dir).as_posix()
    return f"# generated from {name} by scripts/unasync.py; do not edit\n"


def rewrite(pair: Pair, client_dir: Path = CLIENT_DIR) -> str:
    """Header plus the rewritten source, before ruff has sorted and formatted it."""
    name = pair.source.relative_to(client_dir).as_posix()
    source = pair.source.read_text()
    try:  # said here with the source's own line, not later by ruff about the generated file
        ast.parse(source, filename=name)
    except SyntaxError as exc:
        raise UnasyncError(f"{name}:{exc.lineno}: {exc.msg}; fix the async source") from exc
    return header(pair, client_dir) + unasync_text(source, source_name=name)


def generate_all(client_dir: Path = CLIENT_DIR) -> dict[Path, str]:
    """The full text of every sync file, by its path: rewritten, imports sorted, formatted."""
    found = pairs(client_dir)
    with tempfile.TemporaryDirectory(prefix="unasync-") as scratch_dir:
        scratch = Path(scratch_dir)
        drafts = {pair.target: scratch / pair.target.relative_to(client_dir) for pair in found}
        for pair in found:
            drafts[pair.target].parent.mkdir(parents=True, exist_ok=True)
            drafts[pair.target].write_text(rewrite(pair, client_dir))
        # renames move imports (apoll_until -> poll_until) and shorten lines: sort, then
        # format; one ruff run each for all the files keeps a check well under a second
        config = client_dir.parent.parent / "pyproject.toml"  # the project holding the client
        # UP028: a sync generator yields from a page instead of looping over it (ruff calls
        # the fix unsafe only for generators driven with send(), which paging never is)
        fixes = ["check", "--fix", "--unsafe-fixes", "--select", "I,UP028"]
        _ruff(fixes, list(drafts.values()), config, scratch)
        _ruff(["format"], list(drafts.values()), config, scratch)
        return {target: draft.read_text() for target, draft in drafts.items()}


def _ruff(command: list[str], files: list[Path], config: Path, scratch: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--config", str(config)]
        # ruff finds first-party modules on disk: a sync module not written yet would
        # otherwise sort as third-party, and the output would depend on the tree's state
        + ["--config", "lint.isort.known-first-party = ['evalkit']"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        said = (done.stdout + done.stderr).replace(f"{scratch}{os.sep}", "")
        raise UnasyncError(f"ruff {command[0]} failed on the generated files:\n{said}")


def stale_targets(client_dir: Path = CLIENT_DIR) -> list[Path]:
    """Sync files whose async source is gone."""
    sources = {pair.target for pair in pairs(client_dir)}
    return [path for path in sorted((client_dir / "_sync").glob("*.py")) if path not in sources]


def check(client_dir: Path = CLIENT_DIR) -> list[str]:
    """One problem a line, empty when every sync file is exactly what its source generates."""
    problems = []
    for target, expected in generate_all(client_dir).items():
        shown = target.relative_to(client_dir).as_posix()
        if not target.exists():
            problems.append(f"{shown} is missing")
            continue
        actual = target.read_text()
        if actual != expected:
            first = _first_difference(actual, expected)
            problems.append(f"{shown} differs from what its source generates at line {first}")
    problems.extend(
        f"{path.relative_to(client_dir).as_posix()} has no source in _async/: delete it"
        for path in stale_targets(client_dir)
    )
    return problems


def _first_difference(actual: str, expected: str) -> int:
    matcher = difflib.SequenceMatcher(a=actual.splitlines(), b=expected.splitlines())
    for tag, first, _, _, _ in matcher.get_opcodes():
        if tag != "equal":
            return first + 1
    return 1


def write(client_dir: Path = CLIENT_DIR) -> list[Path]:
    """Regenerate every sync file; returns those whose text changed."""
    # every file is generated before any is written: a failure leaves the tree as it was
    changed = []
    # generate_all makes every file before any is written: a failure leaves the tree as it was
    for target, text in generate_all(client_dir).items():
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            changed.append(target)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="report differences instead of writing; exit 1"
    )
    parser.add_argument(
        "--client-dir", type=Path, default=CLIENT_DIR, help="the evalkit/client folder"
    )
    args = parser.parse_args(argv)
    client_dir: Path = args.client_dir.resolve()
    try:
        if args.check:
            problems = check(client_dir)
            for problem in problems:
                sys.stderr.write(f"{problem}\n")
            if problems:
                sys.stderr.write("regenerate with: python scripts/unasync.py\n")
            return 1 if problems else 0
        for path in write(client_dir):
            sys.stdout.write(f"wrote {path.relative_to(client_dir).as_posix()}\n")
        for path in stale_targets(client_dir):
            shown = path.relative_to(client_dir).as_posix()
            sys.stderr.write(f"{shown} has no source in _async/: delete it\n")
    except UnasyncError as exc:
        sys.stderr.write(f"unasync: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
