"""``evalkit validate``: check the manifest offline and print a summary, or every problem;
warnings (valid, but most likely a mistake) go to standard error, in the errors' format."""

from __future__ import annotations

from pathlib import Path

import click

from evalkit.cli import output
from evalkit.cli.context import GlobalOptions
from evalkit.cli.error_data import error_document, manifest_failure
from evalkit.errors import ManifestError, ManifestProblem
from evalkit.exit_codes import ExitCode
from evalkit.manifest.checks import ValidationSummary, problem_data, validate_manifest


@click.command("validate")
@click.option(
    "-e",
    "--env",
    "environment",
    metavar="NAME",
    help="Also check that this environment applies (its slugs are valid).",
)
@click.option(
    "--strict",
    is_flag=True,
    help=(
        "Treat warnings (rules that never apply, regexes that can backtrack catastrophically, "
        "output JSON never checked) as errors."
    ),
)
@click.pass_context
def validate(ctx: click.Context, environment: str | None, strict: bool) -> None:
    """Check the manifest without a platform: files exist, JSON parses, example names are
    unique, slugs and rules are valid, workspace schemas are valid JSON Schema. Warns about
    rules that match nothing in the examples and regexes that can backtrack catastrophically
    (exit 0; 2 with --strict)."""
    options: GlobalOptions = ctx.obj
    try:
        summary = validate_manifest(options.manifest, environment=environment)
    except ManifestError as err:
        if options.json_output:
            output.emit_json({"valid": False, **error_document(err, ExitCode.USAGE)})
        output.error(format_problems(err.problems))
        ctx.exit(ExitCode.USAGE)
    warnings = list(summary.warnings)
    if strict and warnings:
        if options.json_output:
            problems = [{**problem_data(w), "severity": "warning"} for w in warnings]
            failed = manifest_failure(warnings, strict=True).document(ExitCode.USAGE, problems)
            output.emit_json({"valid": False, "strict": True, **failed})
        output.error(format_problems(warnings, warning=True, strict=True))
        ctx.exit(ExitCode.USAGE)
    if options.json_output:
        output.emit_json(summary.as_dict())
        return
    if warnings:
        output.stderr.print(format_problems(warnings, warning=True), markup=False)
    output.plain(format_summary(summary))


def format_summary(summary: ValidationSummary) -> str:
    files, warnings = len(summary.files), len(summary.warnings)
    counts = f"{files} file{'s' if files != 1 else ''}"
    if warnings:
        counts += f", {warnings} warning{'s' if warnings != 1 else ''}"
    lines = [f"{summary.manifest} is valid ({counts})"]
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


def format_problems(
    problems: list[ManifestProblem], *, warning: bool = False, strict: bool = False
) -> str:
    """Every problem with its source line and a caret under the column, compiler style;
    warnings look the same but say so."""
    blocks = [problems_head(problems, warning=warning, strict=strict) + ":"]
    for problem in problems:
        block = [f"{problem.mark}: {'warning: ' if warning else ''}{problem.message}"]
        excerpt = _excerpt(problem)
        if excerpt:
            block.append(excerpt)
        if problem.hint:
            block.append(f"    hint: {problem.hint}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def problems_head(
    problems: list[ManifestProblem], *, warning: bool = False, strict: bool = False
) -> str:
    """How many problems (or warnings) there are: ``2 problems in the manifest``."""
    count = len(problems)
    noun = "warning" if warning else "problem"
    head = f"{count} {noun}{'s' if count != 1 else ''} in the manifest"
    return head + " (errors under --strict)" if strict else head


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
