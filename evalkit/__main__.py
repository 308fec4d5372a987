"""``python -m evalkit`` runs the command line."""

from evalkit.cli.main import main

main()
