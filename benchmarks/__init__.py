"""evalkit's benchmarks: ``python -m benchmarks`` measures what a user runs (the ``evalkit``
command, on a generated project with the example project's shape) against the targets of
issue 15, and prints a table. See ``benchmarks/__main__.py`` for the options."""
