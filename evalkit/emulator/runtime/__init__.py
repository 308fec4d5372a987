"""How the local platform executes one agent run (contract Part B10).

The queue (``evalkit.emulator.executions``) builds an ``AgentJob`` from stored state, calls
``run_agent_job`` on a worker thread, and stores the ``AgentOutcome``. This package knows
nothing of HTTP or SQLite.
"""
