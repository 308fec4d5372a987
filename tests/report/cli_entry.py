"""``python -m tests.report.cli_entry ...``: the evalkit CLI with ``run`` and ``report``
registered, for the end-to-end test until ``evalkit/cli/main.py`` registers both itself."""

from __future__ import annotations

import sys

from evalkit.cli import main as cli_main

for command in (("run", "run"), ("report", "report")):
    if command not in cli_main._COMMANDS:
        cli_main._COMMANDS.append(command)

if __name__ == "__main__":
    cli_main.main(sys.argv[1:])
