# generated from _async/__init__.py by scripts/unasync.py; do not edit
"""The resources behind the client: ``client.agents``, ``client.workflows`` and below."""
