"""``python -m tests.runner.cli_entry ...``: the evalkit CLI with ``run`` registered.

Used by the end-to-end tests until ``evalkit/cli/main.py`` registers the command itself;
then it is plain ``evalkit``.
"""

from __future__ import annotations

import sys

from evalkit.cli import main as cli_main

if ("run", "run") not in cli_main._COMMANDS:
    cli_main._COMMANDS.append(("run", "run"))

if __name__ == "__main__":
    cli_main.main(sys.argv[1:])
