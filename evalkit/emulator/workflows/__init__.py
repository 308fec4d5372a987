"""Workflows on the local platform (contract A6, Part B11): YAML definitions with versions,
steps run in order. The core app mounts ``build_workflow_router`` and provides an
``AgentInvoker`` so a step can run an agent of this platform.
"""
