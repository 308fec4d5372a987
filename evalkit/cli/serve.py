"""``evalkit serve``: the local EigenPal platform in the foreground (Ctrl-C stops it cleanly).

Options in, one call to ``evalkit.emulator.server.serve_foreground``, its address out.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click
from click.core import ParameterSource

from evalkit.api.keys import api_key_problem
from evalkit.cli import output
from evalkit.conventions import pass_env_problem
from evalkit.emulator.config import DEFAULT_WORKERS, MAX_WORKERS, PlatformConfig, generate_api_key
from evalkit.emulator.faults import FaultConfig
from evalkit.emulator.runtime.isolation import AUTO, CHOICES, ENV_VARIABLE
from evalkit.emulator.runtime.sandbox_env import pass_env_notes
from evalkit.emulator.server import ListenError, ServedPlatform, serve_foreground

DEFAULT_DATA_DIR = Path(".evalkit/platform")
API_KEY_VARIABLE = "EVALKIT_SERVE_API_KEY"


def check_pass_env(names: tuple[str, ...]) -> tuple[str, ...]:
    """``--pass-env`` names, each a variable name the runtime does not set itself."""
    for name in names:
        problem = pass_env_problem(name)
        if problem is not None:
            raise click.BadParameter(problem, param_hint="'--pass-env'")
    return tuple(dict.fromkeys(names))


def check_api_key(ctx: click.Context, param: click.Parameter, key: str | None) -> str | None:
    """``--api-key`` (or its variable), a key clients can send; None when neither is set."""
    from_variable = ctx.get_parameter_source(param.name or "") is not ParameterSource.COMMANDLINE
    if key is None and os.environ.get(API_KEY_VARIABLE) == "":  # click reads it as unset
        key = ""
    if key is None:
        return None
    problem = api_key_problem(key)
    if problem is not None:
        raise click.BadParameter(
            f"the key {problem}; give one a client can send as it is, or set neither --api-key "
            f"nor {API_KEY_VARIABLE} to have one generated (the key is not shown here)",
            param_hint=API_KEY_VARIABLE if from_variable else "'--api-key'",
        )
    return key


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="State folder (SQLite + files); kept across restarts.",
)
@click.option(
    "--workflows",
    "workflows_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of workflow YAML definitions.",
)
@click.option(
    "--workers",
    default=DEFAULT_WORKERS,
    show_default=True,
    type=click.IntRange(1, MAX_WORKERS),
    help="Agent executions run at once; more wait as pending.",
)
@click.option(
    "--api-key",
    "serve_api_key",
    envvar=API_KEY_VARIABLE,
    callback=check_api_key,
    help="Key clients must send (env EVALKIT_SERVE_API_KEY). Unset: one is generated and shown.",
)
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
@click.option(
    "--isolation",
    type=click.Choice(CHOICES),
    default=AUTO,
    show_default=True,
    envvar=ENV_VARIABLE,
    help="How agent programs are kept from the platform (auto: the strongest available).",
)
@click.option(
    "--pass-env",
    "pass_env",
    multiple=True,
    metavar="NAME",
    callback=lambda ctx, param, names: check_pass_env(names),
    help="Pass this variable of evalkit's environment to agent programs (repeatable); its"
    " value is never shown or stored.",
)
@click.option("--max-body-mb", default=64, show_default=True, type=click.IntRange(1, 4096))
@click.option(
    "--fault-error-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Fraction answered 500/502/503.",
)
@click.option(
    "--fault-drop-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Fraction of connections dropped.",
)
@click.option(
    "--fault-drop-after", is_flag=True, help="Drop after processing (the answer is lost)."
)
@click.option(
    "--fault-latency-ms", default=0, type=click.IntRange(0, 600_000), help="Added latency."
)
@click.option(
    "--rate-limit", default=0.0, type=click.FloatRange(0), help="Requests/second (0 = off)."
)
@click.option("--rate-limit-burst", type=click.IntRange(1), help="Burst size of --rate-limit.")
@click.option(
    "--fault-execution-failure-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Fraction of executions that fail.",
)
@click.option("--fault-path", help="Regex: only paths matching it get HTTP faults (e.g. '/run$').")
@click.option("--fault-seed", type=int, help="Seed, to replay the same faults.")
def serve(
    host: str,
    port: int,
    data_dir: Path,
    workflows_dir: Path | None,
    workers: int,
    serve_api_key: str | None,
    allow_remote: bool,
    isolation: str,
    pass_env: tuple[str, ...],
    max_body_mb: int,
    fault_error_rate: float,
    fault_drop_rate: float,
    fault_drop_after: bool,
    fault_latency_ms: int,
    rate_limit: float,
    rate_limit_burst: int | None,
    fault_execution_failure_rate: float,
    fault_path: str | None,
    fault_seed: int | None,
) -> None:
    """Run the local EigenPal platform in the foreground."""
    if not is_loopback(host) and not allow_remote:
        raise click.UsageError(
            f"refusing to listen on {host}: it is not a loopback address and the platform holds"
            " your agents and data. Pass --allow-remote if you mean it."
        )
    try:
        faults = FaultConfig(
            error_rate=fault_error_rate,
            drop_rate=fault_drop_rate,
            drop_after_processing=fault_drop_after,
            latency_ms=fault_latency_ms,
            rate_limit_per_second=rate_limit,
            rate_limit_burst=rate_limit_burst,
            execution_failure_rate=fault_execution_failure_rate,
            path_pattern=fault_path,
            seed=fault_seed,
        )
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    key = serve_api_key or generate_api_key()
    config = PlatformConfig(
        data_dir=data_dir,
        api_keys=(key,),
        workers=workers,
        workflows_dir=workflows_dir,
        max_body_bytes=max_body_mb * 1024 * 1024,
        faults=faults,
        isolation=isolation,
        pass_env=pass_env,
    )
    shown_key = key if serve_api_key is None else None

    def announce(served: ServedPlatform) -> None:
        output.say(f"EigenPal local platform on {served.base_url} (data in {data_dir})")
        if shown_key is not None:
            output.plain(f"API key: {shown_key}")
        if not is_loopback(host):
            output.note(
                "warning: listening beyond loopback; anyone who can reach it needs only the key"
            )
        output.note(served.platform.isolation.describe())
        for line in pass_env_notes(served.platform.passed_env):
            output.note(line)
        output.note("Ctrl-C to stop.")

    try:  # a bad workflow file stops it too, with a clear message
        serve_foreground(config, host, port, announce)
    except ListenError as err:
        raise click.UsageError(str(err)) from err
    output.note("stopped.")
