"""Running the examples: orchestration, per-example execution, gates, baselines, results.

The runner talks to the platform only through the client it is handed, so tests drive it
against the local platform over HTTP exactly as the CLI does.
"""
