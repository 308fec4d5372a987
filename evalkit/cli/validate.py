"""``evalkit validate``: check the manifest offline and print a summary, or every problem."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.exit_codes import ExitCode
from evalkit.errors import ManifestError, ManifestProblem
from evalkit.manifest.checks import ValidationSummary, validate_manifest


@click.command("validate")
@click.option(
    "-e",
    "--env",
    "environment",
    metavar="NAME",
    help="Also check that this environment applies (its slugs are valid).",
)
@click.pass_context
def validate(ctx: click.Context, environment: str | None) -> None:
    """Check the manifest without a platform: files exist, JSON parses, example names are
    unique, slugs and rules are valid, workspace schemas are valid JSON Schema."""
    options: GlobalOptions = ctx.obj
    try:
        summary = validate_manifest(options.manifest, environment=environment)
    except ManifestError as err:
        if options.json_output:
            output.emit_json({"valid": False, "problems": [_problem_dict(p) for p in err.problems]})
        else:
            output.error(format_problems(err.problems))
        ctx.exit(ExitCode.USAGE)
    if options.json_output:
        output.emit_json(summary.as_dict())
    else:
        output.plain(format_summary(summary))


def format_summary(summary: ValidationSummary) -> str:
    files = len(summary.files)
    lines = [f"{summary.manifest} is valid ({files} file{'s' if files != 1 else ''})"]
    for agent in summary.agents:
        target = f" (as {agent.target_slug})" if agent.target_slug != agent.slug else ""
        lines.append(
            f"  agent {agent.slug}{target}: {agent.workspace_files} workspace file(s), "
            f"{agent.examples} example(s)"
        )
    for suite in summary.workflows:
        lines.append(f"  workflow {suite.workflow}@{suite.version}: {suite.examples} example(s)")
    if summary.environments:
        chosen = f" (checked: {summary.environment})" if summary.environment else ""
        lines.append(f"  environments: {', '.join(summary.environments)}{chosen}")
    lines.append(f"  digest: sha256:{summary.digest}")
    return "\n".join(lines)


def format_problems(problems: list[ManifestProblem]) -> str:
    """Every problem with its source line and a caret under the column, compiler style."""
    count = len(problems)
    blocks = [f"{count} problem{'s' if count != 1 else ''} in the manifest:"]
    for problem in problems:
        block = [f"{problem.mark}: {problem.message}"]
        excerpt = _excerpt(problem)
        if excerpt:
            block.append(excerpt)
        if problem.hint:
            block.append(f"    hint: {problem.hint}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def _excerpt(problem: ManifestProblem) -> str:
    mark = problem.mark
    if mark.line < 1 or not mark.file.endswith((".yaml", ".yml")):
        return ""
    try:
        lines = Path(mark.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if mark.line > len(lines):
        return ""
    number = str(mark.line)
    pointer = " " * (len(number) + 3 + max(mark.column - 1, 0)) + "^"
    return f"  {number} | {lines[mark.line - 1]}\n  {pointer}"


def _problem_dict(problem: ManifestProblem) -> dict[str, object]:
    return {
        "file": problem.mark.file,
        "line": problem.mark.line,
        "column": problem.mark.column,
        "message": problem.message,
        "key": problem.key,
        "hint": problem.hint,
    }
